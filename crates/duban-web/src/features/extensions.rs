//! 延期申请 — a unit asks to move a milestone of an approved plan (the item page's form, or
//! the API); the office approves or refuses it (the 延期审批 page, or the API). An approved
//! extension shows as 原计划 / 调整后 wherever the milestone's date appears.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use duban_store::ExtensionRequest;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::{FormData, prepared};
use crate::page::{PageResult, Visitor, field, message, page, render};
use crate::schema::{Date, Timestamp};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/extensions", get(extensions_page))
        .route("/items/{code}/extension", post(request_page))
        .route("/extensions/{id}/{decision}", post(decide_page))
        .route("/api/extensions", get(list))
        .route("/api/items/{code}/extensions", post(request))
        .route("/api/extensions/{id}/decision", post(decide))
}

/// 延期申请
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtensionBody {
    /// 节点名称
    pub milestone: String,
    /// 申请延至 YYYY-MM-DD
    #[schema(value_type = String)]
    pub requested: NaiveDate,
    /// 延期理由
    pub reason: String,
}

/// 审批
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// true 批准, false 不批准
    pub approve: bool,
    /// 审批意见 — required to refuse.
    pub note: Option<String>,
}

/// 延期申请 as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExtensionRequest)]
pub struct ExtensionView {
    pub id: i64,
    /// 项目编号
    pub code: String,
    /// 项目名称
    pub item_name: String,
    /// 节点
    pub milestone: String,
    /// 原计划日期
    #[schema(value_type = Date)]
    pub from_date: NaiveDate,
    /// 申请延至
    #[schema(value_type = Date)]
    pub requested: NaiveDate,
    /// 延期理由
    pub reason: String,
    /// pending（待审批）| approved（已批准）| refused（未批准）
    pub state: String,
    pub requested_by: String,
    #[schema(value_type = Timestamp)]
    pub requested_at: String,
    pub decided_by: Option<String>,
    #[schema(value_type = Option<Timestamp>)]
    pub decided_at: Option<String>,
    /// 审批意见
    pub decision: Option<String>,
}

impl From<ExtensionRequest> for ExtensionView {
    fn from(e: ExtensionRequest) -> Self {
        ExtensionView {
            id: e.id,
            code: e.code,
            item_name: e.item_name,
            milestone: e.milestone,
            from_date: e.from_date.0,
            requested: e.requested.0,
            reason: e.reason,
            state: e.state.code().to_string(),
            requested_by: e.requested_by,
            requested_at: e.requested_at,
            decided_by: e.decided_by,
            decided_at: e.decided_at,
            decision: e.decision,
        }
    }
}

/// 延期申请筛选
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ExtensionQuery {
    /// 项目编号
    pub code: Option<String>,
    /// Only those waiting for the office.
    pub pending: Option<bool>,
}

/// The requests `caller` may see: all for the office, else those on items it may see.
async fn visible(
    s: &AppState,
    caller: &Caller,
    code: Option<&str>,
    pending: bool,
) -> ApiResult<Vec<ExtensionRequest>> {
    let all = s.store.extension_requests(code, pending).await?;
    if caller.account.is_admin() {
        return Ok(all);
    }
    let snap = s.status.get(&s.store, crate::today()).await?;
    Ok(all
        .into_iter()
        .filter(|e| {
            snap.status_of(&e.code)
                .is_some_and(|(i, _)| caller.account.can_see(i))
        })
        .collect())
}

#[utoipa::path(get, path = "/api/extensions", tag = "延期申请", params(ExtensionQuery),
    responses((status = 200, description = "延期申请（最新在前）", body = Vec<ExtensionView>)))]
async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ExtensionQuery>,
) -> ApiResult<Json<Vec<ExtensionView>>> {
    let rows = visible(&s, &caller, q.code.as_deref(), q.pending.unwrap_or(false)).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/items/{code}/extensions", tag = "延期申请", request_body = ExtensionBody,
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "已提出，待督查室审批", body = ExtensionView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn request(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(b): Json<ExtensionBody>,
) -> ApiResult<Json<ExtensionView>> {
    let input = duban_app::extensions::ExtensionInput {
        milestone: b.milestone,
        requested: b.requested,
        reason: b.reason,
        evidence: Vec::new(),
    };
    let r =
        duban_app::extensions::request(&s.store, &caller.account, &caller.actor(), &code, input)
            .await?;
    Ok(Json(r.into()))
}

#[utoipa::path(post, path = "/api/extensions/{id}/decision", tag = "延期申请", request_body = DecisionBody,
    params(("id" = i64, Path, description = "延期申请编号")),
    responses((status = 200, description = "已审批", body = ExtensionView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn decide(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DecisionBody>,
) -> ApiResult<Json<ExtensionView>> {
    let r = duban_app::extensions::decide(
        &s.store,
        &caller.account,
        &caller.actor(),
        id,
        b.approve,
        b.note,
    )
    .await?;
    Ok(Json(r.into()))
}

// ---- the pages ----

/// A request for a template.
pub(crate) fn row(e: &ExtensionRequest) -> Value {
    context! {
        id => e.id, code => &e.code, item_name => &e.item_name, milestone => &e.milestone,
        from_date => e.from_date.0.to_string(), requested => e.requested.0.to_string(),
        reason => &e.reason, state => e.state.label(), pending => e.state == duban_store::ExtensionState::Pending,
        requested_by => crate::page::who(&e.requested_by), decision => &e.decision,
        decided_by => e.decided_by.as_deref().map(crate::page::who),
    }
}

/// 延期审批 — the office's list of requests, those waiting first.
async fn extensions_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    let mut rows = visible(&s, &c, None, false).await?;
    rows.sort_by_key(|e| (e.state != duban_store::ExtensionState::Pending, -e.id));
    let waiting = rows
        .iter()
        .filter(|e| e.state == duban_store::ExtensionState::Pending)
        .count();
    let rows: Vec<Value> = rows.iter().take(300).map(row).collect();
    let ctx = page(&c, "延期审批", "extensions", false);
    render(&s, "extensions.html", context! { rows, waiting, ..ctx })
}

/// The item page's form: a milestone, the date asked for, why, and evidence.
async fn request_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    f: FormData,
) -> PageResult {
    let requested = f
        .text("requested")
        .ok_or_else(|| ApiError::invalid("申请延至：请选择日期"))?
        .parse::<NaiveDate>()
        .map_err(|_| ApiError::invalid("申请延至：应为日期，如 2025-10-31"))?;
    let input = duban_app::extensions::ExtensionInput {
        milestone: f
            .text("milestone")
            .ok_or_else(|| ApiError::invalid("节点：请选择要延期的节点"))?,
        requested,
        reason: f.text("reason").unwrap_or_default(),
        evidence: prepared(&s, f.files).await?,
    };
    let r = duban_app::extensions::request(&s.store, &c.account, &c.actor(), &code, input).await?;
    message(
        &s,
        vec![format!(
            "已提出延期申请：节点“{}”由 {} 延至 {}，待督查室审批",
            r.milestone, r.from_date.0, r.requested.0
        )],
    )
}

#[derive(Deserialize)]
struct DecisionForm {
    note: Option<String>,
}

/// 批准 / 不批准 from the list or the item page.
async fn decide_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path((id, decision)): Path<(i64, String)>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(ApiError::not_found("没有这个审批操作").into()),
    };
    let r =
        duban_app::extensions::decide(&s.store, &c.account, &c.actor(), id, approve, field(f.note))
            .await?;
    message(
        &s,
        vec![format!(
            "{}：{}“{}”{}",
            r.state.label(),
            r.item_name,
            r.milestone,
            if approve {
                format!("调整为 {}（原计划 {}）", r.requested.0, r.from_date.0)
            } else {
                format!("仍按原计划 {}", r.from_date.0)
            }
        )],
    )
}
