//! 管理 — the office's administration of the directory and the record: the unit directory
//! (单位管理 page, `/api/units` for everyone signed in) and the audit chain (审计 page: whether
//! the chain holds, its head, the newest entries).

use axum::extract::State;
use axum::routing::get;
use axum::{Form, Json, Router};
use duban_core::{Unit, UnitKind};
use duban_store::UnitListing;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, field, message, page, render};
use crate::schema::UnitKindCode;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/units", get(units_page).post(add_unit))
        .route("/admin/audit", get(audit_page))
        .route("/api/units", get(units))
}

#[utoipa::path(get, path = "/api/units", tag = "单位",
    responses((status = 200, description = "单位目录", body = Vec<UnitView>)))]
async fn units(State(s): State<AppState>, _caller: Caller) -> ApiResult<Json<Vec<UnitView>>> {
    let units = s.store.units().await?;
    Ok(Json(units.into_iter().map(Into::into).collect()))
}

/// 单位 — a region or a department of the directory, with the number of items it leads.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Unit)]
pub struct UnitView {
    /// 单位名称
    pub name: String,
    #[schema(value_type = UnitKindCode)]
    pub kind: UnitKind,
    /// 上级单位 (absent without one)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// 简称/别名
    pub aliases: Vec<String>,
    /// 牵头事项数
    pub lead_items: i64,
}

impl From<UnitListing> for UnitView {
    fn from(u: UnitListing) -> Self {
        let UnitListing { unit, lead_items } = u;
        let Unit {
            name,
            kind,
            parent,
            aliases,
        } = unit;
        UnitView {
            name,
            kind,
            parent,
            aliases,
            lead_items,
        }
    }
}

// ---- the pages ----

async fn units_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let units: Vec<Value> = s
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| {
            context! { name => u.unit.name, kind => u.unit.kind.label(), parent => u.unit.parent,
            aliases => u.unit.aliases, lead_items => u.lead_items }
        })
        .collect();
    let ctx = page(&c, "单位管理", "units", false);
    render(&s, "units.html", context! { units, ..ctx })
}

#[derive(Deserialize)]
struct UnitForm {
    name: String,
    kind: String,
    parent: Option<String>,
    aliases: Option<String>,
}

async fn add_unit(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<UnitForm>,
) -> PageResult {
    c.require_admin()?;
    let name = f.name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("单位名称：不能为空").into());
    }
    let kind = duban_core::UnitKind::parse(&f.kind)
        .map_err(|e| ApiError::invalid(format!("单位类型：{e}")))?;
    let mut unit = duban_core::Unit::new(name, kind);
    unit.parent = field(f.parent);
    unit.aliases = field(f.aliases)
        .map(|a| duban_core::text::split_list(&a))
        .unwrap_or_default();
    let added = s.store.ensure_units(&c.actor(), &[unit]).await?;
    if added.is_empty() {
        return Err(ApiError::invalid(format!("单位“{name}”已存在（名称或简称相同）")).into());
    }
    message(&s, vec![format!("已新增单位 {name}")])
}

/// 审计 — the office sees whether the audit chain holds, and the newest entries.
async fn audit_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let chain = s.store.verify_audit().await?;
    let entries: Vec<Value> = s
        .store
        .recent_audit(200)
        .await?
        .into_iter()
        .map(|e| {
            context! { at => e.at, actor => e.actor, action => e.action, entity => e.entity,
            key => e.entity_key, intact => e.intact }
        })
        .collect();
    let ctx = page(&c, "审计", "audit", false);
    render(
        &s,
        "audit.html",
        context! {
            intact => chain.intact(),
            checked => chain.checked,
            rows => chain.rows,
            head => chain.head,
            problem => chain.first_break.map(|b| b.to_string()),
            entries,
            ..ctx
        },
    )
}
