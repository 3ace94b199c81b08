//! 进度填报 — units report their items' progress for each period: the 进度填报 page (one
//! form per item, or the unit's sheet downloaded, filled in and uploaded) and the API (a
//! report and its corrections, each a new revision); whether units reported on time
//! (`/api/compliance`); the calendar of periods — how often each kind reports, when it is due,
//! which periods are closed. The API and its answers here; the pages in [`pages`].

mod pages;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::{Cadence, ItemKind, MilestoneReached, Period, ReportDraft, Wan};
use duban_store::{Schedule, StoredReport, UnitCompliance};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::ledger::visible_item;
use crate::schema::{self, CadenceCode, Date, ItemKindCode, Money, Timestamp};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(pages::report_page))
        .route("/report/template.xlsx", get(pages::report_template))
        .route("/report/upload", post(pages::report_upload))
        .route("/report/{code}", post(pages::report_submit))
        .route(
            "/api/items/{code}/reports",
            get(reports).post(submit_report),
        )
        .route("/api/compliance", get(compliance))
        .route("/api/calendar", get(calendar).post(set_calendar))
        .route("/api/periods/{period}/{action}", post(close_period))
}

#[utoipa::path(get, path = "/api/items/{code}/reports", tag = "进度填报",
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "全部报告及更正版本", body = Vec<ReportView>), (status = 404, body = ApiError)))]
async fn reports(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<ReportView>>> {
    visible_item(&s, &caller, &code).await?;
    let history = s.store.report_history(&code).await?;
    Ok(Json(history.into_iter().map(Into::into).collect()))
}

/// 进度报告
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportRequest {
    /// 填报期: 2025-06, 2025-Q2 or 2025-W23
    pub period: String,
    /// The report: ytd, this_period (万元 as decimal strings), progress_text,
    /// progress_percent, milestones [{name, date}], narrative, problems (docs/json.md).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub report: ReportDraft,
    /// 更正原因 — required to correct a period already reported.
    pub reason: Option<String>,
}

/// Submits a report as `caller`: 404 if it may not see the item, 403 if it may not report.
pub async fn submit_as(
    s: &AppState,
    caller: &Caller,
    code: &str,
    req: ReportRequest,
) -> ApiResult<duban_store::StoredReport> {
    let input = duban_app::reporting::ReportInput {
        evidence: Vec::new(),
        period: req.period,
        report: req.report,
        reason: req.reason,
    };
    Ok(duban_app::reporting::submit(
        &s.store,
        &caller.account,
        &caller.actor(),
        code,
        input,
        today(),
    )
    .await?)
}

#[utoipa::path(post, path = "/api/items/{code}/reports", tag = "进度填报", request_body = ReportRequest,
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "已报送（或更正）", body = ReportView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn submit_report(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<ReportRequest>,
) -> ApiResult<Json<ReportView>> {
    Ok(Json(submit_as(&s, &caller, &code, req).await?.into()))
}

/// 报送情况查询
#[derive(Debug, Deserialize, IntoParams)]
pub struct ComplianceQuery {
    /// 填报期: 2025-06, 2025-Q2 or 2025-W23
    pub period: String,
    /// 统计日期 YYYY-MM-DD (default today)
    #[param(value_type = Option<String>)]
    pub as_of: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/compliance", tag = "进度填报", params(ComplianceQuery),
    responses((status = 200, description = "各单位按时、迟报、漏报及报送及时率（填报员只看本单位）", body = Vec<ComplianceView>),
              (status = 422, body = ApiError)))]
async fn compliance(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ComplianceQuery>,
) -> ApiResult<Json<Vec<ComplianceView>>> {
    let period = Period::parse(&q.period).map_err(|e| ApiError::invalid(format!("period：{e}")))?;
    let rows = s
        .store
        .compliance(period, q.as_of.unwrap_or_else(today))
        .await?;
    let rows: Vec<_> = match caller.account.visibility() {
        duban_core::Visibility::Unit(u) => rows.into_iter().filter(|r| r.unit == u).collect(),
        duban_core::Visibility::Nothing => Vec::new(),
        _ => rows,
    };
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/calendar", tag = "进度填报",
    responses((status = 200, description = "各类事项的填报周期和截止日，及已关闭的填报期", body = CalendarView)))]
async fn calendar(State(s): State<AppState>, _caller: Caller) -> ApiResult<Json<CalendarView>> {
    let cal = s.store.calendar().await?;
    Ok(Json(CalendarView {
        kinds: ItemKind::ALL
            .iter()
            .map(|k| ScheduleView::new(*k, cal.schedule(*k)))
            .collect(),
        closed_periods: s.store.closed_periods().await?,
    }))
}

/// 设置填报周期
#[derive(Debug, Deserialize, ToSchema)]
pub struct CalendarRequest {
    /// 重点项目|重点工作|民生实事|招商项目
    pub kind: String,
    /// weekly|monthly|quarterly; unchanged if absent
    pub cadence: Option<String>,
    /// weekly: days after the Sunday (1–7); else the day of the following month (1–31)
    pub due_day: Option<u32>,
}

#[utoipa::path(post, path = "/api/calendar", tag = "进度填报", request_body = CalendarRequest,
    responses((status = 200, description = "已设置（管理员）", body = ScheduleView), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn set_calendar(
    State(s): State<AppState>,
    caller: Caller,
    Json(req): Json<CalendarRequest>,
) -> ApiResult<Json<ScheduleView>> {
    caller.require_admin()?;
    let kind = ItemKind::parse(&req.kind).map_err(|e| ApiError::invalid(format!("kind：{e}")))?;
    let now = s.store.calendar().await?.schedule(kind);
    let cadence = match req.cadence.as_deref() {
        Some(c) => {
            duban_core::Cadence::parse(c).map_err(|e| ApiError::invalid(format!("cadence：{e}")))?
        }
        None => now.cadence,
    };
    let due_day = req.due_day.unwrap_or(if cadence == now.cadence {
        now.due_day
    } else {
        cadence.default_due_day()
    });
    let schedule = duban_store::Schedule { cadence, due_day };
    s.store
        .set_schedule(&caller.actor(), kind, schedule)
        .await?;
    Ok(Json(ScheduleView::new(kind, schedule)))
}

#[utoipa::path(post, path = "/api/periods/{period}/{action}", tag = "进度填报",
    params(("period" = String, Path, description = "填报期，如 2025-06"), ("action" = String, Path, description = "close|open")),
    responses((status = 200, description = "已关闭或重新开放（管理员）", body = PeriodState), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn close_period(
    State(s): State<AppState>,
    caller: Caller,
    Path((period, action)): Path<(String, String)>,
) -> ApiResult<Json<PeriodState>> {
    caller.require_admin()?;
    let p = Period::parse(&period).map_err(|e| ApiError::invalid(format!("period：{e}")))?;
    let close = match action.as_str() {
        "close" => true,
        "open" => false,
        other => return Err(ApiError::invalid(format!("“{other}”应为 close 或 open"))),
    };
    s.store.set_period_closed(&caller.actor(), p, close).await?;
    Ok(Json(PeriodState {
        period: p,
        closed: close,
    }))
}

// ---- what the API answers ----

/// 进度报告 — one revision of a report: the period, the figures (万元 as decimal strings), the
/// milestones reached, the words, and who submitted it when (报送日期 decides 迟报).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportView {
    /// 项目编号
    pub code: String,
    #[schema(value_type = schema::Period)]
    pub period: Period,
    /// 版本 — 1 as first submitted; each correction adds one.
    pub revision: i64,
    #[serde(flatten)]
    pub report: ReportDraftView,
    /// 更正原因
    pub reason: Option<String>,
    /// 报送日期 (the city's time zone)
    #[schema(value_type = Date)]
    pub submitted_on: NaiveDate,
    #[schema(value_type = Timestamp)]
    pub submitted_at: String,
    pub submitted_by: String,
}

impl From<StoredReport> for ReportView {
    fn from(r: StoredReport) -> Self {
        let StoredReport {
            code,
            period,
            revision,
            report,
            reason,
            submitted_on,
            submitted_at,
            submitted_by,
        } = r;
        ReportView {
            code,
            period,
            revision,
            report: report.into(),
            reason,
            submitted_on,
            submitted_at,
            submitted_by,
        }
    }
}

/// What a report says.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportDraft)]
pub struct ReportDraftView {
    /// 1至本期累计完成投资（万元）
    #[schema(value_type = Option<Money>)]
    pub ytd: Option<Wan>,
    /// 本期完成投资（万元）
    #[schema(value_type = Option<Money>)]
    pub this_period: Option<Wan>,
    /// 形象进度
    pub progress_text: Option<String>,
    /// 形象进度（%）
    #[schema(value_type = Option<schema::Decimal>)]
    pub progress_percent: Option<rust_decimal::Decimal>,
    /// 本期完成的节点
    pub milestones: Vec<MilestoneReachedView>,
    /// 进展情况
    pub narrative: Option<String>,
    /// 存在问题
    pub problems: Option<String>,
}

impl From<ReportDraft> for ReportDraftView {
    fn from(d: ReportDraft) -> Self {
        let ReportDraft {
            ytd,
            this_period,
            progress_text,
            progress_percent,
            milestones,
            narrative,
            problems,
        } = d;
        ReportDraftView {
            ytd,
            this_period,
            progress_text,
            progress_percent,
            milestones: milestones.into_iter().map(Into::into).collect(),
            narrative,
            problems,
        }
    }
}

/// 节点完成 — a milestone reached, with its actual date.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MilestoneReached)]
pub struct MilestoneReachedView {
    pub name: String,
    #[schema(value_type = Date)]
    pub date: NaiveDate,
}

impl From<MilestoneReached> for MilestoneReachedView {
    fn from(m: MilestoneReached) -> Self {
        let MilestoneReached { name, date } = m;
        MilestoneReachedView { name, date }
    }
}

/// 报送情况 — how one lead unit reported a period: required, on time, late, missing (and
/// which), and 报送及时率 in percent (null when nothing was required).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UnitCompliance)]
pub struct ComplianceView {
    pub unit: String,
    #[schema(value_type = schema::Period)]
    pub period: Period,
    /// 应报
    pub required: usize,
    pub on_time: usize,
    pub late: usize,
    /// 漏报
    pub missing: usize,
    pub missing_items: Vec<String>,
    pub on_time_rate: Option<f64>,
}

impl From<UnitCompliance> for ComplianceView {
    fn from(c: UnitCompliance) -> Self {
        let UnitCompliance {
            unit,
            period,
            required,
            on_time,
            late,
            missing,
            missing_items,
            on_time_rate,
        } = c;
        ComplianceView {
            unit,
            period,
            required,
            on_time,
            late,
            missing,
            missing_items,
            on_time_rate,
        }
    }
}

/// 填报周期 — how often a kind reports and when its reports are due, in words too.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Schedule)]
pub struct ScheduleView {
    #[schema(value_type = ItemKindCode)]
    pub kind: ItemKind,
    #[schema(value_type = CadenceCode)]
    pub cadence: Cadence,
    /// weekly: days after the Sunday (1–7); else the day of the following month (1–31)
    pub due_day: u32,
    /// "每月，次月5日前"
    pub describe: String,
}

impl ScheduleView {
    fn new(kind: ItemKind, s: Schedule) -> ScheduleView {
        let Schedule { cadence, due_day } = s;
        ScheduleView {
            kind,
            cadence,
            due_day,
            describe: s.describe(),
        }
    }
}

/// 填报日历 — every kind's schedule and the periods closed to reports.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Calendar)]
pub struct CalendarView {
    pub kinds: Vec<ScheduleView>,
    #[schema(value_type = Vec<schema::Period>)]
    pub closed_periods: Vec<Period>,
}

/// Whether a period is closed to reports now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodState {
    #[schema(value_type = schema::Period)]
    pub period: Period,
    pub closed: bool,
}
