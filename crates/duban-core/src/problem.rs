//! 问题清单 — obstacles logged per item and pushed until closed (销号): categories, escalation
//! levels, and the lifecycle raised → assigned → rectifying → closure requested → closed or
//! sent back, with who may make each move (domain.md §6).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::labelled_enum! {
    /// 问题类别
    pub enum ProblemCategory ("问题类别") {
        /// 手续 — approvals
        Approvals = "approvals", "手续", ["审批", "前期手续", "手续办理"],
        /// 用地 — land
        Land = "land", "用地", ["土地", "用地指标"],
        /// 征迁 — demolition and relocation
        Relocation = "relocation", "征迁", ["征地拆迁", "拆迁", "征收"],
        /// 资金 — funding
        Funding = "funding", "资金", ["融资", "资金到位"],
        /// 环保 — environment
        Environment = "environment", "环保", ["环评", "生态环境"],
        /// 要素保障 — water, power, gas, labour
        Factors = "factors", "要素保障", ["水电气", "要素"],
        /// 其他
        Other = "other", "其他", [],
    }
}

crate::labelled_enum! {
    /// 协调层级 — who has to solve it.
    pub enum Escalation ("协调层级") {
        /// 县级
        County = "county", "县级", ["县区", "县"],
        /// 市直部门
        Department = "department", "市直部门", ["部门", "市级部门"],
        /// 市领导
        Leader = "leader", "市领导", ["包抓领导", "市级领导"],
        /// 协调调度会
        Meeting = "meeting", "协调调度会", ["调度会", "专题会"],
    }
}

crate::labelled_enum! {
    /// 问题状态
    pub enum ProblemState ("问题状态") {
        /// 已提出
        Raised = "raised", "已提出", ["提出", "新提出"],
        /// 已交办 — assigned to a unit with a due date.
        Assigned = "assigned", "已交办", ["交办"],
        /// 整改中
        Rectifying = "rectifying", "整改中", ["整改"],
        /// 申请销号
        ClosureRequested = "closure_requested", "申请销号", ["待销号"],
        /// 已销号 — verified closed by the office.
        Closed = "closed", "已销号", ["销号", "已解决"],
        /// 已退回 — closure refused; the unit rectifies again.
        SentBack = "sent_back", "已退回", ["退回"],
    }
}

/// 角色 — who acts on a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// 督查室 — the supervision office.
    Office,
    /// 责任单位 — a responsible unit, by name.
    Unit(String),
}

impl Role {
    /// Reads "office" / "督查室" or "unit:白水县" / "白水县".
    pub fn parse(text: &str) -> Role {
        let t = text.trim();
        match t {
            "office" | "督查室" | "admin" => Role::Office,
            _ => Role::Unit(t.strip_prefix("unit:").unwrap_or(t).trim().to_string()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Office => f.write_str("督查室"),
            Role::Unit(u) => f.write_str(u),
        }
    }
}

/// 流转 — a move of a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Move {
    /// 交办 — the office assigns it to a unit with a due date (again, to re-assign).
    Assign { unit: String, due: NaiveDate },
    /// 开始整改 — the assigned unit starts rectifying (also after a send-back).
    Start,
    /// 申请销号 — the assigned unit reports it solved.
    RequestClosure { note: Option<String> },
    /// 销号 — the office verifies and closes it.
    Close,
    /// 退回 — the office refuses the closure.
    SendBack { reason: String },
}

impl Move {
    pub fn label(&self) -> &'static str {
        match self {
            Move::Assign { .. } => "交办",
            Move::Start => "开始整改",
            Move::RequestClosure { .. } => "申请销号",
            Move::Close => "销号",
            Move::SendBack { .. } => "退回",
        }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("问题当前为“{state}”，不能{action}（{hint}）")]
    WrongState {
        state: &'static str,
        action: &'static str,
        hint: &'static str,
    },
    #[error("只有督查室可以{0}")]
    OfficeOnly(&'static str),
    /// 申请销号 without saying what was done.
    #[error("申请销号须写明整改情况（做了什么、结果如何），空白的不能申请")]
    NoRectification,
    #[error("只有承办单位“{assigned}”可以{action}，{who}不能")]
    AssignedUnitOnly {
        assigned: String,
        action: &'static str,
        who: String,
    },
}

/// Applies a move made by `who` to a problem in `state` assigned to `assigned`: the new state,
/// or why the move is not allowed.
pub fn apply(
    state: ProblemState,
    assigned: Option<&str>,
    who: &Role,
    mv: &Move,
) -> Result<ProblemState, MoveError> {
    use ProblemState::*;
    let action = mv.label();
    let wrong = |hint| {
        Err(MoveError::WrongState {
            state: state.label(),
            action,
            hint,
        })
    };
    let office_only = || match who {
        Role::Office => Ok(()),
        Role::Unit(_) => Err(MoveError::OfficeOnly(action)),
    };
    let assigned_only = || match (who, assigned) {
        (Role::Unit(u), Some(a)) if u == a => Ok(()),
        (_, a) => Err(MoveError::AssignedUnitOnly {
            assigned: a.unwrap_or("（未交办）").to_string(),
            action,
            who: who.to_string(),
        }),
    };
    match mv {
        Move::Assign { .. } => {
            office_only()?;
            match state {
                Raised | Assigned | SentBack => Ok(Assigned),
                _ => wrong("只能交办已提出、已交办或已退回的问题"),
            }
        }
        Move::Start => {
            assigned_only()?;
            match state {
                Assigned | SentBack => Ok(Rectifying),
                _ => wrong("须先交办"),
            }
        }
        Move::RequestClosure { note } => {
            assigned_only()?;
            if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(MoveError::NoRectification);
            }
            match state {
                Rectifying => Ok(ClosureRequested),
                _ => wrong("须在整改中"),
            }
        }
        Move::Close | Move::SendBack { .. } => {
            office_only()?;
            match state {
                ClosureRequested => Ok(if matches!(mv, Move::Close) {
                    Closed
                } else {
                    SentBack
                }),
                _ => wrong("须承办单位先申请销号"),
            }
        }
    }
}

/// Whether an open problem is past its due date (逾期).
pub fn is_overdue(state: ProblemState, due: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    state != ProblemState::Closed && due.is_some_and(|d| as_of > d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProblemState::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_whole_lifecycle_with_a_send_back() {
        let office = Role::Office;
        let unit = Role::parse("unit:白水县");
        let assign = Move::Assign {
            unit: "白水县".into(),
            due: d("2025-08-31"),
        };
        let s = apply(Raised, None, &office, &assign).unwrap();
        assert_eq!(s, Assigned);
        let s = apply(s, Some("白水县"), &unit, &Move::Start).unwrap();
        // 销号 is asked for with what was done: a blank 整改情况 is refused.
        for blank in [None, Some("  ".to_string())] {
            assert_eq!(
                apply(
                    s,
                    Some("白水县"),
                    &unit,
                    &Move::RequestClosure { note: blank }
                ),
                Err(MoveError::NoRectification)
            );
        }
        let s = apply(
            s,
            Some("白水县"),
            &unit,
            &Move::RequestClosure {
                note: Some("已办结用地手续".into()),
            },
        )
        .unwrap();
        assert_eq!(s, ClosureRequested);
        let s = apply(
            s,
            Some("白水县"),
            &office,
            &Move::SendBack {
                reason: "证明材料不全".into(),
            },
        )
        .unwrap();
        assert_eq!(s, SentBack);
        let s = apply(s, Some("白水县"), &unit, &Move::Start).unwrap();
        let s = apply(
            s,
            Some("白水县"),
            &unit,
            &Move::RequestClosure {
                note: Some("已补齐".into()),
            },
        )
        .unwrap();
        assert_eq!(
            apply(s, Some("白水县"), &office, &Move::Close).unwrap(),
            Closed
        );
    }

    #[test]
    fn who_may_move_is_enforced() {
        let unit = Role::parse("白水县");
        let other = Role::parse("unit:云台县");
        let assign = Move::Assign {
            unit: "白水县".into(),
            due: d("2025-08-31"),
        };
        assert_eq!(
            apply(Raised, None, &unit, &assign),
            Err(MoveError::OfficeOnly("交办"))
        );
        assert!(matches!(
            apply(Assigned, Some("白水县"), &other, &Move::Start),
            Err(MoveError::AssignedUnitOnly { .. })
        ));
        assert!(matches!(
            apply(Assigned, Some("白水县"), &Role::Office, &Move::Start),
            Err(MoveError::AssignedUnitOnly { .. })
        ));
        assert_eq!(
            apply(ClosureRequested, Some("白水县"), &unit, &Move::Close),
            Err(MoveError::OfficeOnly("销号"))
        );
        let e = apply(Rectifying, Some("白水县"), &Role::Office, &Move::Close)
            .unwrap_err()
            .to_string();
        assert!(e.contains("须承办单位先申请销号"), "{e}");
        assert!(
            apply(Closed, Some("白水县"), &Role::Office, &assign).is_err(),
            "a closed problem stays closed"
        );
    }

    #[test]
    fn overdue_until_closed() {
        assert!(is_overdue(
            Rectifying,
            Some(d("2025-06-30")),
            d("2025-07-01")
        ));
        assert!(!is_overdue(
            Rectifying,
            Some(d("2025-06-30")),
            d("2025-06-30")
        ));
        assert!(!is_overdue(Closed, Some(d("2025-06-30")), d("2025-12-31")));
        assert!(!is_overdue(Raised, None, d("2025-12-31")));
    }
}
