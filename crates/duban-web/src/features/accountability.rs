//! 问责台账 — the register of 约谈, 问责, 绩效库 and 负面清单: duban's proposals from published
//! assessments and tours confirmed or set aside by the office; 约谈 and 问责 recorded with the
//! ranking or events behind them. Pages and the JSON API side by side; who sees what is
//! `duban_app::accountability`'.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_app::accountability as register;
use duban_core::accountability::{RecordKind, RecordState};
use duban_store::{AccountabilityRecord, NewRecord, RecordFilter};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, page, render, who};
use crate::schema::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accountability", get(register_page).post(record_page))
        .route("/accountability/{id}/{decision}", post(decide_page))
        .route("/api/accountability", get(list).post(record))
        .route("/api/accountability/{id}/decision", post(decide))
}

/// 问责台账条目
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountabilityRecord)]
pub struct RecordView {
    pub id: i64,
    /// talk 约谈 | sanction 问责 | merit 绩效库 | negative 负面清单
    pub kind: String,
    pub unit: String,
    /// 相关领导
    pub leader: Option<String>,
    /// proposed 待确认 | confirmed 已确认 | dismissed 不予采纳
    pub state: String,
    /// 事由
    pub reason: String,
    /// 来源：assessment:编号、tour:编号、ranking:期间 或 manual
    pub source: String,
    /// 依据（名次、得分等）
    pub evidence: String,
    /// 约谈日期 / 问责决定日期
    pub held_on: Option<String>,
    /// 约谈人 / 决定机关
    pub held_by: Option<String>,
    /// 约谈结果 / 问责决定
    pub outcome: Option<String>,
    /// 文号
    pub document: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// 登记
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecordRequest {
    /// talk 约谈 | sanction 问责 | merit 绩效库 | negative 负面清单
    pub kind: String,
    pub unit: String,
    #[serde(default)]
    pub leader: Option<String>,
    pub reason: String,
    /// 来源：assessment:编号、tour:编号、ranking:期间；不填为 manual
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Date>)]
    pub held_on: Option<NaiveDate>,
    #[serde(default)]
    pub held_by: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
}

/// 确认或不予采纳
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// true 确认，false 不予采纳
    pub confirm: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RecordQuery {
    /// talk | sanction | merit | negative
    kind: Option<String>,
    /// proposed | confirmed | dismissed
    state: Option<String>,
    unit: Option<String>,
    leader: Option<String>,
    /// The page: a reason to prefill the form with.
    #[param(ignore)]
    #[serde(default)]
    reason: Option<String>,
    #[param(ignore)]
    #[serde(default)]
    source: Option<String>,
}

fn view(r: AccountabilityRecord) -> RecordView {
    RecordView {
        id: r.id,
        kind: r.kind.code().into(),
        unit: r.unit,
        leader: r.leader,
        state: r.state.code().into(),
        reason: r.reason,
        source: r.source,
        evidence: r.evidence,
        held_on: r.held_on,
        held_by: r.held_by,
        outcome: r.outcome,
        document: r.document,
        created_by: r.created_by,
        created_at: r.created_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
    }
}

fn blank(v: Option<String>) -> Option<String> {
    v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn filter_of(q: &RecordQuery) -> ApiResult<RecordFilter> {
    let kind = blank(q.kind.clone())
        .map(|k| RecordKind::parse(&k).map_err(|e| ApiError::invalid(format!("kind：{e}"))))
        .transpose()?;
    let state = blank(q.state.clone())
        .map(|k| RecordState::parse(&k).map_err(|e| ApiError::invalid(format!("state：{e}"))))
        .transpose()?;
    Ok(RecordFilter {
        kind,
        state,
        unit: blank(q.unit.clone()),
        leader: blank(q.leader.clone()),
    })
}

fn new_record(b: RecordRequest) -> ApiResult<NewRecord> {
    let kind = RecordKind::parse(&b.kind).map_err(|e| ApiError::invalid(format!("类别：{e}")))?;
    Ok(NewRecord {
        kind: Some(kind),
        unit: b.unit,
        leader: blank(b.leader),
        reason: b.reason,
        source: blank(b.source).unwrap_or_default(),
        evidence: blank(b.evidence).unwrap_or_default(),
        held_on: b.held_on,
        held_by: blank(b.held_by),
        outcome: blank(b.outcome),
        document: blank(b.document),
    })
}

#[utoipa::path(get, path = "/api/accountability", tag = "考核评比", params(RecordQuery),
    responses((status = 200, description = "问责台账（最近的在前；督查室以外只见已确认的本单位、本人条目）", body = Vec<RecordView>),
              (status = 422, body = ApiError)))]
async fn list(
    State(s): State<AppState>,
    c: Caller,
    Query(q): Query<RecordQuery>,
) -> ApiResult<Json<Vec<RecordView>>> {
    let entries = register::register(&s.store, &c.account, filter_of(&q)?).await?;
    Ok(Json(entries.into_iter().map(view).collect()))
}

#[utoipa::path(post, path = "/api/accountability", tag = "考核评比", request_body = RecordRequest,
    responses((status = 201, description = "已登记", body = RecordView),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn record(
    State(s): State<AppState>,
    c: Caller,
    Json(b): Json<RecordRequest>,
) -> ApiResult<(StatusCode, Json<RecordView>)> {
    let id = register::record(&s.store, &c.account, &c.actor(), &new_record(b)?).await?;
    let entry = s.store.accountability_entry(id).await?;
    Ok((StatusCode::CREATED, Json(view(entry))))
}

#[utoipa::path(post, path = "/api/accountability/{id}/decision", tag = "考核评比", request_body = DecisionRequest,
    params(("id" = i64, Path, description = "条目编号")),
    responses((status = 200, description = "已确认或不予采纳", body = RecordView),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn decide(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DecisionRequest>,
) -> ApiResult<Json<RecordView>> {
    let r = register::decide(&s.store, &c.account, &c.actor(), id, b.confirm).await?;
    Ok(Json(view(r)))
}

// ---- the pages ----

/// The entries for a template.
pub(crate) fn rows(entries: Vec<AccountabilityRecord>) -> Vec<Value> {
    entries
        .into_iter()
        .map(|e| {
            context! { id => e.id, kind => e.kind.code(), kind_label => e.kind.label(), unit => e.unit,
            leader => e.leader, state => e.state.code(), state_label => e.state.label(), reason => e.reason,
            evidence => e.evidence, source => e.source, held_on => e.held_on, held_by => e.held_by,
            outcome => e.outcome, document => e.document, created_by => who(&e.created_by),
            created_at => e.created_at.get(..10).unwrap_or("").to_string() }
        })
        .collect()
}

/// The register of one unit or leader, for its page.
pub(crate) async fn of(s: &AppState, c: &Caller, filter: RecordFilter) -> ApiResult<Vec<Value>> {
    Ok(rows(
        register::register(&s.store, &c.account, filter).await?,
    ))
}

async fn register_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<RecordQuery>,
) -> PageResult {
    let filter = filter_of(&q)?;
    let entries = rows(register::register(&s.store, &c.account, filter).await?);
    let units: Vec<String> = if c.account.is_admin() {
        crate::page::unit_names(&s).await?
    } else {
        Vec::new()
    };
    let ctx = page(&c, "问责台账", "accountability", false);
    render(
        &s,
        "accountability.html",
        context! { entries, units, kinds => RecordKind::ALL.iter().map(|k| context! { code => k.code(), label => k.label() }).collect::<Vec<_>>(),
        states => RecordState::ALL.iter().map(|k| context! { code => k.code(), label => k.label() }).collect::<Vec<_>>(),
        q => context! { kind => q.kind, state => q.state, unit => q.unit, reason => q.reason, source => q.source },
        today => crate::today().to_string(), ..ctx },
    )
}

async fn record_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    let held_on = f
        .text("held_on")
        .map(|d| {
            d.parse::<NaiveDate>()
                .map_err(|_| ApiError::invalid(format!("日期“{d}”不是日期")))
        })
        .transpose()?;
    let b = RecordRequest {
        kind: f.text("kind").unwrap_or_default(),
        unit: f.text("unit").unwrap_or_default(),
        leader: f.text("leader"),
        reason: f.text("reason").unwrap_or_default(),
        source: f.text("source"),
        evidence: f.text("evidence"),
        held_on,
        held_by: f.text("held_by"),
        outcome: f.text("outcome"),
        document: f.text("document"),
    };
    let id = register::record(&s.store, &c.account, &c.actor(), &new_record(b)?).await?;
    Ok((
        [("hx-redirect", format!("/accountability#entry-{id}"))],
        "已登记",
    )
        .into_response())
}

async fn decide_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path((id, decision)): Path<(i64, String)>,
) -> PageResult<Response> {
    let confirm = match decision.as_str() {
        "confirm" => true,
        "dismiss" => false,
        _ => return Err(ApiError::not_found("没有这个操作").into()),
    };
    let r = register::decide(&s.store, &c.account, &c.actor(), id, confirm).await?;
    Ok(format!("{}：{}", r.state.label(), r.unit).into_response())
}
