//! 进度填报 — units report their items' progress for each period: the 进度填报 page (one
//! form per item, or the unit's sheet downloaded, filled in and uploaded) and the API (a
//! report and its corrections, each a new revision); whether units reported on time
//! (`/api/compliance`); the calendar of periods — how often each kind reports, when it is due,
//! which periods are closed.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use duban_core::{AccountRole, ItemKind, Period, ReportDraft, Stage, Wan};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::ledger::visible_item;
use crate::page::{
    PageResult, Visitor, about_upload, field, message, page, render, ser, upload, wan, xlsx,
};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(report_page))
        .route("/report/template.xlsx", get(report_template))
        .route("/report/upload", post(report_upload))
        .route("/report/{code}", post(report_submit))
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
    responses((status = 200, description = "全部报告及更正版本", body = Value), (status = 404, body = ApiError)))]
async fn reports(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    visible_item(&s, &caller, &code).await?;
    Ok(Json(json!(s.store.report_history(&code).await?)))
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
    responses((status = 200, description = "已报送（或更正）", body = Value), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn submit_report(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<ReportRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json!(submit_as(&s, &caller, &code, req).await?)))
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
    responses((status = 200, description = "各单位按时、迟报、漏报及报送及时率（填报员只看本单位）", body = Value),
              (status = 422, body = ApiError)))]
async fn compliance(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ComplianceQuery>,
) -> ApiResult<Json<serde_json::Value>> {
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
    Ok(Json(json!(rows)))
}

#[utoipa::path(get, path = "/api/calendar", tag = "进度填报",
    responses((status = 200, description = "各类事项的填报周期和截止日，及已关闭的填报期", body = Value)))]
async fn calendar(
    State(s): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    let cal = s.store.calendar().await?;
    let kinds: Vec<serde_json::Value> = ItemKind::ALL
        .iter()
        .map(|k| {
            let sch = cal.schedule(*k);
            json!({ "kind": k, "cadence": sch.cadence, "due_day": sch.due_day, "describe": sch.describe() })
        })
        .collect();
    Ok(Json(
        json!({ "kinds": kinds, "closed_periods": s.store.closed_periods().await? }),
    ))
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
    responses((status = 200, description = "已设置（管理员）", body = Value), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn set_calendar(
    State(s): State<AppState>,
    caller: Caller,
    Json(req): Json<CalendarRequest>,
) -> ApiResult<Json<serde_json::Value>> {
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
    Ok(Json(
        json!({ "kind": kind, "cadence": cadence, "due_day": due_day, "describe": schedule.describe() }),
    ))
}

#[utoipa::path(post, path = "/api/periods/{period}/{action}", tag = "进度填报",
    params(("period" = String, Path, description = "填报期，如 2025-06"), ("action" = String, Path, description = "close|open")),
    responses((status = 200, description = "已关闭或重新开放（管理员）", body = Value), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn close_period(
    State(s): State<AppState>,
    caller: Caller,
    Path((period, action)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_admin()?;
    let p = Period::parse(&period).map_err(|e| ApiError::invalid(format!("period：{e}")))?;
    let close = match action.as_str() {
        "close" => true,
        "open" => false,
        other => return Err(ApiError::invalid(format!("“{other}”应为 close 或 open"))),
    };
    s.store.set_period_closed(&caller.actor(), p, close).await?;
    Ok(Json(json!({ "period": p, "closed": close })))
}

// ---- the pages ----

#[derive(Deserialize, Default)]
struct ReportQuery {
    period: Option<String>,
    unit: Option<String>,
}

/// The period units report now: the last one while its due date has not passed, else the
/// current one.
fn open_period(cadence: duban_core::Cadence, due_day: u32) -> Period {
    let now = Period::of(today(), cadence);
    let previous = now.previous();
    if today() <= previous.due(due_day) {
        previous
    } else {
        now
    }
}

async fn report_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有督查室和责任单位填报员可以填报进度").into());
    }
    let calendar = s.store.calendar().await?;
    let schedule = calendar.schedule(ItemKind::Project);
    let period = match q.period.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| ApiError::invalid(format!("填报期：{e}")))?,
        None => open_period(schedule.cadence, schedule.due_day),
    };
    let unit = if c.account.is_admin() {
        q.unit.clone().filter(|u| !u.trim().is_empty())
    } else {
        c.account.unit.clone()
    };
    let snap = s.status.get(&s.store, today()).await?;
    let inputs = s
        .store
        .status_inputs(period.year(), unit.as_deref())
        .await?;
    let reportable: Vec<&duban_store::StatusInput> = inputs
        .iter()
        .filter(|i| calendar.schedule(i.item.kind).cadence == period.cadence())
        .filter(|i| {
            snap.status_of(&i.item.code)
                .is_some_and(|(full, _)| c.account.can_report(full))
                && i.item.stage != Some(Stage::Reserve)
        })
        .collect();
    let rows: Vec<Value> = reportable
        .iter()
        .take(100)
        .map(|i| {
            let previous = i
                .trail
                .ytd
                .iter()
                .rev()
                .find(|(d, _)| *d < period.first_day())
                .map(|(_, w)| *w);
            let reported = i
                .trail
                .ytd
                .iter()
                .find(|(d, _)| *d == period.last_day())
                .map(|(_, w)| *w);
            context! {
                code => &i.item.code, name => &i.item.name, plan => wan(i.item.annual_plan),
                previous => wan(previous), reported => reported.map(|w| w.to_string()),
                colour => snap.status_of(&i.item.code).map(|(_, st)| ser(st.colour)),
            }
        })
        .collect();
    let ctx = page(&c, "进度填报", "report", false);
    render(
        &s,
        "report.html",
        context! { rows, total => reportable.len(), period => period.to_string(),
        period_label => period.label(), due => schedule.due(period).to_string(), unit, ..ctx },
    )
}

#[derive(Deserialize)]
struct ReportForm {
    period: String,
    ytd: Option<String>,
    this_period: Option<String>,
    progress_text: Option<String>,
    progress_percent: Option<String>,
    narrative: Option<String>,
    problems: Option<String>,
    reason: Option<String>,
}

impl ReportForm {
    /// The draft, or every field that is not a number, by name.
    fn draft(self) -> Result<(String, ReportDraft, Option<String>), Vec<String>> {
        let mut errors = Vec::new();
        let mut money = |label: &str, v: Option<String>| {
            field(v).and_then(|t| match Wan::parse(&t, duban_core::MoneyUnit::Wan) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(format!("{label}：{e}"));
                    None
                }
            })
        };
        let ytd = money("累计完成投资", self.ytd);
        let this_period = money("本期完成投资", self.this_period);
        let progress_percent =
            field(self.progress_percent).and_then(|t| match t.trim_end_matches('%').parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(format!("形象进度（%）：“{t}”不是数字"));
                    None
                }
            });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            self.period,
            ReportDraft {
                ytd,
                this_period,
                progress_text: field(self.progress_text),
                progress_percent,
                milestones: Vec::new(),
                narrative: field(self.narrative),
                problems: field(self.problems),
            },
            field(self.reason),
        ))
    }
}

async fn report_submit(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<ReportForm>,
) -> PageResult {
    let (period, report, reason) = f
        .draft()
        .map_err(|errors| ApiError::invalid(errors.join("\n")))?;
    let request = ReportRequest {
        period,
        report,
        reason,
    };
    let r = submit_as(&s, &c, &code, request).await?;
    message(
        &s,
        vec![format!(
            "已{}（第 {} 版）：累计完成 {} 万元，本期 {} 万元",
            if r.revision == 1 { "报送" } else { "更正" },
            r.revision,
            wan(r.report.ytd),
            wan(r.report.this_period)
        )],
    )
}

async fn report_template(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    let unit = if c.account.is_admin() {
        q.unit.clone()
    } else {
        c.account.unit.clone()
    }
    .ok_or_else(|| ApiError::invalid("请指定单位"))?;
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有督查室和责任单位填报员可以下载填报表").into());
    }
    let period = Period::parse(q.period.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid(format!("填报期：{e}")))?;
    let (rows, due) = duban_app::ledger_io::report_sheet(&s.store, &unit, period, false)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "“{unit}”在 {} 年没有{}填报的牵头项目",
                period.year(),
                period.cadence().label()
            ))
        })?;
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("填报表.xlsx");
    duban_office::write_report_template(&path, &unit, period, due, &rows)
        .map_err(ApiError::internal)?;
    let bytes = std::fs::read(&path).map_err(ApiError::internal)?;
    Ok(xlsx(
        bytes,
        &format!("{unit}{}进度填报表.xlsx", period.label()),
    ))
}

async fn report_upload(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    // The role first: a file is read only for someone who may report.
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有责任单位填报员和督查室管理员可以报送进度").into());
    }
    let (_dir, path, fields) = upload(form).await?;
    let period = fields
        .iter()
        .find(|(k, _)| k == "period")
        .and_then(|(_, v)| Period::parse(v).ok());
    let sheet = path.clone();
    let read = tokio::task::spawn_blocking(move || duban_office::read_report_sheet(&sheet, period))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::invalid(about_upload(e, &path)))?;
    if read.rows.is_empty() {
        return Err(ApiError::invalid(
            "表中没有填报任何进度（累计完成投资、形象进度、节点等都是空的），未报送",
        )
        .into());
    }
    if !read.errors.is_empty() {
        return Err(ApiError::invalid(format!(
            "以下 {} 处无法读取，未写入任何数据：\n{}",
            read.errors.len(),
            read.errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ))
        .into());
    }
    // Every row must be an item this account may report.
    for (row, code, _) in &read.rows {
        let record = visible_item(&s, &c, code).await.map_err(|_| {
            ApiError::not_found(format!(
                "第 {row} 行：没有编号为“{code}”的项目，未写入任何数据"
            ))
        })?;
        if !c.account.can_report(&record.item) {
            return Err(ApiError::forbidden(format!(
                "第 {row} 行：“{code}”不是本单位牵头的项目，未写入任何数据"
            ))
            .into());
        }
    }
    let period = read.period;
    let batch = duban_app::ledger_io::report_batch(read, today());
    let done = s.store.submit_reports(&c.actor(), batch, false).await?;
    message(
        &s,
        vec![format!("已报送：{} 进度 {} 条", period, done.len())],
    )
}
