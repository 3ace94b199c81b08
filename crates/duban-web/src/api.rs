//! The JSON API under `/api`: everything the CLI does, for scripts and for the UI's own
//! requests. Reads are narrowed to what the caller may see (an item another unit owns is 404,
//! as if it did not exist); writes are checked against the caller's role (403).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::{Item, ItemKind, Period, ReportDraft};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::select::{ItemQuery, select};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/items", get(items))
        .route("/api/items/{code}", get(item))
        .route(
            "/api/items/{code}/reports",
            get(reports).post(submit_report),
        )
        .route("/api/items/{code}/milestones", post(plan_milestones))
        .route("/api/status", get(status))
        .route("/api/compliance", get(compliance))
        .route("/api/calendar", get(calendar).post(set_calendar))
        .route("/api/periods/{period}/{action}", post(close_period))
}

fn item_json(i: &Item, st: &duban_core::Status) -> Value {
    let mut v = json!(i);
    v["colour"] = json!(st.colour);
    v["status"] = json!(st.row(i));
    v
}

#[utoipa::path(get, path = "/api/items", tag = "台账", params(ItemQuery),
    responses((status = 200, description = "分页的项目列表，带红黄绿灯", body = Value)))]
async fn items(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Json<Value>> {
    let snap = s
        .status
        .get(&s.store, q.as_of.unwrap_or_else(today))
        .await?;
    let page = select(&snap, &caller.account, &q, true)?;
    Ok(Json(json!({
        "items": page.rows.iter().map(|(i, st)| item_json(i, st)).collect::<Vec<_>>(),
        "total": page.total, "page": page.page, "per_page": page.per_page,
    })))
}

/// An item the caller may see, or 404.
pub async fn visible_item(
    s: &AppState,
    caller: &Caller,
    code: &str,
) -> ApiResult<duban_store::ItemRecord> {
    Ok(duban_app::items::visible_item(&s.store, &caller.account, code).await?)
}

#[utoipa::path(get, path = "/api/items/{code}", tag = "台账",
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "项目、节点、状态与修改记录", body = Value), (status = 404, body = ApiError)))]
async fn item(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let record = visible_item(&s, &caller, &code).await?;
    let snap = s.status.get(&s.store, today()).await?;
    let status = snap.status_of(&code).map(|(i, st)| json!(st.row(i)));
    let audit = s.store.audit_trail("item", &code).await?;
    Ok(Json(
        json!({ "item": record, "status": status, "audit": audit }),
    ))
}

#[utoipa::path(get, path = "/api/items/{code}/reports", tag = "进度填报",
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "全部报告及更正版本", body = Value), (status = 404, body = ApiError)))]
async fn reports(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
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
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(submit_as(&s, &caller, &code, req).await?)))
}

/// 倒排工期
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanRequest {
    /// 建设 (construction) | 前期 (preparation)
    pub template: String,
    /// 目标日期 YYYY-MM-DD: the chain ends here
    #[schema(value_type = String)]
    pub target: NaiveDate,
    /// 开始日期: spread the chain from here instead of the standard durations
    #[schema(value_type = Option<String>)]
    pub start: Option<NaiveDate>,
}

#[utoipa::path(post, path = "/api/items/{code}/milestones", tag = "台账", request_body = PlanRequest,
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "倒排后的节点（已完成的实际日期保留）", body = Value),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn plan_milestones(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<PlanRequest>,
) -> ApiResult<Json<Value>> {
    let plan = crate::detached(s.store.clone(), move |store| async move {
        duban_app::items::plan_milestones(
            &store,
            &caller.account,
            &caller.actor(),
            &code,
            &req.template,
            req.start,
            req.target,
        )
        .await
    })
    .await?;
    Ok(Json(json!(plan)))
}

#[utoipa::path(get, path = "/api/status", tag = "预警", params(ItemQuery),
    responses((status = 200, description = "分页的状态：t、p、滞后、颜色、标记、原因、预测（见 docs/json.md）", body = Value)))]
async fn status(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Json<Value>> {
    let snap = s
        .status
        .get(&s.store, q.as_of.unwrap_or_else(today))
        .await?;
    let page = select(&snap, &caller.account, &q, true)?;
    Ok(Json(json!({
        "items": page.rows.iter().map(|(i, st)| json!(st.row(i))).collect::<Vec<_>>(),
        "total": page.total, "page": page.page, "per_page": page.per_page, "as_of": snap.as_of,
    })))
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
) -> ApiResult<Json<Value>> {
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
async fn calendar(State(s): State<AppState>, _caller: Caller) -> ApiResult<Json<Value>> {
    let cal = s.store.calendar().await?;
    let kinds: Vec<Value> = ItemKind::ALL
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
) -> ApiResult<Json<Value>> {
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
) -> ApiResult<Json<Value>> {
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
