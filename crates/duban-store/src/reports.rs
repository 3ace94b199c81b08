//! 进度填报 — storing progress reports with their revisions, and reading what the status
//! engine needs.

use std::collections::HashMap;

use chrono::NaiveDate;
use duban_core::{ItemKind, Period, ReportContext, ReportDraft, Wan, check_report};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord};
use crate::sql::{Val, insert_many};
use crate::{Result, Store, StoreError};

/// A report as stored: which item and period, which revision, and who submitted it when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReport {
    /// 项目编号
    pub code: String,
    /// 填报期
    pub period: Period,
    /// 版本 — 1 as first submitted; each correction adds one.
    pub revision: i64,
    #[serde(flatten)]
    pub report: ReportDraft,
    /// 更正原因
    pub reason: Option<String>,
    /// 报送日期 — in the city's time zone; decides 迟报.
    pub submitted_on: NaiveDate,
    pub submitted_at: String,
    pub submitted_by: String,
}

/// A report to submit.
#[derive(Debug, Clone)]
pub struct Submission {
    pub code: String,
    pub period: Period,
    pub report: ReportDraft,
    /// 更正原因 — required when the period already has a report.
    pub reason: Option<String>,
    /// The day it is submitted (the caller's "today").
    pub submitted_on: NaiveDate,
}

const REPORT_COLUMNS: &[&str] = &[
    "item_id",
    "period",
    "period_end",
    "revision",
    "ytd",
    "this_period",
    "progress_text",
    "progress_percent",
    "milestones",
    "narrative",
    "problems",
    "reason",
    "submitted_on",
    "submitted_at",
    "submitted_by",
];

fn report_row(item_id: i64, s: &Submission, revision: i64, actor: &str, at: &str) -> Vec<Val> {
    let r = &s.report;
    vec![
        item_id.into(),
        s.period.to_string().into(),
        s.period.last_day().format("%Y-%m-%d").to_string().into(),
        revision.into(),
        Val::Int(r.ytd.map(Wan::yuan)),
        Val::Int(r.this_period.map(Wan::yuan)),
        r.progress_text.clone().into(),
        Val::Text(r.progress_percent.map(|p| p.to_string())),
        serde_json::to_string(&r.milestones)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        r.narrative.clone().into(),
        r.problems.clone().into(),
        s.reason.clone().into(),
        s.submitted_on.format("%Y-%m-%d").to_string().into(),
        at.into(),
        actor.into(),
    ]
}

/// The head of an item, as a report needs it: which item, its kind (which calendar it reports
/// on) and its total investment (a year-to-date cannot exceed it).
const ITEM_HEAD: &str = "SELECT id, code, kind, total_investment FROM items";

/// A row of [`ITEM_HEAD`], as stored.
#[derive(sqlx::FromRow)]
struct ItemHeadRow {
    id: i64,
    code: String,
    kind: String,
    total_investment: Option<i64>,
}

struct ItemHead {
    id: i64,
    code: String,
    kind: ItemKind,
    total: Option<Wan>,
}

impl TryFrom<ItemHeadRow> for ItemHead {
    type Error = StoreError;

    fn try_from(r: ItemHeadRow) -> Result<ItemHead> {
        Ok(ItemHead {
            id: r.id,
            code: r.code,
            kind: ItemKind::parse(&r.kind).map_err(|e| StoreError::corrupt("items.kind", e))?,
            total: r.total_investment.map(Wan::from_yuan),
        })
    }
}

/// The latest year-to-date reported before (or the earliest after) `period` within the year of
/// its figures, whatever the cadence of the neighbours.
async fn neighbour_ytd(
    conn: &mut AnyConnection,
    item_id: i64,
    period: Period,
    before: bool,
) -> Result<Option<Wan>> {
    let year = period.year();
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let (lo, hi, order) = if before {
        (
            format!("{year:04}-01-01"),
            day(period.first_day() - chrono::Days::new(1)),
            "DESC",
        )
    } else {
        (
            day(period.last_day() + chrono::Days::new(1)),
            format!("{year:04}-12-31"),
            "ASC",
        )
    };
    let sql = format!(
        "SELECT ytd FROM reports WHERE item_id = $1 AND period_end >= $2 AND period_end <= $3 \
         AND ytd IS NOT NULL ORDER BY period_end {order}, revision DESC LIMIT 1"
    );
    let ytd: Option<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(item_id)
        .bind(lo)
        .bind(hi)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(ytd.flatten().map(Wan::from_yuan))
}

/// What a batch of reports writes: brought up to date after it (the rest of a large
/// database is left alone).
const REPORTS_WRITE: &[&str] = &[
    "reports",
    "item_progress",
    "milestones",
    "items",
    "audit_log",
];

impl Store {
    /// Submits a report, or a correction of one (a new revision; `reason` required). The
    /// rules of [`check_report`] are applied against the neighbouring periods; milestones
    /// reached get their actual dates. Everything is audited; nothing is written on error.
    pub async fn submit_report(&self, actor: &str, s: Submission) -> Result<StoredReport> {
        self.submit_report_with(actor, s, Vec::new()).await
    }

    /// [`Store::submit_report`] with evidence (形象进度照片, documents), written together.
    pub async fn submit_report_with(
        &self,
        actor: &str,
        s: Submission,
        evidence: Vec<crate::NewAttachment>,
    ) -> Result<StoredReport> {
        let mut tx = self.write_tx().await?;
        let out = submit_in(&mut tx, actor, s, Scheduled::Checked).await?;
        if !evidence.is_empty() {
            let item = crate::evidence::item_id(&mut tx, &out.code).await?;
            let report: i64 = sqlx::query_scalar(
                "SELECT id FROM reports WHERE item_id = $1 AND period = $2 AND revision = $3",
            )
            .bind(item)
            .bind(out.period.to_string())
            .bind(out.revision)
            .fetch_one(&mut *tx)
            .await?;
            crate::evidence::attach_in(
                &mut tx,
                actor,
                (item, &out.code),
                (crate::EvidenceOf::Report, report),
                evidence,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Submits many reports (a filled-in reporting sheet) all or nothing: every one is checked
    /// and every problem reported, each named by its `source` ("第 5 行"); nothing is written
    /// unless all pass. With `dry_run`, nothing is written at all.
    pub async fn submit_reports(
        &self,
        actor: &str,
        batch: Vec<(String, Submission)>,
        dry_run: bool,
    ) -> Result<Vec<StoredReport>> {
        let mut tx = self.write_tx().await?;
        let mut done = Vec::new();
        let mut problems = Vec::new();
        for (source, s) in batch {
            match submit_in(&mut tx, actor, s, Scheduled::Checked).await {
                Ok(r) => done.push(r),
                Err(StoreError::Invalid(m) | StoreError::NotFound { key: m, .. }) => {
                    problems.push(format!("{source}：{m}"))
                }
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(StoreError::Invalid(format!(
                "{} 行无法报送，未写入任何数据：\n  {}",
                problems.len(),
                problems.join("\n  ")
            )));
        }
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
            self.after_bulk_write_to(done.len(), REPORTS_WRITE).await?;
        }
        Ok(done)
    }
}

/// Whether a report's period must have the cadence its item's kind reports at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheduled {
    /// A unit's report: the period must follow the kind's calendar.
    Checked,
    /// A ledger's year-to-date column: a month-end snapshot whatever the cadence.
    MonthEndSnapshot,
}

/// Checks and writes one report inside the caller's transaction.
pub(crate) async fn submit_in(
    tx: &mut AnyConnection,
    actor: &str,
    s: Submission,
    scheduled: Scheduled,
) -> Result<StoredReport> {
    {
        let item: ItemHead = sqlx::query_as::<_, ItemHeadRow>(sqlx::AssertSqlSafe(format!(
            "{ITEM_HEAD} WHERE code = $1"
        )))
        .bind(s.code.trim())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "项目",
            key: s.code.clone(),
        })?
        .try_into()?;
        let item_id = item.id;
        if scheduled == Scheduled::Checked {
            crate::periods::calendar_in(tx)
                .await?
                .check_period(item.kind, s.period)?;
        }
        let total = item.total;
        let revision: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(revision), 0) FROM reports WHERE item_id = $1 AND period = $2",
        )
        .bind(item_id)
        .bind(s.period.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if crate::periods::is_closed(tx, s.period).await? {
            return Err(StoreError::Invalid(format!(
                "填报期 {} 已关闭，不能再报送或更正；需要时请督查室重新开放（report period open）",
                s.period
            )));
        }
        if revision > 0 && s.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Invalid(format!(
                "{} 的 {} 进度已报送（第 {revision} 版）；报送后不能修改，更正须说明原因",
                s.code, s.period
            )));
        }
        let previous_ytd = neighbour_ytd(tx, item_id, s.period, true).await?;
        let ctx = ReportContext {
            period: s.period,
            previous_ytd,
            total_investment: total,
        };
        let report = check_report(&s.report, &ctx).map_err(|problems| {
            StoreError::Invalid(
                problems
                    .iter()
                    .map(|p| format!("{}：{}", p.field, p.message))
                    .collect::<Vec<_>>()
                    .join("；"),
            )
        })?;
        if let (Some(ytd), Some(next)) = (
            report.ytd,
            neighbour_ytd(tx, item_id, s.period, false).await?,
        ) && ytd > next
        {
            return Err(StoreError::Invalid(format!(
                "累计完成投资：{ytd} 万元大于以后月份已报的累计 {next} 万元；累计数只能增加"
            )));
        }
        // Milestones reached.
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM milestones WHERE item_id = $1")
                .bind(item_id)
                .fetch_all(&mut *tx)
                .await?;
        for m in &report.milestones {
            if !names.contains(&m.name) {
                return Err(StoreError::Invalid(format!(
                    "节点名称：项目 {} 没有名为“{}”的节点（现有：{}）",
                    s.code,
                    m.name,
                    names.join("、")
                )));
            }
            sqlx::query("UPDATE milestones SET actual = $1 WHERE item_id = $2 AND name = $3")
                .bind(m.date.format("%Y-%m-%d").to_string())
                .bind(item_id)
                .bind(&m.name)
                .execute(&mut *tx)
                .await?;
        }
        let at = audit::now();
        let stored = Submission { report, ..s };
        insert_many(
            tx,
            "reports",
            REPORT_COLUMNS,
            [report_row(item_id, &stored, revision + 1, actor, &at)],
        )
        .await?;
        let out = StoredReport {
            code: stored.code.clone(),
            period: stored.period,
            revision: revision + 1,
            report: stored.report,
            reason: stored.reason,
            submitted_on: stored.submitted_on,
            submitted_at: at.clone(),
            submitted_by: actor.to_string(),
        };
        let key = format!("{}/{}", out.code, out.period);
        let action = if revision == 0 { "submit" } else { "correct" };
        let after = serde_json::to_value(&out).ok();
        audit::record(
            tx,
            vec![AuditRecord::values(
                actor, &at, action, "report", &key, None, after,
            )],
        )
        .await?;
        crate::progress::refresh(tx, out.period.year(), Some(item_id)).await?;
        Ok(out)
    }
}

impl Store {
    /// The codes of the items reported for `period` (of those `unit` leads or lies in, when
    /// given): what the report page marks 已报 and filters on, in one read.
    pub async fn reported_codes(
        &self,
        period: Period,
        unit: Option<&str>,
    ) -> Result<std::collections::HashSet<String>> {
        let mut conn = self.pool.acquire().await?;
        let unit_id = match unit {
            Some(u) => Some(crate::items::resolve_unit(&mut conn, u).await?),
            None => None,
        };
        let sql = match unit_id {
            Some(_) => {
                "SELECT DISTINCT i.code FROM reports r JOIN items i ON i.id = r.item_id \
                 WHERE r.period = $1 AND (i.lead_unit_id = $2 OR i.region_id = $2)"
            }
            None => {
                "SELECT DISTINCT i.code FROM reports r JOIN items i ON i.id = r.item_id \
                 WHERE r.period = $1"
            }
        };
        let mut q = sqlx::query_scalar::<_, String>(sql).bind(period.to_string());
        if let Some(id) = unit_id {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&mut *conn).await?.into_iter().collect())
    }

    /// The codes of the items put on the ledger after `period` ended (纳入日期): not asked
    /// for that period's report.
    pub async fn listed_after(&self, period: Period) -> Result<std::collections::HashSet<String>> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT code FROM items WHERE listed_on > $1")
                .bind(period.last_day().format("%Y-%m-%d").to_string())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect(),
        )
    }

    /// How many report revisions there are in all.
    pub async fn count_reports(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Every revision of every report of an item, by period then revision.
    pub async fn report_history(&self, code: &str) -> Result<Vec<StoredReport>> {
        let sql = format!(
            "{STORED_REPORT} WHERE i.code = $1 ORDER BY r.period_end, r.period, r.revision"
        );
        sqlx::query_as::<_, StoredReportRow>(sqlx::AssertSqlSafe(sql))
            .bind(code.trim())
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(StoredReport::try_from)
            .collect()
    }

    /// Writes many first-revision reports at once (the demo's year of reports), checked by the
    /// same rules, in one transaction.
    pub async fn import_reports(
        &self,
        actor: &str,
        mut submissions: Vec<Submission>,
    ) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let calendar = crate::periods::calendar_in(&mut tx).await?;
        let mut ids: HashMap<String, (i64, Option<Wan>, ItemKind)> = HashMap::new();
        let mut rows = sqlx::query_as::<_, ItemHeadRow>(ITEM_HEAD).fetch(&mut *tx);
        while let Some(r) = rows.try_next().await? {
            let item = ItemHead::try_from(r)?;
            ids.insert(item.code, (item.id, item.total, item.kind));
        }
        drop(rows);
        submissions.sort_by(|a, b| (&a.code, a.period).cmp(&(&b.code, b.period)));
        let at = audit::now();
        let mut previous: Option<(String, i32, Wan)> = None;
        let mut out = Vec::with_capacity(submissions.len());
        let mut out_years = Vec::new();
        for s in submissions {
            let (id, total, kind) = *ids.get(&s.code).ok_or_else(|| StoreError::NotFound {
                what: "项目",
                key: s.code.clone(),
            })?;
            calendar.check_period(kind, s.period)?;
            let previous_ytd = previous
                .as_ref()
                .filter(|(c, y, _)| *c == s.code && *y == s.period.year())
                .map(|p| p.2);
            let ctx = ReportContext {
                period: s.period,
                previous_ytd,
                total_investment: total,
            };
            let report = check_report(&s.report, &ctx).map_err(|p| {
                StoreError::Invalid(format!("{} {}：{}", s.code, s.period, p[0].message))
            })?;
            if let Some(ytd) = report.ytd {
                previous = Some((s.code.clone(), s.period.year(), ytd));
            }
            out_years.push(s.period.year());
            out.push(report_row(id, &Submission { report, ..s }, 1, actor, &at));
        }
        let n = out.len();
        let years: std::collections::BTreeSet<i32> = out_years.into_iter().collect();
        insert_many(&mut tx, "reports", REPORT_COLUMNS, out).await?;
        for year in years {
            crate::progress::refresh(&mut tx, year, None).await?;
        }
        audit::record(
            &mut tx,
            vec![AuditRecord::new(
                actor,
                &at,
                "import",
                "report",
                "批量",
                None,
                Some(format!("{{\"reports\":{n}}}")),
            )],
        )
        .await?;
        tx.commit().await?;
        self.after_bulk_write_to(n, REPORTS_WRITE).await?;
        Ok(n)
    }
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    duban_core::date::parse_iso_day(s).ok_or_else(|| StoreError::corrupt("reports", s))
}

/// Every revision of the reports, with the item's code.
const STORED_REPORT: &str = "SELECT i.code, r.period, r.revision, r.ytd, r.this_period, \
    r.progress_text, r.progress_percent, r.milestones, r.narrative, r.problems, r.reason, \
    r.submitted_on, r.submitted_at, r.submitted_by \
    FROM reports r JOIN items i ON i.id = r.item_id";

/// A row of [`STORED_REPORT`], as stored.
#[derive(sqlx::FromRow)]
struct StoredReportRow {
    code: String,
    period: String,
    revision: i64,
    ytd: Option<i64>,
    this_period: Option<i64>,
    progress_text: Option<String>,
    progress_percent: Option<String>,
    milestones: String,
    narrative: Option<String>,
    problems: Option<String>,
    reason: Option<String>,
    submitted_on: String,
    submitted_at: String,
    submitted_by: String,
}

impl TryFrom<StoredReportRow> for StoredReport {
    type Error = StoreError;

    fn try_from(r: StoredReportRow) -> Result<StoredReport> {
        Ok(StoredReport {
            code: r.code,
            period: Period::parse(&r.period)
                .map_err(|e| StoreError::corrupt("reports.period", e))?,
            revision: r.revision,
            report: ReportDraft {
                ytd: r.ytd.map(Wan::from_yuan),
                this_period: r.this_period.map(Wan::from_yuan),
                progress_text: r.progress_text,
                progress_percent: r
                    .progress_percent
                    .map(|p| p.parse::<Decimal>())
                    .transpose()
                    .map_err(|e| StoreError::corrupt("reports.progress_percent", e))?,
                milestones: serde_json::from_str(&r.milestones)
                    .map_err(|e| StoreError::corrupt("reports.milestones", e))?,
                narrative: r.narrative,
                problems: r.problems,
            },
            reason: r.reason,
            submitted_on: parse_day(&r.submitted_on)?,
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by,
        })
    }
}

impl Store {
    /// 形象进度 and 存在问题 as last reported by `as_of` for every item of `year` that reported
    /// either, by code: the latest period's latest revision, in one query.
    pub async fn latest_report_texts(
        &self,
        year: i32,
        as_of: chrono::NaiveDate,
    ) -> Result<std::collections::HashMap<String, (Option<String>, Option<String>)>> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT code, progress_text, problems FROM (\
                SELECT i.code, r.progress_text, r.problems, ROW_NUMBER() OVER (\
                    PARTITION BY r.item_id ORDER BY r.period_end DESC, r.revision DESC) AS n \
                FROM reports r JOIN items i ON i.id = r.item_id \
                WHERE i.year = $1 AND r.period_end <= $2 \
                  AND (r.progress_text IS NOT NULL OR r.problems IS NOT NULL)) x WHERE n = 1",
        )
        .bind(i64::from(year))
        .bind(as_of.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, progress, problems)| (code, (progress, problems)))
            .collect())
    }
}
