//! 系统 — whether the service and its database answer: for monitors and load balancers, no
//! sign-in needed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/health", get(health))
}

/// 服务状态 — the service answers and so does its database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always "ok" (a failing database answers 500).
    pub status: String,
    /// sqlite or postgres
    pub database: String,
    /// The database's data version: it grows with every committed write.
    pub data_version: i64,
}

#[utoipa::path(get, path = "/api/health", tag = "系统",
    responses((status = 200, description = "服务与数据库正常", body = Health)))]
async fn health(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    let version = s.store.data_version().await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: format!("{:?}", s.store.backend()).to_lowercase(),
        data_version: version,
    }))
}
