//! 考核与问责 — what the office keeps of assessment: its schemes (one per year and object, as
//! TOML), the assessments it published (snapshots, never recomputed), and the register of 约谈,
//! 问责, 绩效库 and 负面清单 entries, proposed by duban and confirmed by the office, or recorded
//! by the office directly. Every write is audited.

use duban_core::accountability::{Proposal, RecordKind, RecordState};
use duban_core::assessment::Scheme;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord};
use crate::{Grouping, Result, Store, StoreError};

/// Longest text of a register entry's field (reason, evidence, outcome).
pub const MAX_RECORD_TEXT: usize = 2_000;
/// Most entries one listing returns.
pub const MAX_RECORDS: i64 = 2_000;
/// Largest scheme the office may save (bytes of TOML).
pub const MAX_SCHEME: usize = 64 * 1024;

/// 考核方案 as saved.
#[derive(Debug, Clone, Serialize)]
pub struct SavedScheme {
    pub year: i32,
    pub grouping: Grouping,
    pub toml: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// 已发布的考核 — its heading; `result` is the snapshot as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedAssessment {
    pub id: i64,
    pub title: String,
    pub from: String,
    pub to: String,
    pub grouping: Grouping,
    pub published_by: String,
    pub published_at: String,
    #[serde(skip)]
    pub result: String,
}

/// An entry the office records (约谈 or 问责, or a 绩效库/负面清单 entry by hand).
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    pub kind: Option<RecordKind>,
    pub unit: String,
    pub leader: Option<String>,
    pub reason: String,
    /// 'assessment:3', 'tour:2', 'ranking:2026-06' or 'manual'.
    pub source: String,
    pub evidence: String,
    pub held_on: Option<chrono::NaiveDate>,
    pub held_by: Option<String>,
    pub outcome: Option<String>,
    pub document: Option<String>,
}

/// 台账条目
#[derive(Debug, Clone, Serialize)]
pub struct AccountabilityRecord {
    pub id: i64,
    pub kind: RecordKind,
    pub unit: String,
    pub leader: Option<String>,
    pub state: RecordState,
    pub reason: String,
    pub source: String,
    pub evidence: String,
    pub held_on: Option<String>,
    pub held_by: Option<String>,
    pub outcome: Option<String>,
    pub document: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub kind: Option<RecordKind>,
    pub state: Option<RecordState>,
    pub unit: Option<String>,
    pub leader: Option<String>,
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

fn grouping_code(g: Grouping) -> &'static str {
    match g {
        Grouping::Region => "region",
        Grouping::Department => "department",
    }
}

fn grouping_of(code: &str) -> Grouping {
    Grouping::parse(code).unwrap_or_default()
}

fn check_text(what: &str, text: &str, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(invalid(format!("请填写{what}")));
    }
    if text.chars().count() > MAX_RECORD_TEXT {
        return Err(invalid(format!("{what}最多 {MAX_RECORD_TEXT} 字")));
    }
    Ok(())
}

/// Writes `proposals` as entries to confirm, inside the caller's transaction.
pub(crate) async fn insert_proposals(
    tx: &mut AnyConnection,
    actor: &str,
    at: &str,
    source: &str,
    proposals: &[Proposal],
) -> Result<Vec<AuditRecord>> {
    let mut audits = Vec::with_capacity(proposals.len());
    for p in proposals {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accountability (kind, unit, leader, state, reason, source, evidence, created_by, created_at) \
             VALUES ($1, $2, $3, 'proposed', $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(p.kind.code())
        .bind(p.unit.clone())
        .bind(p.leader.clone())
        .bind(p.reason.clone())
        .bind(source.to_string())
        .bind(p.evidence.clone())
        .bind(actor.to_string())
        .bind(at.to_string())
        .fetch_one(&mut *tx)
        .await?;
        audits.push(AuditRecord::values(
            actor,
            at,
            "create",
            "accountability",
            &id.to_string(),
            None,
            Some(serde_json::json!({
                "kind": p.kind.code(), "unit": p.unit, "leader": p.leader,
                "state": "proposed", "reason": p.reason,
            })),
        ));
    }
    Ok(audits)
}

type RecordRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

const RECORD_COLUMNS: &str = "id, kind, unit, leader, state, reason, source, evidence, held_on, held_by, \
     outcome, document, created_by, created_at, decided_by, decided_at";

fn record(r: RecordRow) -> Result<AccountabilityRecord> {
    let corrupt = |d: String| StoreError::Corrupt {
        what: format!("问责台账 {}", r.0),
        detail: d,
    };
    Ok(AccountabilityRecord {
        id: r.0,
        kind: RecordKind::parse(&r.1).map_err(|e| corrupt(e.to_string()))?,
        unit: r.2,
        leader: r.3,
        state: RecordState::parse(&r.4).map_err(|e| corrupt(e.to_string()))?,
        reason: r.5,
        source: r.6,
        evidence: r.7,
        held_on: r.8,
        held_by: r.9,
        outcome: r.10,
        document: r.11,
        created_by: r.12,
        created_at: r.13,
        decided_by: r.14,
        decided_at: r.15,
    })
}

impl Store {
    /// The scheme saved for `year` and `grouping`, if the office saved one.
    pub async fn assessment_scheme(
        &self,
        year: i32,
        grouping: Grouping,
    ) -> Result<Option<SavedScheme>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT scheme, updated_by, updated_at FROM assessment_schemes WHERE year = $1 AND object = $2",
        )
        .bind(i64::from(year))
        .bind(grouping_code(grouping))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(toml, updated_by, updated_at)| SavedScheme {
            year,
            grouping,
            toml,
            updated_by,
            updated_at,
        }))
    }

    /// Saves the scheme of `year` and `grouping` (replacing the one before), once it reads
    /// and checks as a scheme.
    pub async fn set_assessment_scheme(
        &self,
        actor: &str,
        year: i32,
        grouping: Grouping,
        toml: &str,
    ) -> Result<Scheme> {
        if toml.len() > MAX_SCHEME {
            return Err(invalid(format!("考核方案最长 {} KB", MAX_SCHEME / 1024)));
        }
        if !(2000..=2100).contains(&year) {
            return Err(invalid(format!("年份 {year} 不在 2000–2100 之间")));
        }
        let scheme = Scheme::from_toml(toml).map_err(|e| invalid(e.to_string()))?;
        let before = self.assessment_scheme(year, grouping).await?;
        let mut tx = self.write_tx().await?;
        let at = audit::now();
        sqlx::query(
            "INSERT INTO assessment_schemes (year, object, scheme, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year, object) DO UPDATE \
             SET scheme = excluded.scheme, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(i64::from(year))
        .bind(grouping_code(grouping))
        .bind(toml.to_string())
        .bind(actor.to_string())
        .bind(at.clone())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                if before.is_some() { "update" } else { "create" },
                "assessment_scheme",
                &format!("{year}/{}", grouping_code(grouping)),
                before.map(|b| serde_json::json!({ "scheme": b.toml })),
                Some(serde_json::json!({ "scheme": toml })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(scheme)
    }

    /// 发布考核结果 — keeps `result` (the assessment as JSON) as published and records
    /// duban's `proposals` for the office to confirm, in one transaction. Returns its id.
    pub async fn publish_assessment(
        &self,
        actor: &str,
        heading: (&str, &str, &str, Grouping),
        result: &str,
        proposals: &[Proposal],
    ) -> Result<i64> {
        let (title, from, to, grouping) = heading;
        check_text("考核名称", title, true)?;
        let mut tx = self.write_tx().await?;
        let at = audit::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (title, from_period, to_period, object, result, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(title.trim().to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(grouping_code(grouping))
        .bind(result.to_string())
        .bind(actor.to_string())
        .bind(at.clone())
        .fetch_one(&mut *tx)
        .await?;
        let mut audits = vec![AuditRecord::values(
            actor,
            &at,
            "issue",
            "assessment",
            &id.to_string(),
            None,
            Some(serde_json::json!({ "title": title, "from": from, "to": to })),
        )];
        audits.extend(
            insert_proposals(&mut tx, actor, &at, &format!("assessment:{id}"), proposals).await?,
        );
        audit::record(&mut tx, audits).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every published assessment, latest first (without their results).
    pub async fn published_assessments(&self) -> Result<Vec<PublishedAssessment>> {
        let rows: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, title, from_period, to_period, object, published_by, published_at \
             FROM assessments ORDER BY id DESC LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, from, to, g, by, at)| PublishedAssessment {
                id,
                title,
                from,
                to,
                grouping: grouping_of(&g),
                published_by: by,
                published_at: at,
                result: String::new(),
            })
            .collect())
    }

    /// One published assessment with its snapshot.
    pub async fn published_assessment(&self, id: i64) -> Result<PublishedAssessment> {
        let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT title, from_period, to_period, object, published_by, published_at, result \
             FROM assessments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((title, from, to, g, by, at, result)) = row else {
            return Err(StoreError::NotFound {
                what: "考核结果",
                key: id.to_string(),
            });
        };
        Ok(PublishedAssessment {
            id,
            title,
            from,
            to,
            grouping: grouping_of(&g),
            published_by: by,
            published_at: at,
            result,
        })
    }

    /// Records duban's `proposals` from `source` (a published tour) for the office to confirm.
    pub async fn propose_accountability(
        &self,
        actor: &str,
        source: &str,
        proposals: &[Proposal],
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let at = audit::now();
        let audits = insert_proposals(&mut tx, actor, &at, source, proposals).await?;
        audit::record(&mut tx, audits).await?;
        tx.commit().await?;
        Ok(())
    }

    /// 登记 — an entry recorded by the office, confirmed as it is written. Returns its id.
    pub async fn record_accountability(&self, actor: &str, new: &NewRecord) -> Result<i64> {
        let kind = new
            .kind
            .ok_or_else(|| invalid("请选择类别（约谈、问责、绩效库、负面清单）"))?;
        check_text("单位", &new.unit, true)?;
        check_text("事由", &new.reason, true)?;
        check_text("依据", &new.evidence, false)?;
        for (what, v) in [
            ("约谈人/决定机关", &new.held_by),
            ("结果", &new.outcome),
            ("文号", &new.document),
            ("领导", &new.leader),
        ] {
            check_text(what, v.as_deref().unwrap_or(""), false)?;
        }
        match kind {
            RecordKind::Talk if new.held_on.is_none() || new.held_by.is_none() => {
                return Err(invalid("约谈须填写约谈日期和约谈人"));
            }
            RecordKind::Sanction if new.outcome.is_none() => {
                return Err(invalid("问责须填写问责决定"));
            }
            _ => {}
        }
        let unit_known: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
            .bind(new.unit.trim().to_string())
            .fetch_optional(&self.pool)
            .await?;
        if unit_known.is_none() {
            return Err(invalid(format!("单位“{}”不在单位名录中", new.unit.trim())));
        }
        let mut tx = self.write_tx().await?;
        let at = audit::now();
        let source = if new.source.trim().is_empty() {
            "manual".to_string()
        } else {
            new.source.trim().to_string()
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accountability (kind, unit, leader, state, reason, source, evidence, held_on, held_by, \
             outcome, document, created_by, created_at, decided_by, decided_at) \
             VALUES ($1, $2, $3, 'confirmed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12) RETURNING id",
        )
        .bind(kind.code())
        .bind(new.unit.trim().to_string())
        .bind(new.leader.clone())
        .bind(new.reason.trim().to_string())
        .bind(source)
        .bind(new.evidence.trim().to_string())
        .bind(new.held_on.map(|d| d.to_string()))
        .bind(new.held_by.clone())
        .bind(new.outcome.clone())
        .bind(new.document.clone())
        .bind(actor.to_string())
        .bind(at.clone())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "create",
                "accountability",
                &id.to_string(),
                None,
                Some(serde_json::json!({
                    "kind": kind.code(), "unit": new.unit, "leader": new.leader,
                    "reason": new.reason, "held_on": new.held_on, "held_by": new.held_by,
                    "outcome": new.outcome, "document": new.document,
                })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 确认 or 不予采纳 a proposed entry.
    pub async fn decide_accountability(
        &self,
        actor: &str,
        id: i64,
        confirm: bool,
    ) -> Result<AccountabilityRecord> {
        let mut tx = self.write_tx().await?;
        let before = load(&mut tx, id).await?;
        if before.state != RecordState::Proposed {
            return Err(invalid(format!(
                "该条目已{}，不能再次处理",
                before.state.label()
            )));
        }
        let state = if confirm {
            RecordState::Confirmed
        } else {
            RecordState::Dismissed
        };
        let at = audit::now();
        sqlx::query(
            "UPDATE accountability SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
        )
        .bind(state.code())
        .bind(actor.to_string())
        .bind(at.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                if confirm { "confirm" } else { "dismiss" },
                "accountability",
                &id.to_string(),
                Some(serde_json::json!({ "state": before.state.code() })),
                Some(serde_json::json!({ "state": state.code() })),
            )],
        )
        .await?;
        let after = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One entry of the register.
    pub async fn accountability_entry(&self, id: i64) -> Result<AccountabilityRecord> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// The register, latest first (at most [`MAX_RECORDS`]).
    pub async fn accountability(&self, f: &RecordFilter) -> Result<Vec<AccountabilityRecord>> {
        let rows: Vec<RecordRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM accountability \
             WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR state = $2) \
             AND ($3 IS NULL OR unit = $3) AND ($4 IS NULL OR leader = $4) \
             ORDER BY id DESC LIMIT $5"
        )))
        .bind(f.kind.map(|k| k.code().to_string()))
        .bind(f.state.map(|s| s.code().to_string()))
        .bind(f.unit.clone())
        .bind(f.leader.clone())
        .bind(MAX_RECORDS)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(record).collect()
    }
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<AccountabilityRecord> {
    let row: Option<RecordRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM accountability WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => record(r),
        None => Err(StoreError::NotFound {
            what: "问责台账条目",
            key: id.to_string(),
        }),
    }
}
