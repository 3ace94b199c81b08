//! 项目台账 — the ledger: the list of items with their status (filtered and paged from the
//! snapshot), one item with its milestones and its record of changes, the status of every
//! item, milestones planned backwards from a target date (倒排工期), and the ledger as a file:
//! exported, and imported with a dry run first. The API here; the pages in [`pages`], the
//! import in [`import`].

mod edit;
mod import;
mod pages;
mod work;

use std::collections::BTreeMap;

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::status::StatusRow;
use duban_core::{
    Colour, Flag, Item, ItemKind, Level, Milestone, MonthlyPlan, Nature, PlanDate, Reason, Stage,
    Wan,
};
use duban_store::{AuditEntry, ItemRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::schema::{
    self, ColourCode, Date, FlagCode, ItemKindCode, LeaderView, LevelCode, Money, NatureCode,
    StageCode, Timestamp,
};
use crate::select::{ItemQuery, select};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(edit::routes())
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

#[utoipa::path(get, path = "/api/items", tag = "台账", params(ItemQuery),
    responses((status = 200, description = "分页的项目列表，带红黄绿灯", body = ItemPage)))]
async fn items(
    State(s): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Response> {
    let snap = s
        .status
        .get(&s.store, crate::select::as_of_for(&q, today())?)
        .await?;
    let key = answer_key("items", &caller, raw);
    let (json, _) = snap.table(key, || {
        let page = select(&snap, &caller.account, &q, true)?;
        let answer = ItemPage {
            items: page
                .rows
                .iter()
                .map(|(i, st)| ListedItem {
                    item: i.clone().into(),
                    colour: st.colour,
                    status: st.row(i).into(),
                })
                .collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        };
        Ok::<_, ApiError>((json_text(&answer)?, page.total))
    })?;
    Ok(json_answer(&json))
}

/// What a listing answer depends on besides the data: the endpoint, what the caller may see
/// and the query as sent.
fn answer_key(endpoint: &str, caller: &Caller, raw: Option<String>) -> String {
    format!(
        "api/{endpoint}|{:?}|{}",
        caller.account.visibility(),
        raw.unwrap_or_default()
    )
}

fn json_text(answer: &impl Serialize) -> ApiResult<String> {
    serde_json::to_string(answer).map_err(ApiError::internal)
}

/// A JSON answer kept as text.
fn json_answer(json: &str) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
        .into_response()
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
    responses((status = 200, description = "项目、节点、状态与修改记录", body = ItemDetail), (status = 404, body = ApiError)))]
async fn item(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<ItemDetail>> {
    let record = visible_item(&s, &caller, &code).await?;
    let snap = s.status.get(&s.store, today()).await?;
    let status = snap.status_of(&code).map(|(i, st)| st.row(i).into());
    let audit = s.store.audit_trail("item", &code).await?;
    Ok(Json(ItemDetail {
        item: record.into(),
        status,
        audit: audit.into_iter().map(Into::into).collect(),
    }))
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
    responses((status = 200, description = "倒排后的节点（已完成的实际日期保留）", body = Vec<MilestoneView>),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn plan_milestones(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<PlanRequest>,
) -> ApiResult<Json<Vec<MilestoneView>>> {
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
    Ok(Json(plan.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/status", tag = "预警", params(ItemQuery),
    responses((status = 200, description = "分页的状态：t、p、滞后、颜色、标记、原因、预测（见 docs/json.md）", body = StatusPage)))]
async fn status(
    State(s): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Response> {
    let snap = s
        .status
        .get(&s.store, crate::select::as_of_for(&q, today())?)
        .await?;
    let key = answer_key("status", &caller, raw);
    let (json, _) = snap.table(key, || {
        let page = select(&snap, &caller.account, &q, true)?;
        let answer = StatusPage {
            items: page.rows.iter().map(|(i, st)| st.row(i).into()).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            as_of: snap.as_of,
        };
        Ok::<_, ApiError>((json_text(&answer)?, page.total))
    })?;
    Ok(json_answer(&json))
}

// ---- what the API answers ----

/// 项目/事项 — one line of the ledger. Money in 万元 as decimal strings; planned times a month
/// or a day.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Item)]
pub struct ItemView {
    /// 项目编号
    pub code: String,
    /// 年度
    pub year: i32,
    #[schema(value_type = ItemKindCode)]
    pub kind: ItemKind,
    /// 项目名称
    pub name: String,
    /// 建设单位/项目业主
    pub owner: Option<String>,
    #[schema(value_type = Option<NatureCode>)]
    pub nature: Option<Nature>,
    /// 建设地点
    pub location: Option<String>,
    /// 建设规模及内容
    pub scale: Option<String>,
    /// 项目类别
    pub category: Option<String>,
    #[schema(value_type = Option<LevelCode>)]
    pub level: Option<Level>,
    #[schema(value_type = Option<StageCode>)]
    pub stage: Option<Stage>,
    /// 总投资（万元）
    #[schema(value_type = Option<Money>)]
    pub total_investment: Option<Wan>,
    /// 年度计划投资（万元）
    #[schema(value_type = Option<Money>)]
    pub annual_plan: Option<Wan>,
    /// 1–12月累计计划投资（万元）
    #[schema(value_type = Option<Vec<Money>>)]
    pub monthly_plan: Option<MonthlyPlan>,
    /// 计划开工时间
    #[schema(value_type = Option<schema::PlanDate>)]
    pub planned_start: Option<PlanDate>,
    /// 计划竣工时间
    #[schema(value_type = Option<schema::PlanDate>)]
    pub planned_end: Option<PlanDate>,
    /// 所属区域（县区）
    pub region: Option<String>,
    /// 牵头单位/责任单位
    pub lead_unit: String,
    /// 配合单位
    pub co_units: Vec<String>,
    /// 包抓领导
    pub leader: Option<LeaderView>,
    /// 是否纳入统计
    pub in_statistics: Option<bool>,
    /// 标签
    pub tags: Vec<String>,
    /// 备注
    pub notes: Option<String>,
    /// 其他列 — columns of an imported ledger kept as written.
    pub extra: BTreeMap<String, String>,
}

impl From<Item> for ItemView {
    fn from(i: Item) -> Self {
        let Item {
            code,
            year,
            kind,
            name,
            owner,
            nature,
            location,
            scale,
            category,
            level,
            stage,
            total_investment,
            annual_plan,
            monthly_plan,
            planned_start,
            planned_end,
            region,
            lead_unit,
            co_units,
            leader,
            in_statistics,
            tags,
            notes,
            extra,
        } = i;
        ItemView {
            code,
            year,
            kind,
            name,
            owner,
            nature,
            location,
            scale,
            category,
            level,
            stage,
            total_investment,
            annual_plan,
            monthly_plan,
            planned_start,
            planned_end,
            region,
            lead_unit,
            co_units,
            leader: leader.map(Into::into),
            in_statistics,
            tags,
            notes,
            extra,
        }
    }
}

/// An item of the list with its colour and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedItem {
    #[serde(flatten)]
    pub item: ItemView,
    #[schema(value_type = ColourCode)]
    pub colour: Colour,
    pub status: StatusRowView,
}

/// 分页的项目列表
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    pub items: Vec<ListedItem>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// 预警 — one item's status (docs/json.md): 序时进度 t, 完成进度 p and 滞后 lag in percent (p and
/// lag null when there is nothing to measure), the colour, the flags with their reasons, and
/// the projected year-end completion.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StatusRow)]
pub struct StatusRowView {
    pub code: String,
    pub name: String,
    /// 牵头单位
    pub unit: String,
    pub t: Option<f64>,
    pub p: Option<f64>,
    pub lag: Option<f64>,
    #[schema(value_type = ColourCode)]
    pub colour: Colour,
    #[schema(value_type = Vec<FlagCode>)]
    pub flags: Vec<Flag>,
    pub reasons: Vec<ReasonView>,
    /// 预计全年完成率
    pub projection: Option<f64>,
}

impl From<StatusRow<'_>> for StatusRowView {
    fn from(r: StatusRow<'_>) -> Self {
        let StatusRow {
            code,
            name,
            unit,
            t,
            p,
            lag,
            colour,
            flags,
            reasons,
            projection,
        } = r;
        StatusRowView {
            code: code.to_string(),
            name: name.to_string(),
            unit: unit.to_string(),
            t,
            p,
            lag,
            colour,
            flags: flags.to_vec(),
            reasons: reasons.iter().cloned().map(Into::into).collect(),
            projection,
        }
    }
}

/// 原因 — a flag, the colour it alone gives, and the sentence for people.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Reason)]
pub struct ReasonView {
    #[schema(value_type = FlagCode)]
    pub code: Flag,
    #[schema(value_type = ColourCode)]
    pub colour: Colour,
    pub text: String,
}

impl From<Reason> for ReasonView {
    fn from(r: Reason) -> Self {
        let Reason { code, colour, text } = r;
        ReasonView { code, colour, text }
    }
}

/// 分页的状态
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusPage {
    pub items: Vec<StatusRowView>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// 统计日期
    #[schema(value_type = Date)]
    pub as_of: NaiveDate,
}

/// 节点 — planned and actual dates.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Milestone)]
pub struct MilestoneView {
    /// 节点名称
    pub name: String,
    /// 计划完成时间
    #[schema(value_type = Option<Date>)]
    pub planned: Option<NaiveDate>,
    /// 实际完成时间
    #[schema(value_type = Option<Date>)]
    pub actual: Option<NaiveDate>,
    /// 原计划 — the approved date; absent while the plan awaits approval. Differs from
    /// `planned` after an approved extension (延期).
    #[schema(value_type = Option<Date>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<NaiveDate>,
}

impl From<Milestone> for MilestoneView {
    fn from(m: Milestone) -> Self {
        let Milestone {
            name,
            planned,
            actual,
            baseline,
        } = m;
        MilestoneView {
            name,
            planned,
            actual,
            baseline,
        }
    }
}

/// An item with its milestones.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ItemRecord)]
pub struct ItemRecordView {
    #[serde(flatten)]
    pub item: ItemView,
    /// 节点
    pub milestones: Vec<MilestoneView>,
    /// 已归档 — present (true) only for an archived item.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

impl From<ItemRecord> for ItemRecordView {
    fn from(r: ItemRecord) -> Self {
        let ItemRecord {
            item,
            milestones,
            archived,
        } = r;
        ItemRecordView {
            item: item.into(),
            milestones: milestones.into_iter().map(Into::into).collect(),
            archived,
        }
    }
}

/// 修改记录 — one recorded change: who, when, what; `before` and `after` hold the fields that
/// changed (JSON), or the record as text.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryView {
    /// 链校验 — the row is what duban wrote, after the row before it in the chain.
    pub intact: bool,
    #[schema(value_type = Timestamp)]
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    #[schema(value_type = Option<Value>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub after: Option<serde_json::Value>,
    /// 原因 — why, as the office stated it (null where none is asked for).
    pub reason: Option<String>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        let AuditEntry {
            intact,
            at,
            actor,
            action,
            entity,
            entity_key,
            before,
            after,
            reason,
        } = e;
        AuditEntryView {
            reason,
            intact,
            at,
            actor,
            action,
            entity,
            entity_key,
            before,
            after,
        }
    }
}

/// 项目详情 — the item with its milestones, its status today (null when it has none, e.g.
/// another year's item) and its record of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetail {
    pub item: ItemRecordView,
    pub status: Option<StatusRowView>,
    pub audit: Vec<AuditEntryView>,
}
