//! 项目台账 — the ledger: the list of items with their status (filtered and paged from the
//! snapshot), one item with its milestones and its record of changes, the status of every
//! item, milestones planned backwards from a target date (倒排工期), and the ledger as a file:
//! exported, and imported with a dry run first. The API here; the pages in [`pages`], the
//! import in [`import`].

mod import;
mod pages;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::Item;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::select::{ItemQuery, select};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items", get(pages::items_page))
        .route("/items/export.xlsx", get(pages::export))
        .route("/items/import", post(import::import_dry_run))
        .route("/items/import/confirm", post(import::import_confirm))
        .route("/items/{code}", get(pages::item_page))
        .route("/api/items", get(items))
        .route("/api/items/{code}", get(item))
        .route("/api/items/{code}/milestones", post(plan_milestones))
        .route("/api/status", get(status))
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
