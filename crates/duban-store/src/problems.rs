//! 问题清单 — problems per item, moved through their lifecycle by the roles allowed to, every
//! move recorded.

use chrono::NaiveDate;
use duban_core::problem::{apply, is_overdue};
use duban_core::{Escalation, Move, ProblemCategory, ProblemState, Role};
use serde::Serialize;
use sqlx::FromRow;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, AuditRecord};
use crate::evidence::{EvidenceOf, NewAttachment, attach_in};
use crate::{Result, Store, StoreError};

/// A problem as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub id: i64,
    /// 项目编号 and 项目名称 of the item.
    pub code: String,
    pub item_name: String,
    pub category: ProblemCategory,
    pub escalation: Escalation,
    /// 问题描述
    pub description: String,
    pub state: ProblemState,
    /// 承办单位
    pub assigned_unit: Option<String>,
    /// 整改时限
    pub due: Option<NaiveDate>,
    /// 挂牌督办
    pub listed: bool,
    pub raised_by: String,
    pub raised_at: String,
}

impl Problem {
    pub fn overdue(&self, as_of: NaiveDate) -> bool {
        is_overdue(self.state, self.due, as_of)
    }
}

/// A problem to raise.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub code: String,
    pub category: ProblemCategory,
    pub escalation: Escalation,
    pub description: String,
    pub listed: bool,
}

/// One recorded move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemEvent {
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub from_state: Option<ProblemState>,
    pub to_state: ProblemState,
    pub note: Option<String>,
}

/// Which problems to list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub state: Option<ProblemState>,
    /// Assigned to this unit, or raised on items it leads.
    pub unit: Option<String>,
    pub code: Option<String>,
}

const SELECT: &str = "SELECT p.id, i.code, i.name AS item_name, p.category, p.escalation, p.description, \
    p.state, u.name AS assigned_unit, p.due, p.listed, p.raised_by, p.raised_at \
    FROM problems p JOIN items i ON i.id = p.item_id LEFT JOIN units u ON u.id = p.assigned_unit_id";

/// A row of [`SELECT`], as stored.
#[derive(sqlx::FromRow)]
struct ProblemRow {
    id: i64,
    code: String,
    item_name: String,
    category: String,
    escalation: String,
    description: String,
    state: String,
    assigned_unit: Option<String>,
    due: Option<String>,
    listed: i64,
    raised_by: String,
    raised_at: String,
}

impl TryFrom<ProblemRow> for Problem {
    type Error = StoreError;

    fn try_from(r: ProblemRow) -> Result<Problem> {
        let bad = |c: &str, e: String| StoreError::corrupt(format!("problems.{c}"), e);
        Ok(Problem {
            id: r.id,
            code: r.code,
            item_name: r.item_name,
            category: ProblemCategory::parse(&r.category)
                .map_err(|e| bad("category", e.to_string()))?,
            escalation: Escalation::parse(&r.escalation)
                .map_err(|e| bad("escalation", e.to_string()))?,
            description: r.description,
            state: ProblemState::parse(&r.state).map_err(|e| bad("state", e.to_string()))?,
            assigned_unit: r.assigned_unit,
            due: r
                .due
                .map(|d| duban_core::date::parse_iso_day(&d).ok_or_else(|| bad("due", d)))
                .transpose()?,
            listed: r.listed != 0,
            raised_by: r.raised_by,
            raised_at: r.raised_at,
        })
    }
}

fn from_row(r: &AnyRow) -> Result<Problem> {
    ProblemRow::from_row(r)?.try_into()
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Problem> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "问题",
            key: id.to_string(),
        })?;
    from_row(&row)
}

async fn record(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    who: &Role,
    action: &str,
    (from, to): (Option<ProblemState>, ProblemState),
    note: Option<String>,
) -> Result<()> {
    let at = audit::now();
    sqlx::query(
        "INSERT INTO problem_events (problem_id, at, actor, role, action, from_state, to_state, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(&at)
    .bind(actor)
    .bind(who.to_string())
    .bind(action)
    .bind(from.map(|s| s.code().to_string()))
    .bind(to.code())
    .bind(note.clone().map(crate::sql::stored_text))
    .execute(&mut *conn)
    .await?;
    let before = from.map(|s| serde_json::json!({ "state": s }));
    let after =
        serde_json::json!({ "state": to, "action": action, "role": who.to_string(), "note": note });
    audit::record(
        conn,
        vec![AuditRecord::values(
            actor,
            &at,
            "move",
            "problem",
            &id.to_string(),
            before,
            Some(after),
        )],
    )
    .await
}

impl Store {
    /// Raises a problem on an item. The office may raise on any item; a unit only on items it
    /// leads, co-operates on or that lie in it.
    pub async fn raise_problem(&self, actor: &str, who: &Role, p: NewProblem) -> Result<Problem> {
        self.raise_problem_with(actor, who, p, Vec::new()).await
    }

    /// [`Store::raise_problem`] with evidence (photos, documents), written together.
    pub async fn raise_problem_with(
        &self,
        actor: &str,
        who: &Role,
        p: NewProblem,
        evidence: Vec<NewAttachment>,
    ) -> Result<Problem> {
        let mut tx = self.write_tx().await?;
        let item_id: i64 = sqlx::query_scalar("SELECT id FROM items WHERE code = $1")
            .bind(p.code.trim())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "项目",
                key: p.code.clone(),
            })?;
        if let Role::Unit(unit) = who {
            let responsible: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM items i WHERE i.id = $1 AND (\
                   i.lead_unit_id IN (SELECT id FROM units WHERE name = $2) OR \
                   i.region_id IN (SELECT id FROM units WHERE name = $2) OR \
                   EXISTS (SELECT 1 FROM item_co_units c JOIN units u ON u.id = c.unit_id WHERE c.item_id = i.id AND u.name = $2))",
            )
            .bind(item_id)
            .bind(unit)
            .fetch_one(&mut *tx)
            .await?;
            if responsible == 0 {
                return Err(StoreError::Invalid(format!(
                    "“{unit}”不是项目 {} 的责任单位，不能为其提出问题",
                    p.code
                )));
            }
        }
        if p.description.trim().is_empty() {
            return Err(StoreError::Invalid("问题描述不能为空".into()));
        }
        let at = audit::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO problems (item_id, category, escalation, description, state, listed, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(item_id)
        .bind(p.category.code())
        .bind(p.escalation.code())
        .bind(crate::sql::stored_text(p.description.trim().to_string()))
        .bind(ProblemState::Raised.code())
        .bind(i64::from(p.listed))
        .bind(who.to_string())
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            id,
            actor,
            who,
            "提出",
            (None, ProblemState::Raised),
            Some(p.description.trim().to_string()),
        )
        .await?;
        attach_in(
            &mut tx,
            actor,
            (item_id, p.code.trim()),
            (EvidenceOf::Problem, id),
            evidence,
        )
        .await?;
        let out = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One problem by id.
    pub async fn problem(&self, id: i64) -> Result<Option<Problem>> {
        match load(&mut *self.pool.acquire().await?, id).await {
            Ok(p) => Ok(Some(p)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Moves a problem on, if `who` may make that move from its state.
    pub async fn move_problem(
        &self,
        actor: &str,
        who: &Role,
        id: i64,
        mv: Move,
    ) -> Result<Problem> {
        self.move_problem_with(actor, who, id, mv, Vec::new()).await
    }

    /// [`Store::move_problem`] with evidence (a closure request's 整改 photos and documents),
    /// written together.
    pub async fn move_problem_with(
        &self,
        actor: &str,
        who: &Role,
        id: i64,
        mv: Move,
        evidence: Vec<NewAttachment>,
    ) -> Result<Problem> {
        let mut tx = self.write_tx().await?;
        let p = load(&mut tx, id).await?;
        let to = apply(p.state, p.assigned_unit.as_deref(), who, &mv)
            .map_err(|e| StoreError::Invalid(format!("问题 {id}：{e}")))?;
        let note = match &mv {
            Move::Assign { unit, due } => {
                let unit_id = crate::items::resolve_unit(&mut tx, unit).await?;
                sqlx::query("UPDATE problems SET assigned_unit_id = $1, due = $2 WHERE id = $3")
                    .bind(unit_id)
                    .bind(due.format("%Y-%m-%d").to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Some(format!("交办{unit}，限 {due} 前完成"))
            }
            Move::RequestClosure { note } => note.clone(),
            Move::SendBack { reason } => Some(reason.clone()),
            Move::Start | Move::Close => None,
        };
        sqlx::query("UPDATE problems SET state = $1 WHERE id = $2")
            .bind(to.code())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            id,
            actor,
            who,
            mv.label(),
            (Some(p.state), to),
            note,
        )
        .await?;
        if !evidence.is_empty() {
            let item = crate::evidence::item_id(&mut tx, &p.code).await?;
            let of = match mv {
                Move::RequestClosure { .. } => EvidenceOf::Closure,
                _ => EvidenceOf::Problem,
            };
            attach_in(&mut tx, actor, (item, &p.code), (of, id), evidence).await?;
        }
        let out = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Problems, newest first.
    pub async fn problems(&self, f: &ProblemFilter) -> Result<Vec<Problem>> {
        let mut conds = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = f.state {
            args.push(s.code().to_string());
            conds.push(format!("p.state = ${}", args.len()));
        }
        if let Some(u) = &f.unit {
            args.push(u.trim().to_string());
            let n = args.len();
            conds.push(format!(
                "(u.name = ${n} OR i.lead_unit_id IN (SELECT id FROM units WHERE name = ${n}) OR \
                 p.assigned_unit_id IN (SELECT unit_id FROM unit_aliases WHERE alias = ${n}))"
            ));
        }
        if let Some(c) = &f.code {
            args.push(c.trim().to_string());
            conds.push(format!("i.code = ${}", args.len()));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let sql = format!("{SELECT}{where_sql} ORDER BY p.id DESC");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in args {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Every move of a problem, oldest first.
    pub async fn problem_events(&self, id: i64) -> Result<Vec<ProblemEvent>> {
        let rows = sqlx::query("SELECT at, actor, role, action, from_state, to_state, note FROM problem_events WHERE problem_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let state = |s: String| {
            ProblemState::parse(&s).map_err(|e| StoreError::corrupt("problem_events", e))
        };
        rows.iter()
            .map(|r| {
                Ok(ProblemEvent {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    role: r.try_get("role")?,
                    action: r.try_get("action")?,
                    from_state: r
                        .try_get::<Option<String>, _>("from_state")?
                        .map(state)
                        .transpose()?,
                    to_state: state(r.try_get("to_state")?)?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}
