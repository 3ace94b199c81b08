//! 问题清单 — problems raised on items and moved through their lifecycle (交办 → 整改 →
//! 申请销号 → 销号, or 退回): the board page with what each role may do, and the API. Who may
//! move a problem is the core's rule; a caller sees the problems of the items it may see and
//! those assigned to its unit.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::{AccountRole, Escalation, ProblemCategory, ProblemState};
use duban_store::Problem;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::{FormData, prepared};
use crate::page::{PageResult, Visitor, message, page, render};
use crate::schema::{Date, EscalationCode, ProblemCategoryCode, ProblemStateCode, Timestamp};
use crate::select::paginate;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/problems", get(problems_page))
        .route("/problems/{id}/{action}", post(problem_move))
        .route("/items/{code}/problems", post(raise_page))
        .route("/api/problems", get(problems))
        .route("/api/items/{code}/problems", post(raise_problem))
        .route("/api/problems/{id}/moves", post(move_problem))
}

/// 问题筛选
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ProblemQuery {
    /// raised|assigned|rectifying|closure_requested|closed
    pub state: Option<String>,
    /// Only those past their due date.
    pub overdue: Option<bool>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

/// The problems a caller may see: on items it may see, or assigned to its unit.
pub async fn visible_problems(s: &AppState, caller: &Caller) -> ApiResult<Vec<Problem>> {
    let snap = s.status.get(&s.store, today()).await?;
    let vis = caller.account.visibility();
    Ok(snap
        .problems
        .iter()
        .filter(|p| {
            vis == duban_core::Visibility::All
                || snap.status_of(&p.code).is_some_and(|(i, _)| vis.admits(i))
                || (caller.account.unit.is_some() && p.assigned_unit == caller.account.unit)
        })
        .cloned()
        .collect())
}

#[utoipa::path(get, path = "/api/problems", tag = "问题清单", params(ProblemQuery),
    responses((status = 200, description = "分页的问题清单", body = ProblemPage)))]
async fn problems(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ProblemQuery>,
) -> ApiResult<Json<ProblemPage>> {
    let state = q
        .state
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| ProblemState::parse(v).map_err(|e| ApiError::invalid(format!("state：{e}"))))
        .transpose()?;
    let as_of = today();
    let rows: Vec<ListedProblem> = visible_problems(&s, &caller)
        .await?
        .into_iter()
        .filter(|p| state.is_none_or(|st| p.state == st))
        .filter(|p| !q.overdue.unwrap_or(false) || p.overdue(as_of))
        .map(|p| ListedProblem {
            overdue: p.overdue(as_of),
            problem: p.into(),
        })
        .collect();
    let page = paginate(rows, q.page, q.per_page);
    Ok(Json(ProblemPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// 新问题
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProblemRequest {
    /// 手续|用地|征迁|资金|环保|要素保障|其他
    pub category: String,
    /// county|department|leader|meeting (县级|部门|包抓领导|联席会议)
    pub escalation: Option<String>,
    pub description: String,
    /// 挂牌督办
    #[serde(default)]
    pub listed: bool,
}

#[utoipa::path(post, path = "/api/items/{code}/problems", tag = "问题清单", request_body = ProblemRequest,
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "已登记", body = ProblemView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn raise_problem(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<ProblemRequest>,
) -> ApiResult<Json<ProblemView>> {
    Ok(Json(raise_as(&s, &caller, &code, req).await?.into()))
}

/// Raises a problem as `caller`.
pub async fn raise_as(
    s: &AppState,
    caller: &Caller,
    code: &str,
    req: ProblemRequest,
) -> ApiResult<Problem> {
    let input = duban_app::problems::ProblemInput {
        category: req.category,
        escalation: req.escalation,
        description: req.description,
        listed: req.listed,
        evidence: Vec::new(),
    };
    Ok(duban_app::problems::raise(&s.store, &caller.account, &caller.actor(), code, input).await?)
}

/// 问题流转
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveRequest {
    /// assign|start|request-close|close|send-back
    pub action: String,
    /// assign: 承办单位
    pub unit: Option<String>,
    /// assign: 整改时限 YYYY-MM-DD
    #[schema(value_type = Option<String>)]
    pub due: Option<NaiveDate>,
    /// request-close: 整改情况; send-back: 退回原因
    pub note: Option<String>,
}

/// Moves a problem as `caller`: 404 if it may not see it, 403 if its role may not move it.
pub async fn move_as(
    s: &AppState,
    caller: &Caller,
    id: i64,
    req: MoveRequest,
) -> ApiResult<Problem> {
    move_with(s, caller, id, req, Vec::new()).await
}

/// [`move_as`] with evidence (a closure request's photos and documents).
pub async fn move_with(
    s: &AppState,
    caller: &Caller,
    id: i64,
    req: MoveRequest,
    evidence: Vec<duban_store::NewAttachment>,
) -> ApiResult<Problem> {
    let input = duban_app::problems::MoveInput {
        action: req.action,
        unit: req.unit,
        due: req.due,
        note: req.note,
        evidence,
    };
    Ok(
        duban_app::problems::move_problem(&s.store, &caller.account, &caller.actor(), id, input)
            .await?,
    )
}

#[utoipa::path(post, path = "/api/problems/{id}/moves", tag = "问题清单", request_body = MoveRequest,
    params(("id" = i64, Path, description = "问题编号")),
    responses((status = 200, description = "已流转", body = ProblemView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn move_problem(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<MoveRequest>,
) -> ApiResult<Json<ProblemView>> {
    Ok(Json(move_as(&s, &caller, id, req).await?.into()))
}

// ---- what the API answers ----

/// 问题 — a problem of an item: its category, how high it is escalated, where it stands in
/// its lifecycle, the unit it is assigned to and by when.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemView {
    pub id: i64,
    /// 项目编号
    pub code: String,
    /// 项目名称
    pub item_name: String,
    #[schema(value_type = ProblemCategoryCode)]
    pub category: ProblemCategory,
    #[schema(value_type = EscalationCode)]
    pub escalation: Escalation,
    /// 问题描述
    pub description: String,
    #[schema(value_type = ProblemStateCode)]
    pub state: ProblemState,
    /// 承办单位
    pub assigned_unit: Option<String>,
    /// 整改时限
    #[schema(value_type = Option<Date>)]
    pub due: Option<NaiveDate>,
    /// 挂牌督办
    pub listed: bool,
    pub raised_by: String,
    #[schema(value_type = Timestamp)]
    pub raised_at: String,
}

impl From<Problem> for ProblemView {
    fn from(p: Problem) -> Self {
        let Problem {
            id,
            code,
            item_name,
            category,
            escalation,
            description,
            state,
            assigned_unit,
            due,
            listed,
            raised_by,
            raised_at,
        } = p;
        ProblemView {
            id,
            code,
            item_name,
            category,
            escalation,
            description,
            state,
            assigned_unit,
            due,
            listed,
            raised_by,
            raised_at,
        }
    }
}

/// A problem of the list, and whether it is past its due date.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedProblem {
    #[serde(flatten)]
    pub problem: ProblemView,
    /// 逾期
    pub overdue: bool,
}

/// 分页的问题清单
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    pub items: Vec<ListedProblem>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

// ---- the pages ----

/// What a role may do to a problem in a state: (action, label).
fn actions(c: &Caller, p: &duban_store::Problem) -> Vec<(&'static str, &'static str)> {
    let office = c.account.is_admin();
    let assigned = c.account.role == AccountRole::Reporter
        && c.account.unit.is_some()
        && p.assigned_unit == c.account.unit;
    match p.state {
        ProblemState::Raised if office => vec![("assign", "交办")],
        ProblemState::Assigned | ProblemState::SentBack if assigned => vec![("start", "开始整改")],
        ProblemState::Assigned | ProblemState::SentBack if office => vec![("assign", "改派")],
        ProblemState::Rectifying if assigned => vec![("request-close", "申请销号")],
        ProblemState::ClosureRequested if office => vec![("close", "销号"), ("send-back", "退回")],
        _ => Vec::new(),
    }
}

/// A problem's card: what it is, where it stands, the last 整改情况 or 退回原因, its
/// evidence, and what the visitor may do.
fn ticket(c: &Caller, p: &duban_store::Problem, notes: &ProblemNotes) -> Value {
    let (rectification, sent_back, files) = notes.get(&p.id).cloned().unwrap_or_default();
    context! {
        id => p.id, code => &p.code, item_name => &p.item_name, category => p.category.label(),
        description => &p.description, listed => p.listed, unit => &p.assigned_unit, due => p.due.map(|d| d.to_string()),
        overdue => p.overdue(today()), state => p.state.label(), rectification, sent_back, files,
        actions => actions(c, p).into_iter().map(|(action, label)| context!{ action, label }).collect::<Vec<_>>(),
    }
}

/// Per problem: its last 整改情况, its last 退回原因, and its evidence (id, name, photo?).
type ProblemNotes = std::collections::HashMap<i64, (Option<String>, Option<String>, Vec<Value>)>;

/// The notes of the problems shown (those waiting for 销号 or sent back carry them).
async fn notes_of(s: &AppState, shown: &[&duban_store::Problem]) -> ApiResult<ProblemNotes> {
    let mut out = ProblemNotes::new();
    for p in shown.iter().filter(|p| {
        matches!(
            p.state,
            ProblemState::ClosureRequested | ProblemState::SentBack
        )
    }) {
        let events = s.store.problem_events(p.id).await?;
        let last = |action: &str| {
            events
                .iter()
                .rev()
                .find(|e| e.action == action)
                .and_then(|e| e.note.clone())
        };
        let mut files = Vec::new();
        for of in [
            duban_store::EvidenceOf::Problem,
            duban_store::EvidenceOf::Closure,
        ] {
            for a in s.store.attachments_of(of, p.id).await? {
                files
                    .push(context! { id => a.id, name => a.file_name, photo => a.has_thumbnail.0 });
            }
        }
        out.insert(p.id, (last("申请销号"), last("退回"), files));
    }
    Ok(out)
}

/// The board's columns for the visitor, each state's problems overdue and 挂牌督办 first;
/// `moved`, just written, as it is now (the snapshot of problems may not have caught up).
async fn board(s: &AppState, c: &Caller, moved: Option<Problem>) -> PageResult<minijinja::Value> {
    let mut all = visible_problems(s, c).await?;
    if let Some(m) = moved {
        match all.iter_mut().find(|p| p.id == m.id) {
            Some(p) => *p = m,
            None => all.push(m),
        }
    }
    let overdue = all.iter().filter(|p| p.overdue(today())).count();
    let mut shown: Vec<(ProblemState, Vec<&duban_store::Problem>, usize)> = Vec::new();
    for st in ProblemState::ALL {
        let mut mine: Vec<&duban_store::Problem> = all.iter().filter(|p| p.state == *st).collect();
        mine.sort_by_key(|p| (!p.overdue(today()), !p.listed, p.id));
        let more = mine.len().saturating_sub(60);
        mine.truncate(60);
        shown.push((*st, mine, more));
    }
    let flat: Vec<&duban_store::Problem> = shown
        .iter()
        .flat_map(|(_, m, _)| m.iter().copied())
        .collect();
    let notes = notes_of(s, &flat).await?;
    let columns: Vec<Value> = shown
        .iter()
        .map(|(st, mine, more)| {
            context! { code => st.code(), label => st.label(), more, count => mine.len() + more,
            problems => mine.iter().map(|p| ticket(c, p, &notes)).collect::<Vec<_>>() }
        })
        .collect();
    let units: Vec<String> = if c.account.is_admin() {
        s.store
            .units()
            .await?
            .into_iter()
            .map(|u| u.unit.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(context! { columns, total => all.len(), overdue, units })
}

async fn problems_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    // The board depends on the data, the day, and who looks (what they see and may do): made
    // once per data version for each.
    let key = format!(
        "problems|{:?}|{:?}|{}",
        c.account.role,
        c.account.visibility(),
        today()
    );
    let b = s.views.light(&s.store, key, || board(&s, &c, None)).await?;
    let ctx = page(&c, "问题清单", "problems", false);
    render(&s, "problems.html", context! { ..(*b).clone(), ..ctx })
}

/// A move from the board: the board again, the card in its new column, with what was done
/// said above it (an error is shown in the same place, the board untouched).
async fn problem_move(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path((id, action)): Path<(i64, String)>,
    f: FormData,
) -> PageResult {
    let due = f
        .text("due")
        .map(|d| d.parse::<chrono::NaiveDate>())
        .transpose()
        .map_err(|_| ApiError::invalid("整改时限：应为日期，如 2025-09-30"))?;
    let req = MoveRequest {
        action,
        unit: f.text("unit"),
        due,
        note: f.text("note"),
    };
    let evidence = prepared(&s, f.files).await?;
    let p = move_with(&s, &c, id, req, evidence).await?;
    let done = format!("问题 #{}：{}", p.id, p.state.label());
    let b = board(&s, &c, Some(p)).await?;
    render(&s, "problems_board.html", context! { done, ..b })
}

/// 提出问题 from the item page or the report form: category, description, evidence.
async fn raise_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    f: FormData,
) -> PageResult {
    let input = duban_app::problems::ProblemInput {
        category: f.text("category").unwrap_or_else(|| "其他".into()),
        escalation: f.text("escalation"),
        description: f.text("description").unwrap_or_default(),
        listed: false,
        evidence: prepared(&s, f.files).await?,
    };
    let p = duban_app::problems::raise(&s.store, &c.account, &c.actor(), &code, input).await?;
    message(
        &s,
        vec![format!(
            "已登记问题 #{}（{}）：{}；督查室交办后可在“问题清单”跟踪",
            p.id,
            p.category.label(),
            p.description
        )],
    )
}
