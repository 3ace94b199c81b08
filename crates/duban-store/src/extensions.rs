//! 延期申请 — a unit asks to move one milestone of an approved plan, with a reason; the
//! office approves it (the milestone's date in force moves, its baseline stays: 原计划 /
//! 调整后) or refuses it with a reason. Nothing else moves an approved date.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, AuditRecord};
use crate::evidence::{EvidenceOf, NewAttachment, attach_in, item_id};
use crate::{Result, Store, StoreError};

/// 延期申请的状态
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionState {
    /// 待审批
    Pending,
    /// 已批准
    Approved,
    /// 未批准
    Refused,
}

impl ExtensionState {
    pub fn code(self) -> &'static str {
        match self {
            ExtensionState::Pending => "pending",
            ExtensionState::Approved => "approved",
            ExtensionState::Refused => "refused",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExtensionState::Pending => "待审批",
            ExtensionState::Approved => "已批准",
            ExtensionState::Refused => "未批准",
        }
    }
}

impl TryFrom<String> for ExtensionState {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        [
            ExtensionState::Pending,
            ExtensionState::Approved,
            ExtensionState::Refused,
        ]
        .into_iter()
        .find(|e| e.code() == s)
        .ok_or_else(|| StoreError::corrupt("extension_requests", s))
    }
}

/// A day as stored (YYYY-MM-DD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Day(pub NaiveDate);

impl TryFrom<String> for Day {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Day)
            .map_err(|e| StoreError::corrupt("extension_requests", e))
    }
}

/// 延期申请
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct ExtensionRequest {
    pub id: i64,
    /// 项目编号, 项目名称
    pub code: String,
    pub item_name: String,
    /// 节点
    pub milestone: String,
    /// 申请时的计划日期
    #[sqlx(try_from = "String")]
    pub from_date: Day,
    /// 申请延至
    #[sqlx(try_from = "String")]
    pub requested: Day,
    /// 延期理由
    pub reason: String,
    #[sqlx(try_from = "String")]
    pub state: ExtensionState,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// 审批意见
    pub decision: Option<String>,
}

/// The longest reason or decision, in characters.
const MAX_TEXT: usize = 2000;

/// A request to write.
#[derive(Debug, Clone)]
pub struct NewExtension {
    pub code: String,
    pub milestone: String,
    pub requested: NaiveDate,
    pub reason: String,
}

const SELECT: &str = "SELECT e.id, i.code, i.name AS item_name, e.milestone, e.from_date, e.requested, \
     e.reason, e.state, e.requested_by, e.requested_at, e.decided_by, e.decided_at, e.decision \
     FROM extension_requests e JOIN items i ON i.id = e.item_id";

async fn load(conn: &mut AnyConnection, id: i64) -> Result<ExtensionRequest> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "延期申请",
            key: id.to_string(),
        })
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// Records a unit's request to move a milestone not yet reached to a later date. Refused
    /// when the milestone is unknown or done, the date is not later, or one is pending.
    pub async fn request_extension(
        &self,
        actor: &str,
        req: NewExtension,
        evidence: Vec<NewAttachment>,
    ) -> Result<ExtensionRequest> {
        let reason = req.reason.trim().to_string();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "延期理由：不能为空，请说明为什么需要延期".into(),
            ));
        }
        if reason.chars().count() > MAX_TEXT || req.milestone.chars().count() > MAX_TEXT {
            return Err(StoreError::Invalid(format!("延期理由：最多 {MAX_TEXT} 字")));
        }
        let mut tx = self.write_tx().await?;
        let item = item_id(&mut tx, &req.code).await?;
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT planned, actual FROM milestones WHERE item_id = $1 AND name = $2",
        )
        .bind(item)
        .bind(req.milestone.trim())
        .fetch_optional(&mut *tx)
        .await?;
        let (planned, actual) = row.ok_or_else(|| {
            StoreError::Invalid(format!(
                "节点：项目 {} 没有名为“{}”的节点",
                req.code, req.milestone
            ))
        })?;
        if actual.is_some() {
            return Err(StoreError::Invalid(format!(
                "节点“{}”已经完成，不需要延期",
                req.milestone
            )));
        }
        let planned = planned
            .and_then(|p| NaiveDate::parse_from_str(&p, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                StoreError::Invalid(format!("节点“{}”还没有计划日期，无从延期", req.milestone))
            })?;
        if req.requested <= planned {
            return Err(StoreError::Invalid(format!(
                "申请延至：应晚于现计划日期 {planned}（填的是 {}）",
                req.requested
            )));
        }
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM extension_requests WHERE item_id = $1 AND milestone = $2 AND state = 'pending'",
        )
        .bind(item)
        .bind(req.milestone.trim())
        .fetch_one(&mut *tx)
        .await?;
        if pending > 0 {
            return Err(StoreError::Invalid(format!(
                "节点“{}”已有一份待审批的延期申请，请等督查室审批",
                req.milestone
            )));
        }
        let at = audit::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO extension_requests (item_id, milestone, from_date, requested, reason, state, requested_by, requested_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id",
        )
        .bind(item)
        .bind(req.milestone.trim())
        .bind(day(planned))
        .bind(day(req.requested))
        .bind(crate::sql::stored_text(reason.clone()))
        .bind(actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        attach_in(
            &mut tx,
            actor,
            (item, &req.code),
            (EvidenceOf::Extension, id),
            evidence,
        )
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "request_extension",
                "item",
                req.code.trim(),
                None,
                Some(serde_json::json!({
                    "milestone": req.milestone.trim(), "from": day(planned),
                    "requested": day(req.requested), "reason": reason,
                })),
            )],
        )
        .await?;
        let out = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The office approves (the milestone's date in force becomes the requested one, its
    /// baseline stays) or refuses (a reason required) a pending request.
    pub async fn decide_extension(
        &self,
        actor: &str,
        id: i64,
        approve: bool,
        note: Option<String>,
    ) -> Result<ExtensionRequest> {
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if !approve && note.is_none() {
            return Err(StoreError::Invalid("审批意见：不批准须说明理由".into()));
        }
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_TEXT) {
            return Err(StoreError::Invalid(format!("审批意见：最多 {MAX_TEXT} 字")));
        }
        let mut tx = self.write_tx().await?;
        let req = load(&mut tx, id).await?;
        if req.state != ExtensionState::Pending {
            return Err(StoreError::Invalid(format!(
                "延期申请 {id} 已经{}，不能再审批",
                req.state.label()
            )));
        }
        let item = item_id(&mut tx, &req.code).await?;
        let state = if approve {
            ExtensionState::Approved
        } else {
            ExtensionState::Refused
        };
        let at = audit::now();
        sqlx::query(
            "UPDATE extension_requests SET state = $1, decided_by = $2, decided_at = $3, decision = $4 WHERE id = $5",
        )
        .bind(state.code())
        .bind(actor)
        .bind(&at)
        .bind(note.clone().map(crate::sql::stored_text))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if approve {
            sqlx::query(
                "UPDATE milestones SET baseline = COALESCE(baseline, planned), planned = $1 \
                 WHERE item_id = $2 AND name = $3",
            )
            .bind(day(req.requested.0))
            .bind(item)
            .bind(&req.milestone)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                if approve { "approve_extension" } else { "refuse_extension" },
                "item",
                &req.code,
                Some(serde_json::json!({ "milestone": req.milestone, "planned": day(req.from_date.0) })),
                Some(serde_json::json!({
                    "milestone": req.milestone,
                    "planned": day(if approve { req.requested.0 } else { req.from_date.0 }),
                    "decision": note,
                })),
            )],
        )
        .await?;
        let out = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Extension requests, newest first: of one item, or (with `pending`) those waiting.
    pub async fn extension_requests(
        &self,
        code: Option<&str>,
        pending: bool,
    ) -> Result<Vec<ExtensionRequest>> {
        let mut conds = Vec::new();
        if code.is_some() {
            conds.push("i.code = $1");
        }
        if pending {
            conds.push("e.state = 'pending'");
        }
        let cond = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let sql = format!("{SELECT}{cond} ORDER BY e.id DESC LIMIT 500");
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(c) = code {
            q = q.bind(c.trim().to_string());
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// One request by id.
    pub async fn extension_request(&self, id: i64) -> Result<Option<ExtensionRequest>> {
        match load(&mut *self.pool.acquire().await?, id).await {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
