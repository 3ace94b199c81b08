//! 包抓领导 — a leader's page of the items he is in charge of (lamps, overdue milestones,
//! open problems, those escalated to him), and his instructions (批示) on an item or a
//! problem, which the unit reads on the item's page.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use duban_core::{AccountRole, Colour, Escalation, ProblemState};
use duban_store::Instruction;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::problems::visible_problems;
use crate::page::{PageResult, Visitor, field, message, page, render, ser};
use crate::schema::Timestamp;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leader", get(leader_page))
        .route("/items/{code}/instructions", post(instruct_page))
        .route("/api/items/{code}/instructions", get(list).post(instruct))
}

/// 批示
#[derive(Debug, Deserialize, ToSchema)]
pub struct InstructionBody {
    /// 批示内容
    pub body: String,
    /// 关于问题（编号）
    pub problem: Option<i64>,
}

/// 批示 as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Instruction)]
pub struct InstructionView {
    pub id: i64,
    /// 项目编号
    pub code: String,
    /// 关于问题
    pub problem_id: Option<i64>,
    /// 批示人
    pub author: String,
    /// 批示内容
    pub body: String,
    #[schema(value_type = Timestamp)]
    pub at: String,
}

impl From<Instruction> for InstructionView {
    fn from(n: Instruction) -> Self {
        InstructionView {
            id: n.id,
            code: n.code,
            problem_id: n.problem_id,
            author: n.author,
            body: n.body,
            at: n.at,
        }
    }
}

/// Who signs an instruction: the leader's name and post, or the account's name.
fn author(c: &Caller) -> String {
    match (&c.account.role, &c.account.leader) {
        (AccountRole::Leader, Some(l)) => l.to_string(),
        _ => c.account.display_name.clone(),
    }
}

#[utoipa::path(get, path = "/api/items/{code}/instructions", tag = "包抓领导",
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "项目的批示（最新在前）", body = Vec<InstructionView>), (status = 404, body = ApiError)))]
async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<InstructionView>>> {
    crate::features::ledger::visible_item(&s, &caller, &code).await?;
    let rows = s.store.instructions(&code).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/items/{code}/instructions", tag = "包抓领导", request_body = InstructionBody,
    params(("code" = String, Path, description = "项目编号")),
    responses((status = 200, description = "已批示", body = InstructionView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn instruct(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(b): Json<InstructionBody>,
) -> ApiResult<Json<InstructionView>> {
    let n = duban_app::instructions::instruct(
        &s.store,
        &caller.account,
        &author(&caller),
        &code,
        b.problem,
        &b.body,
    )
    .await?;
    Ok(Json(n.into()))
}

#[derive(Deserialize)]
struct InstructionForm {
    body: Option<String>,
    problem: Option<String>,
}

async fn instruct_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<InstructionForm>,
) -> PageResult {
    let problem = field(f.problem)
        .map(|p| p.trim_start_matches('#').parse::<i64>())
        .transpose()
        .map_err(|_| ApiError::invalid("关于问题：应为问题编号"))?;
    let n = duban_app::instructions::instruct(
        &s.store,
        &c.account,
        &author(&c),
        &code,
        problem,
        &field(f.body).unwrap_or_default(),
    )
    .await?;
    message(
        &s,
        vec![format!(
            "已批示{}：{}",
            n.problem_id
                .map(|p| format!("（问题 #{p}）"))
                .unwrap_or_default(),
            n.body
        )],
    )
}

/// 我的包抓项目 — the leader's items, the red and overdue first; the office sees every
/// leader's escalated problems.
async fn leader_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    if !matches!(c.account.role, AccountRole::Leader | AccountRole::Admin) {
        return Err(ApiError::forbidden("这一页是包抓领导的项目一览").into());
    }
    let snap = s.status.get(&s.store, today()).await?;
    let as_of = snap.as_of;
    let mine: Vec<&(duban_core::Item, duban_core::Status)> = snap
        .rows
        .iter()
        .filter(|(i, _)| c.account.role == AccountRole::Leader && c.account.can_see(i))
        .collect();
    let count = |colour: Colour| mine.iter().filter(|(_, st)| st.colour == colour).count();
    let mut items: Vec<Value> = Vec::new();
    let mut ranked: Vec<&(duban_core::Item, duban_core::Status)> = mine.clone();
    ranked.sort_by_key(|(i, st)| (std::cmp::Reverse(st.colour), i.code.clone()));
    for (i, st) in ranked.iter().take(300) {
        items.push(context! {
            code => &i.code, name => &i.name, unit => &i.lead_unit, colour => ser(st.colour),
            reasons => st.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>(),
        });
    }
    let codes: std::collections::HashSet<&str> =
        mine.iter().map(|(i, _)| i.code.as_str()).collect();
    let overdue_milestones: Vec<Value> = match (&c.account.role, &c.account.leader) {
        (AccountRole::Leader, Some(l)) => s
            .store
            .overdue_milestones(l, as_of, 200)
            .await?
            .into_iter()
            .map(|m| {
                let days = chrono::NaiveDate::parse_from_str(&m.planned, "%Y-%m-%d")
                    .map(|p| (as_of - p).num_days())
                    .ok();
                context! { code => m.code, name => m.item_name, milestone => m.milestone, planned => m.planned, days }
            })
            .collect(),
        _ => Vec::new(),
    };
    let problems = visible_problems(&s, &c).await?;
    let open: Vec<Value> = problems
        .iter()
        .filter(|p| p.state != ProblemState::Closed)
        .filter(|p| c.account.role == AccountRole::Admin || codes.contains(p.code.as_str()))
        .map(|p| {
            context! {
                id => p.id, code => &p.code, item_name => &p.item_name, category => p.category.label(),
                description => &p.description, state => p.state.label(), unit => &p.assigned_unit,
                escalated => p.escalation == Escalation::Leader, overdue => p.overdue(as_of),
                due => p.due.map(|d| d.to_string()),
            }
        })
        .collect();
    let (escalated, other): (Vec<Value>, Vec<Value>) = open.into_iter().partition(|p| {
        p.get_attr("escalated")
            .map(|v| v.is_true())
            .unwrap_or(false)
    });
    let entries = match &c.account.leader {
        Some(l) => {
            crate::features::accountability::of(
                &s,
                &c,
                duban_store::RecordFilter {
                    leader: Some(l.name.clone()),
                    ..Default::default()
                },
            )
            .await?
        }
        None => Vec::new(),
    };
    let ctx = page(&c, "我的包抓项目", "leader", false);
    render(
        &s,
        "leader.html",
        context! {
            items, overdue_milestones, escalated, problems => other.into_iter().take(200).collect::<Vec<_>>(),
            total => mine.len(), red => count(Colour::Red), yellow => count(Colour::Yellow), green => count(Colour::Green),
            leader => c.account.leader.as_ref().map(|l| l.to_string()), entries, ..ctx
        },
    )
}
