//! 交办事项 — tasks the office hands down besides the ledger's items: from a meeting, a
//! leader's instruction, an audit or inspection finding, a letter, or by hand. Each has a number
//! (督办〔2025〕12号), a lead unit and co units, a deadline (a date or N working days), a time
//! to sign for it and a feedback cadence. The lifecycle 交办 → 签收 → 办理中 (feedback) → 申请办结
//! → 办结, or 退回 back to 办理中, and who may make each move (domain.md §13).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{DayCount, WorkCalendar};
use crate::problem::Role;

crate::labelled_enum! {
    /// 交办来源
    pub enum TaskSource ("交办来源") {
        /// 会议议定事项
        Meeting = "meeting", "会议议定事项", ["会议", "会议纪要", "会议交办"],
        /// 领导批示件
        Instruction = "instruction", "领导批示", ["批示", "领导批示件", "批示件"],
        /// 审计、督察整改
        Audit = "audit", "审计督察整改", ["审计", "督察", "审计整改", "督察整改", "巡视巡察"],
        /// 来文来函
        Letter = "letter", "来文来函", ["来文", "来函"],
        /// 其他交办
        Other = "other", "其他交办", ["其他", "手动"],
    }
}

crate::labelled_enum! {
    /// 办理状态
    pub enum TaskState ("办理状态") {
        /// 待签收 — handed down, not yet acknowledged.
        Assigned = "assigned", "待签收", ["已交办", "交办", "未签收"],
        /// 办理中 — signed for (and after a send-back).
        InProgress = "in_progress", "办理中", ["已签收", "签收"],
        /// 申请办结 — the lead unit reported it done.
        CloseRequested = "close_requested", "申请办结", ["待办结", "待审核"],
        /// 已办结 — verified by the office.
        Closed = "closed", "已办结", ["办结", "完成"],
        /// 已撤销 — withdrawn by the office.
        Withdrawn = "withdrawn", "已撤销", ["撤销"],
    }
}

crate::labelled_enum! {
    /// 反馈频次 — how often the lead unit reports what it did.
    pub enum FeedbackCadence ("反馈频次") {
        /// 办结时反馈 — only the 办结报告.
        Once = "once", "办结时反馈", ["一次性", "不定期", "无"],
        /// 每周反馈 — within 7 days of signing and of each feedback.
        Weekly = "weekly", "每周反馈", ["每周", "周报"],
        /// 每半月反馈 — within 15 days.
        Fortnightly = "fortnightly", "每半月反馈", ["每半月", "半月报"],
        /// 每月反馈 — within a month.
        Monthly = "monthly", "每月反馈", ["每月", "月报"],
    }
}

impl FeedbackCadence {
    /// When the next feedback is due after the last one (or the signing) on `since`, in
    /// calendar days.
    pub fn next_due(self, since: NaiveDate) -> Option<NaiveDate> {
        match self {
            FeedbackCadence::Once => None,
            FeedbackCadence::Weekly => since.checked_add_days(chrono::Days::new(7)),
            FeedbackCadence::Fortnightly => since.checked_add_days(chrono::Days::new(15)),
            FeedbackCadence::Monthly => since.checked_add_months(Months::new(1)),
        }
    }
}

/// 办理时限 — a date, or N working days from the day it is handed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deadline {
    /// 限期 — by this date.
    Date { date: NaiveDate },
    /// N 个工作日内
    WorkingDays { days: u32 },
}

/// Longest time a deadline in working days may give (about two years).
pub const MAX_WORKING_DAYS: u32 = 500;

impl Deadline {
    /// Reads "2025-12-31", "2025年12月31日", "10个工作日", "10工作日" or "10".
    pub fn parse(text: &str) -> Result<Deadline, String> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = t
            .trim_end_matches("内")
            .trim_end_matches("个工作日")
            .trim_end_matches("工作日");
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let days: u32 = digits.parse().map_err(|_| format!("“{text}”太大"))?;
            if days == 0 || days > MAX_WORKING_DAYS {
                return Err(format!("工作日数应在 1—{MAX_WORKING_DAYS} 之间"));
            }
            return Ok(Deadline::WorkingDays { days });
        }
        match crate::date::PlanDate::parse(&t) {
            Ok(crate::date::PlanDate::Day(date)) => Ok(Deadline::Date { date }),
            _ => Err(format!(
                "“{text}”不是日期（如 2025-12-31）或工作日数（如 10个工作日）"
            )),
        }
    }

    /// The date it falls on for a task handed down on `assigned_on`.
    pub fn due(self, calendar: &WorkCalendar, assigned_on: NaiveDate) -> NaiveDate {
        match self {
            Deadline::Date { date } => date,
            Deadline::WorkingDays { days } => {
                DayCount::Working.add(calendar, assigned_on, i64::from(days))
            }
        }
    }

    pub fn describe(self) -> String {
        match self {
            Deadline::Date { date } => format!("{date} 前"),
            Deadline::WorkingDays { days } => format!("{days} 个工作日内"),
        }
    }
}

/// 签收时限 by default: one working day.
pub const DEFAULT_SIGN_WITHIN: u32 = 1;

/// A task's dates as the rules need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskClock {
    pub state: TaskState,
    /// 交办日期
    pub assigned_on: NaiveDate,
    /// 签收时限, working days after 交办.
    pub sign_within: u32,
    /// 办理期限 (resolved)
    pub due: NaiveDate,
    pub cadence: FeedbackCadence,
    /// 签收日期
    pub signed_on: Option<NaiveDate>,
    /// The last feedback (反馈) day, if any.
    pub last_feedback: Option<NaiveDate>,
}

/// 逾期 — how a task is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lateness {
    /// 逾期未签收
    NotSigned,
    /// 逾期未反馈
    NoFeedback,
    /// 逾期未办结
    NotDone,
}

impl Lateness {
    pub fn label(self) -> &'static str {
        match self {
            Lateness::NotSigned => "逾期未签收",
            Lateness::NoFeedback => "逾期未反馈",
            Lateness::NotDone => "逾期未办结",
        }
    }
}

impl TaskClock {
    /// 签收截止 — the last day to sign for it (working days after it was handed down).
    pub fn sign_due(&self, calendar: &WorkCalendar) -> NaiveDate {
        calendar.add_working_days(self.assigned_on, i64::from(self.sign_within))
    }

    /// 下次反馈截止 — while it is being worked on.
    pub fn feedback_due(&self) -> Option<NaiveDate> {
        if self.state != TaskState::InProgress {
            return None;
        }
        let since = self.last_feedback.or(self.signed_on)?;
        self.cadence.next_due(since).filter(|d| *d < self.due)
    }

    /// How the task is late on `as_of` (a day is late once it is past its last day), the most
    /// serious first: not done by its deadline, not signed in time, feedback missing.
    pub fn lateness(&self, calendar: &WorkCalendar, as_of: NaiveDate) -> Vec<Lateness> {
        let open = matches!(
            self.state,
            TaskState::Assigned | TaskState::InProgress | TaskState::CloseRequested
        );
        let mut late = Vec::new();
        if !open {
            return late;
        }
        if self.state != TaskState::CloseRequested && as_of > self.due {
            late.push(Lateness::NotDone);
        }
        if self.state == TaskState::Assigned && as_of > self.sign_due(calendar) {
            late.push(Lateness::NotSigned);
        }
        if self.feedback_due().is_some_and(|d| as_of > d) {
            late.push(Lateness::NoFeedback);
        }
        late
    }
}

/// 流转 — a move of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TaskMove {
    /// 签收 — the lead unit acknowledges it.
    Sign,
    /// 反馈 — the lead unit or a co unit reports what it did.
    Feedback { note: String },
    /// 申请办结 — the lead unit reports it done, with its 办结报告.
    RequestClose { report: String },
    /// 办结 — the office verifies it done.
    Close,
    /// 退回 — the office refuses the closure, saying why; back to 办理中.
    SendBack { reason: String },
    /// 撤销 — the office withdraws it, saying why.
    Withdraw { reason: String },
}

impl TaskMove {
    pub fn label(&self) -> &'static str {
        match self {
            TaskMove::Sign => "签收",
            TaskMove::Feedback { .. } => "反馈",
            TaskMove::RequestClose { .. } => "申请办结",
            TaskMove::Close => "办结",
            TaskMove::SendBack { .. } => "退回",
            TaskMove::Withdraw { .. } => "撤销",
        }
    }

    /// The code stored with the move.
    pub fn code(&self) -> &'static str {
        match self {
            TaskMove::Sign => "sign",
            TaskMove::Feedback { .. } => "feedback",
            TaskMove::RequestClose { .. } => "request_close",
            TaskMove::Close => "close",
            TaskMove::SendBack { .. } => "send_back",
            TaskMove::Withdraw { .. } => "withdraw",
        }
    }

    /// What was written with it (feedback, report or reason).
    pub fn note(&self) -> Option<&str> {
        match self {
            TaskMove::Feedback { note } => Some(note),
            TaskMove::RequestClose { report } => Some(report),
            TaskMove::SendBack { reason } | TaskMove::Withdraw { reason } => Some(reason),
            TaskMove::Sign | TaskMove::Close => None,
        }
    }
}

/// Longest feedback, report or reason, in characters.
pub const MAX_NOTE: usize = 4000;

/// Why a move of a task is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskMoveError {
    #[error("交办事项当前为“{state}”，不能{action}（{hint}）")]
    WrongState {
        state: &'static str,
        action: &'static str,
        hint: &'static str,
    },
    #[error("只有督查室可以{0}")]
    OfficeOnly(&'static str),
    #[error("只有牵头单位“{lead}”可以{action}，{who}不能")]
    LeadOnly {
        lead: String,
        action: &'static str,
        who: String,
    },
    #[error("只有牵头单位“{lead}”或配合单位可以{action}，{who}不能")]
    LeadOrCoOnly {
        lead: String,
        action: &'static str,
        who: String,
    },
    #[error("{0}不能为空：请写明{1}")]
    Blank(&'static str, &'static str),
    #[error("{0}最多 {MAX_NOTE} 字")]
    TooLong(&'static str),
}

/// Applies `mv` made by `who` to a task in `state` led by `lead` with `co` units: the new
/// state, or why the move is not allowed.
pub fn apply(
    state: TaskState,
    lead: &str,
    co: &[String],
    who: &Role,
    mv: &TaskMove,
) -> Result<TaskState, TaskMoveError> {
    use TaskState::*;
    let action = mv.label();
    let wrong = |hint| {
        Err(TaskMoveError::WrongState {
            state: state.label(),
            action,
            hint,
        })
    };
    let office_only = || match who {
        Role::Office => Ok(()),
        Role::Unit(_) => Err(TaskMoveError::OfficeOnly(action)),
    };
    let lead_only = || match who {
        Role::Unit(u) if u == lead => Ok(()),
        _ => Err(TaskMoveError::LeadOnly {
            lead: lead.to_string(),
            action,
            who: who.to_string(),
        }),
    };
    let written = |what: &'static str, hint: &'static str| {
        let text = mv.note().unwrap_or_default().trim();
        if text.is_empty() {
            Err(TaskMoveError::Blank(what, hint))
        } else if text.chars().count() > MAX_NOTE {
            Err(TaskMoveError::TooLong(what))
        } else {
            Ok(())
        }
    };
    match mv {
        TaskMove::Sign => {
            lead_only()?;
            match state {
                Assigned => Ok(InProgress),
                _ => wrong("只能签收待签收的事项"),
            }
        }
        TaskMove::Feedback { .. } => {
            match who {
                Role::Unit(u) if u == lead || co.contains(u) => {}
                _ => {
                    return Err(TaskMoveError::LeadOrCoOnly {
                        lead: lead.to_string(),
                        action,
                        who: who.to_string(),
                    });
                }
            }
            written("反馈内容", "做了什么、进展如何")?;
            match state {
                InProgress => Ok(InProgress),
                Assigned => wrong("须先签收"),
                _ => wrong("只能在办理中反馈"),
            }
        }
        TaskMove::RequestClose { .. } => {
            lead_only()?;
            written("办结报告", "办理结果和依据")?;
            match state {
                InProgress => Ok(CloseRequested),
                Assigned => wrong("须先签收"),
                _ => wrong("须在办理中"),
            }
        }
        TaskMove::Close => {
            office_only()?;
            match state {
                CloseRequested => Ok(Closed),
                _ => wrong("须牵头单位先申请办结"),
            }
        }
        TaskMove::SendBack { .. } => {
            office_only()?;
            written("退回理由", "为什么不能办结、还要做什么")?;
            match state {
                CloseRequested => Ok(InProgress),
                _ => wrong("只能退回申请办结的事项"),
            }
        }
        TaskMove::Withdraw { .. } => {
            office_only()?;
            written("撤销理由", "为什么撤销")?;
            match state {
                Assigned | InProgress | CloseRequested => Ok(Withdrawn),
                _ => wrong("已办结或已撤销的事项不能撤销"),
            }
        }
    }
}

/// 督办编号 — "督办〔2025〕12号".
pub fn number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskState::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn moves() -> Vec<TaskMove> {
        vec![
            TaskMove::Sign,
            TaskMove::Feedback {
                note: "已召开专题会".into(),
            },
            TaskMove::RequestClose {
                report: "已完成整改".into(),
            },
            TaskMove::Close,
            TaskMove::SendBack {
                reason: "佐证不足".into(),
            },
            TaskMove::Withdraw {
                reason: "重复交办".into(),
            },
        ]
    }

    /// Every role × every move × every state, against the table written out by hand.
    #[test]
    fn who_may_make_each_move_in_each_state() {
        let co = vec!["市财政局".to_string()];
        let office = Role::Office;
        let lead = Role::Unit("市发展和改革委员会".into());
        let co_unit = Role::Unit("市财政局".into());
        let other = Role::Unit("白水县".into());
        // (state, move index) → allowed role and resulting state.
        let expected = |state: TaskState, m: usize, who: &Role| -> Option<TaskState> {
            let is = |r: &Role| r == who;
            match (state, m) {
                (Assigned, 0) if is(&lead) => Some(InProgress),
                (InProgress, 1) if is(&lead) || is(&co_unit) => Some(InProgress),
                (InProgress, 2) if is(&lead) => Some(CloseRequested),
                (CloseRequested, 3) if is(&office) => Some(Closed),
                (CloseRequested, 4) if is(&office) => Some(InProgress),
                (Assigned | InProgress | CloseRequested, 5) if is(&office) => Some(Withdrawn),
                _ => None,
            }
        };
        let mut allowed = 0;
        for state in TaskState::ALL.iter().copied() {
            for (m, mv) in moves().iter().enumerate() {
                for who in [&office, &lead, &co_unit, &other] {
                    let got = apply(state, "市发展和改革委员会", &co, who, mv).ok();
                    assert_eq!(
                        got,
                        expected(state, m, who),
                        "{state:?} {} by {who}",
                        mv.label()
                    );
                    allowed += usize::from(got.is_some());
                }
            }
        }
        // Sign 1, feedback 2, request 1, close 1, send back 1, withdraw 3.
        assert_eq!(allowed, 9);
    }

    #[test]
    fn refusals_say_why() {
        let lead = Role::Unit("市发改委".into());
        let e = apply(
            Assigned,
            "市发改委",
            &[],
            &Role::Unit("白水县".into()),
            &TaskMove::Sign,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "只有牵头单位“市发改委”可以签收，白水县不能");
        let e = apply(
            InProgress,
            "市发改委",
            &[],
            &lead,
            &TaskMove::RequestClose {
                report: "  ".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "办结报告不能为空：请写明办理结果和依据");
        let e = apply(
            Assigned,
            "市发改委",
            &[],
            &lead,
            &TaskMove::RequestClose {
                report: "完成".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "交办事项当前为“待签收”，不能申请办结（须先签收）"
        );
        let e = apply(
            CloseRequested,
            "市发改委",
            &[],
            &Role::Office,
            &TaskMove::SendBack {
                reason: String::new(),
            },
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("退回理由不能为空"), "{e}");
        let long = "字".repeat(MAX_NOTE + 1);
        let e = apply(
            InProgress,
            "市发改委",
            &[],
            &lead,
            &TaskMove::Feedback { note: long },
        )
        .unwrap_err();
        assert_eq!(e, TaskMoveError::TooLong("反馈内容"));
    }

    #[test]
    fn deadlines_read_as_dates_or_working_days() {
        assert_eq!(
            Deadline::parse("10个工作日").unwrap(),
            Deadline::WorkingDays { days: 10 }
        );
        assert_eq!(
            Deadline::parse("3 工作日内").unwrap(),
            Deadline::WorkingDays { days: 3 }
        );
        assert_eq!(
            Deadline::parse("2025年12月31日").unwrap(),
            Deadline::Date {
                date: d("2025-12-31")
            }
        );
        assert!(Deadline::parse("0").is_err());
        assert!(Deadline::parse("下周").unwrap_err().contains("不是日期"));
        let c = WorkCalendar::shipped();
        // Handed down Tuesday 30 September 2025, 3 working days: 9, 10, 11 October.
        assert_eq!(
            Deadline::WorkingDays { days: 3 }.due(&c, d("2025-09-30")),
            d("2025-10-11")
        );
    }

    fn clock(state: TaskState) -> TaskClock {
        TaskClock {
            state,
            assigned_on: d("2025-09-30"),
            sign_within: 2,
            due: d("2025-10-31"),
            cadence: FeedbackCadence::Weekly,
            signed_on: None,
            last_feedback: None,
        }
    }

    /// Handed down on Tuesday 30 September 2025 with two working days to sign: 1–8 October are
    /// the National Day holiday, so the two days are Thursday 9 and Friday 10 October, and the
    /// task is late from Saturday 11 October (itself a working day in exchange).
    #[test]
    fn not_signed_in_two_working_days_across_the_national_day_holiday() {
        let c = WorkCalendar::shipped();
        let t = clock(Assigned);
        assert_eq!(t.sign_due(&c), d("2025-10-10"));
        assert!(t.lateness(&c, d("2025-10-08")).is_empty());
        assert!(t.lateness(&c, d("2025-10-10")).is_empty());
        assert_eq!(t.lateness(&c, d("2025-10-11")), vec![Lateness::NotSigned]);
        // Counted in calendar days it would have been late on 3 October.
        assert_eq!(
            DayCount::Calendar.add(&c, d("2025-09-30"), 2),
            d("2025-10-02")
        );
    }

    #[test]
    fn feedback_and_deadline_lateness() {
        let c = WorkCalendar::shipped();
        let mut t = clock(InProgress);
        t.signed_on = Some(d("2025-10-09"));
        assert_eq!(t.feedback_due(), Some(d("2025-10-16")));
        assert!(t.lateness(&c, d("2025-10-16")).is_empty());
        assert_eq!(t.lateness(&c, d("2025-10-17")), vec![Lateness::NoFeedback]);
        t.last_feedback = Some(d("2025-10-28"));
        // The next feedback would fall after the deadline: the deadline rules.
        assert_eq!(t.feedback_due(), None);
        assert_eq!(t.lateness(&c, d("2025-11-01")), vec![Lateness::NotDone]);
        t.state = CloseRequested;
        assert!(t.lateness(&c, d("2025-11-01")).is_empty());
        t.state = Closed;
        assert!(t.lateness(&c, d("2026-11-01")).is_empty());
    }

    #[test]
    fn numbers_read_as_officials_write_them() {
        assert_eq!(number("督办", 2025, 12), "督办〔2025〕12号");
    }
}
