//! 管理 — the office's administration of the directory and the record: the unit directory
//! (单位管理: add, edit, disable and enable a unit, each change with its reason; `/api/units`
//! for everyone signed in) and the audit trail (审计: whether the chain holds, its head, and
//! the entries filtered by who, what, when and which item, paged, newest first, each change
//! in words and in Beijing time; `/api/audit`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use duban_app::changes::{self, ACTIONS, ENTITIES, FieldChange};
use duban_core::{Unit, UnitKind};
use duban_store::{AuditPage, AuditQuery, UnitEdit, UnitListing};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::ledger::AuditEntryView;
use crate::page::{PageResult, Visitor, encode, field, message, page, render, ser};
use crate::schema::UnitKindCode;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/units", get(units_page).post(add_unit))
        .route("/admin/units/{name}", get(unit_page).post(edit_unit_page))
        .route("/admin/units/{name}/disable", post(disable_unit_page))
        .route("/admin/units/{name}/enable", post(enable_unit_page))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/chain", get(audit_chain_panel))
        .route("/api/units", get(units))
        .route("/api/units/{name}", put(edit_unit))
        .route("/api/units/{name}/disable", post(disable_unit))
        .route("/api/units/{name}/enable", post(enable_unit))
        .route("/api/audit", get(audit))
}

#[utoipa::path(get, path = "/api/units", tag = "单位",
    responses((status = 200, description = "单位目录（含已停用的单位）", body = Vec<UnitView>)))]
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
    /// 排序 — its place among the units of its kind.
    pub sort_order: i64,
    /// 已停用 — kept in what it is part of, not offered for new accounts and tasks.
    pub disabled: bool,
    /// 牵头事项数
    pub lead_items: i64,
}

impl From<UnitListing> for UnitView {
    fn from(u: UnitListing) -> Self {
        let UnitListing {
            unit,
            sort_order,
            disabled,
            lead_items,
        } = u;
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
            sort_order,
            disabled,
            lead_items,
        }
    }
}

/// 修改单位 — the unit as it is to be, and why. A new name keeps the old one as a short name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditUnitRequest {
    /// 单位名称
    pub name: String,
    /// region (县区) | department (部门)
    pub kind: String,
    /// 上级单位 (empty: none)
    #[serde(default)]
    pub parent: Option<String>,
    /// 排序 (0–99999; smaller first)
    #[schema(value_type = String, example = "10")]
    pub sort_order: String,
    /// 简称/别名, separated by 、 or commas
    #[serde(default)]
    pub aliases: Option<String>,
    /// 修改原因 — recorded in the audit trail.
    pub reason: String,
}

impl EditUnitRequest {
    fn into_edit(self) -> ApiResult<(UnitEdit, String)> {
        let kind =
            UnitKind::parse(&self.kind).map_err(|e| ApiError::invalid(format!("单位类型：{e}")))?;
        let order = self.sort_order.trim();
        let sort_order = order.parse::<i64>().map_err(|_| {
            ApiError::invalid(format!(
                "排序：“{order}”不是整数（应为 0 至 {} 的整数，小的在前）",
                duban_store::MAX_SORT_ORDER
            ))
        })?;
        Ok((
            UnitEdit {
                name: self.name,
                kind,
                parent: field(self.parent),
                sort_order,
                aliases: field(self.aliases)
                    .map(|a| duban_core::text::split_list(&a))
                    .unwrap_or_default(),
            },
            self.reason,
        ))
    }
}

/// 原因 — why a unit is disabled or enabled.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitReasonRequest {
    /// 原因 — recorded in the audit trail.
    pub reason: String,
}

/// A unit of the directory by name or short name.
async fn unit_named(s: &AppState, name: &str) -> ApiResult<UnitListing> {
    let units = s.store.units().await?;
    let n = name.trim();
    units
        .into_iter()
        .find(|u| u.unit.name == n || u.unit.aliases.iter().any(|a| a == n))
        .ok_or_else(|| ApiError::not_found(format!("未找到单位：{n}")))
}

/// The office changes a unit; the unit as it now is, and whether anything changed.
async fn edit_unit_as(
    s: &AppState,
    caller: &Caller,
    name: &str,
    req: EditUnitRequest,
) -> ApiResult<(UnitListing, bool)> {
    caller.require_admin()?;
    let (edit, reason) = req.into_edit()?;
    let new_name = edit.name.trim().to_string();
    let changed = s
        .store
        .update_unit(&caller.actor(), name, edit, &reason)
        .await?;
    let now = if changed { new_name } else { name.to_string() };
    Ok((unit_named(s, &now).await?, changed))
}

/// The office disables or enables a unit: the unit, and how many accounts in use belong to it.
async fn set_unit_disabled_as(
    s: &AppState,
    caller: &Caller,
    name: &str,
    disabled: bool,
    reason: &str,
) -> ApiResult<(UnitListing, i64)> {
    caller.require_admin()?;
    let accounts = s
        .store
        .set_unit_disabled(&caller.actor(), name, disabled, reason)
        .await?;
    Ok((unit_named(s, name).await?, accounts))
}

#[utoipa::path(put, path = "/api/units/{name}", tag = "单位", request_body = EditUnitRequest,
    params(("name" = String, Path, description = "单位名称或简称")),
    responses((status = 200, description = "已修改（未变则原样返回）", body = UnitView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn edit_unit(
    State(s): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Json(req): Json<EditUnitRequest>,
) -> ApiResult<Json<UnitView>> {
    let (unit, _) = edit_unit_as(&s, &caller, &name, req).await?;
    Ok(Json(unit.into()))
}

#[utoipa::path(post, path = "/api/units/{name}/disable", tag = "单位", request_body = UnitReasonRequest,
    params(("name" = String, Path, description = "单位名称或简称")),
    responses((status = 200, description = "已停用：保留在历史事项与数据中，不再供新建账号和事项选用", body = UnitView),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn disable_unit(
    State(s): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Json(req): Json<UnitReasonRequest>,
) -> ApiResult<Json<UnitView>> {
    let (unit, _) = set_unit_disabled_as(&s, &caller, &name, true, &req.reason).await?;
    Ok(Json(unit.into()))
}

#[utoipa::path(post, path = "/api/units/{name}/enable", tag = "单位", request_body = UnitReasonRequest,
    params(("name" = String, Path, description = "单位名称或简称")),
    responses((status = 200, description = "已启用", body = UnitView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn enable_unit(
    State(s): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Json(req): Json<UnitReasonRequest>,
) -> ApiResult<Json<UnitView>> {
    let (unit, _) = set_unit_disabled_as(&s, &caller, &name, false, &req.reason).await?;
    Ok(Json(unit.into()))
}

// ---- the audit trail ----

/// 审计查询 — every filter may be left empty.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// 操作人 — the account's name ("admin") or the actor as recorded ("web:admin").
    pub actor: Option<String>,
    /// 对象 — item, report, problem, unit, leader, user, calendar, period, setting, bulletin,
    /// indicator_value.
    pub entity: Option<String>,
    /// 操作 — create, update, disable, enable, submit, correct, move, login, …
    pub action: Option<String>,
    /// 起始日期 YYYY-MM-DD (Beijing time), inclusive.
    pub from: Option<String>,
    /// 截止日期 YYYY-MM-DD (Beijing time), inclusive.
    pub to: Option<String>,
    /// 项目编号 — the item's entries and its reports'.
    pub item: Option<String>,
    /// 页码, from 1.
    pub page: Option<String>,
    /// 每页条数 (1–200, 50 unless told).
    pub per_page: Option<String>,
}

/// A date of the filter, or a refusal naming the field.
fn date_param(v: Option<&str>, what: &str) -> ApiResult<Option<NaiveDate>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::invalid(format!(
                    "{what}：“{d}”不是日期（应为 年-月-日，如 2025-11-03）"
                ))
            }),
    }
}

fn number_param(
    v: Option<&str>,
    what: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
) -> ApiResult<i64> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "{what}：“{n}”无效（应为 {} 至 {} 的整数）",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

impl AuditParams {
    fn query(&self) -> ApiResult<AuditQuery> {
        let text = |v: &Option<String>| field(v.clone());
        let from = date_param(self.from.as_deref(), "起始日期")?;
        let to = date_param(self.to.as_deref(), "截止日期")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ApiError::invalid(format!(
                "截止日期：{t} 早于起始日期 {f}（截止日期应不早于起始日期）"
            )));
        }
        let entity = text(&self.entity);
        if let Some(e) = &entity
            && !ENTITIES.iter().any(|(c, _)| c == e)
        {
            return Err(ApiError::invalid(format!(
                "对象：无法识别“{e}”（可选：{}）",
                ENTITIES
                    .iter()
                    .map(|(c, l)| format!("{c} {l}"))
                    .collect::<Vec<_>>()
                    .join("、")
            )));
        }
        let action = text(&self.action);
        if let Some(a) = &action
            && !ACTIONS.iter().any(|(c, _)| c == a)
        {
            return Err(ApiError::invalid(format!(
                "操作：无法识别“{a}”（可选：{}）",
                ACTIONS
                    .iter()
                    .map(|(c, l)| format!("{c} {l}"))
                    .collect::<Vec<_>>()
                    .join("、")
            )));
        }
        Ok(AuditQuery {
            actor: text(&self.actor),
            entity,
            action,
            since: from.map(duban_app::clock::beijing_day_start),
            until: to
                .and_then(|t| t.succ_opt())
                .map(duban_app::clock::beijing_day_start),
            item: text(&self.item),
            page: number_param(self.page.as_deref(), "页码", 1..=1_000_000, 1)?,
            per_page: number_param(self.per_page.as_deref(), "每页条数", 1..=200, 50)?,
        })
    }
}

/// 字段变化 — "字段：旧值 → 新值", in Chinese.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeView {
    /// 字段 — its Chinese label.
    pub field: String,
    /// 旧值 (absent on a new record)
    pub before: Option<String>,
    /// 新值
    pub after: String,
}

impl From<FieldChange> for FieldChangeView {
    fn from(c: FieldChange) -> Self {
        let FieldChange {
            field,
            before,
            after,
        } = c;
        FieldChangeView {
            field,
            before,
            after,
        }
    }
}

/// 审计记录 — an entry as stored (time in UTC), and what changed in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordView {
    #[serde(flatten)]
    pub entry: AuditEntryView,
    /// 时间（北京时间）— "2025-11-03 09:30".
    pub at_beijing: String,
    /// 字段变化
    pub changes: Vec<FieldChangeView>,
}

/// 审计记录分页 — newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLogView {
    pub entries: Vec<AuditRecordView>,
    /// 共 — entries matching in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl From<AuditPage> for AuditLogView {
    fn from(p: AuditPage) -> Self {
        let AuditPage {
            entries,
            total,
            page,
            per_page,
        } = p;
        AuditLogView {
            entries: entries
                .into_iter()
                .map(|e| {
                    let r = changes::readable(&e);
                    AuditRecordView {
                        at_beijing: r.at,
                        changes: r.changes.into_iter().map(Into::into).collect(),
                        entry: e.into(),
                    }
                })
                .collect(),
            total,
            page,
            per_page,
        }
    }
}

#[utoipa::path(get, path = "/api/audit", tag = "审计", params(AuditParams),
    responses((status = 200, description = "审计记录（新的在前）", body = AuditLogView), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn audit(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditParams>,
) -> ApiResult<Json<AuditLogView>> {
    caller.require_admin()?;
    Ok(Json(s.store.audit_log(&q.query()?).await?.into()))
}

// ---- the pages ----

async fn units_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let all = s.store.units().await?;
    let parents: Vec<String> = all
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| u.unit.name.clone())
        .collect();
    let units: Vec<Value> = all
        .into_iter()
        .map(|u| {
            let link = format!("/admin/units/{}", encode(&u.unit.name));
            context! { link, name => u.unit.name, kind => u.unit.kind.label(), parent => u.unit.parent,
            aliases => u.unit.aliases, lead_items => u.lead_items, sort_order => u.sort_order,
            disabled => u.disabled }
        })
        .collect();
    let ctx = page(&c, "单位管理", "units", false);
    render(&s, "units.html", context! { units, parents, ..ctx })
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

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
    accounts: Option<i64>,
}

/// 单位 — one unit: edit it, disable or enable it; its record.
async fn unit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    c.require_admin()?;
    let u = unit_named(&s, &name).await?;
    let all = s.store.units().await?;
    // Parents offered: units in use other than this one (and its present parent).
    let parents: Vec<String> = all
        .iter()
        .filter(|p| p.unit.name != u.unit.name)
        .filter(|p| !p.disabled || u.unit.parent.as_deref() == Some(p.unit.name.as_str()))
        .map(|p| p.unit.name.clone())
        .collect();
    let mut done: Vec<String> = match q.done.as_deref() {
        Some("saved") => vec!["已保存修改，已记入审计记录".into()],
        Some("unchanged") => vec!["没有需要保存的修改".into()],
        Some("disabled") => {
            vec!["已停用该单位：历史事项和数据中仍保留，不再供新建账号和议定事项选用".into()]
        }
        Some("enabled") => vec!["已启用该单位".into()],
        _ => Vec::new(),
    };
    if let Some(n) = q
        .accounts
        .filter(|n| *n > 0 && q.done.as_deref() == Some("disabled"))
    {
        done.push(format!(
            "该单位仍有 {n} 个在用账号，可在用户管理中改派单位或停用"
        ));
    }
    let history: Vec<Value> = s
        .store
        .audit_trail("unit", &u.unit.name)
        .await?
        .into_iter()
        .rev()
        .take(20)
        .map(|e| ser(changes::readable(&e)))
        .collect();
    let link = format!("/admin/units/{}", encode(&u.unit.name));
    let entries = crate::features::accountability::of(
        &s,
        &c,
        duban_store::RecordFilter {
            unit: Some(u.unit.name.clone()),
            ..Default::default()
        },
    )
    .await?;
    let ctx = page(&c, &u.unit.name, "units", false);
    render(
        &s,
        "unit.html",
        context! {
            u => context! { link, name => &u.unit.name, kind => u.unit.kind.code(), kind_label => u.unit.kind.label(),
                parent => &u.unit.parent, aliases => u.unit.aliases.join("、"), sort_order => u.sort_order,
                disabled => u.disabled, lead_items => u.lead_items },
            parents, done, history, entries,
            max_sort => duban_store::MAX_SORT_ORDER,
            ..ctx
        },
    )
}

/// Sends the browser to the unit's page (by its name now), saying what was done.
fn back_to_unit(name: &str, done: &str) -> Response {
    let to = format!("/admin/units/{}?done={done}", encode(name));
    match HeaderValue::from_str(&to) {
        Ok(v) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut().insert("hx-redirect", v);
            r
        }
        Err(_) => Redirect::to("/admin/units").into_response(),
    }
}

async fn edit_unit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(name): Path<String>,
    Form(f): Form<EditUnitRequest>,
) -> PageResult<Response> {
    let (unit, changed) = edit_unit_as(&s, &c, &name, f).await?;
    Ok(back_to_unit(
        &unit.unit.name,
        if changed { "saved" } else { "unchanged" },
    ))
}

async fn disable_unit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(name): Path<String>,
    Form(f): Form<UnitReasonRequest>,
) -> PageResult<Response> {
    let (unit, accounts) = set_unit_disabled_as(&s, &c, &name, true, &f.reason).await?;
    Ok(back_to_unit(
        &unit.unit.name,
        &format!("disabled&accounts={accounts}"),
    ))
}

async fn enable_unit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(name): Path<String>,
    Form(f): Form<UnitReasonRequest>,
) -> PageResult<Response> {
    let (unit, _) = set_unit_disabled_as(&s, &c, &name, false, &f.reason).await?;
    Ok(back_to_unit(&unit.unit.name, "enabled"))
}

/// How long the audit page waits for the chain's check before it shows the chain as being
/// checked (the check goes on, and the page asks for its state).
const CHAIN_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// The audit chain checked once per data version (however many ask at once). It streams the
/// rows and holds little, so it does not take the process's one turn for costly work: the
/// office checking the chain never holds up everyone's ledger.
async fn chain_checked(s: AppState) -> Result<std::sync::Arc<duban_store::ChainReport>, ApiError> {
    s.views
        .light(&s.store, "audit-chain".into(), || async {
            Ok::<_, ApiError>(s.store.verify_audit().await?)
        })
        .await
}

/// What the chain's panel shows of a check.
fn chain_context(chain: &duban_store::ChainReport) -> Value {
    context! {
        intact => chain.intact(),
        checked => chain.checked,
        rows => chain.rows,
        head => &chain.head,
        problem => chain.first_break.as_ref().map(|b| b.to_string()),
    }
}

/// The chain's panel alone, once checked: what the audit page asks for when it was shown
/// before the check ended.
async fn audit_chain_panel(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let chain = chain_checked(s.clone()).await?;
    render(
        &s,
        "audit_chain.html",
        context! { chain => chain_context(&chain) },
    )
}

/// 审计 — the office sees whether the audit chain holds, and the entries it asks for: by
/// who, what, when and which item, newest first, each change in words, in Beijing time.
async fn audit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<AuditParams>,
) -> PageResult {
    c.require_admin()?;
    let query = q.query()?;
    // The entries first: a count of them begun beside the check's read of the whole trail
    // would be paced by it (PostgreSQL lets two scans of one table share their reads).
    let found = s.store.audit_log(&query).await?;
    // A long chain (a million rows take seconds) is shown as it is being checked, and its
    // state follows when the check ends; the entries do not wait for it.
    let checking = tokio::spawn(chain_checked(s.clone()));
    let chain = match tokio::time::timeout(CHAIN_WAIT, checking).await {
        Ok(done) => Some(done.map_err(ApiError::internal)??),
        Err(_) => None,
    };
    let pages = ((found.total + found.per_page - 1) / found.per_page).max(1);
    let entries: Vec<Value> = found
        .entries
        .iter()
        .map(|e| ser(changes::readable(e)))
        .collect();
    // The filters as they were given, to keep them when paging.
    let keep: Vec<String> = [
        ("actor", &q.actor),
        ("entity", &q.entity),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
        ("item", &q.item),
        ("per_page", &q.per_page),
    ]
    .into_iter()
    .filter_map(|(k, v)| field(v.clone()).map(|v| format!("{k}={}", encode(&v))))
    .collect();
    let base = format!("/admin/audit?{}", keep.join("&"));
    let at_page = |n: i64| format!("{base}{}page={n}", if keep.is_empty() { "" } else { "&" });
    let accounts: Vec<String> = s
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| u.account.username)
        .collect();
    let ctx = page(&c, "审计", "audit", false);
    render(
        &s,
        "audit.html",
        context! {
            chain => chain.as_deref().map(chain_context),
            entries,
            total => found.total,
            page_no => found.page,
            pages,
            previous => (found.page > 1).then(|| at_page(found.page - 1)),
            next => (found.page < pages).then(|| at_page(found.page + 1)),
            q => context! { actor => &q.actor, entity => &q.entity, action => &q.action, from => &q.from,
                to => &q.to, item => &q.item },
            entities => ser(ENTITIES),
            actions => ser(ACTIONS),
            accounts,
            ..ctx
        },
    )
}
