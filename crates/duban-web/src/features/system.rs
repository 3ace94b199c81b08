//! 系统 — whether the service and its database answer: for monitors and load balancers, no
//! sign-in needed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiResult;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/health", get(health))
}

#[utoipa::path(get, path = "/api/health", tag = "系统",
    responses((status = 200, description = "服务与数据库正常", body = Value)))]
async fn health(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let version = s.store.data_version().await?;
    Ok(Json(json!({
        "status": "ok",
        "database": format!("{:?}", s.store.backend()).to_lowercase(),
        "data_version": version,
    })))
}
