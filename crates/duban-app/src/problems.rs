//! 问题 — problems raised on an item and moved through their lifecycle by a caller. Who may
//! do what is the core's rule (`problem::apply`, `Account::problem_role`); here the caller's
//! view is enforced: a problem it may not see is not found.

use chrono::NaiveDate;
use duban_core::{Account, Escalation, Move, ProblemCategory, Role, Visibility};
use duban_store::{NewAttachment, NewProblem, Problem, Store};

use crate::items::visible_item;
use crate::{AppError, AppResult};

/// 新问题 — as a caller writes it.
#[derive(Debug, Clone)]
pub struct ProblemInput {
    /// 手续|用地|征迁|资金|环保|要素保障|其他
    pub category: String,
    /// county|department|leader|meeting (县级|部门|包抓领导|联席会议); blank: the first level.
    pub escalation: Option<String>,
    pub description: String,
    /// 挂牌督办
    pub listed: bool,
    /// 附件 — photos and documents, already checked ([`crate::evidence::prepare`]).
    pub evidence: Vec<NewAttachment>,
}

/// 问题流转 — a move as a caller asks for it.
#[derive(Debug, Clone)]
pub struct MoveInput {
    /// assign|start|request-close|close|send-back
    pub action: String,
    /// assign: 承办单位
    pub unit: Option<String>,
    /// assign: 整改时限
    pub due: Option<NaiveDate>,
    /// request-close: 整改情况; send-back: 退回原因
    pub note: Option<String>,
    /// request-close: 整改佐证 — photos and documents, already checked.
    pub evidence: Vec<NewAttachment>,
}

/// Raises a problem on item `code` as `account`.
pub async fn raise(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    input: ProblemInput,
) -> AppResult<Problem> {
    let record = visible_item(store, account, code).await?;
    let who = account
        .problem_role()
        .ok_or_else(|| AppError::Forbidden("只有督查室和责任单位可以登记问题".into()))?;
    let category = ProblemCategory::parse(&input.category)
        .map_err(|e| AppError::Invalid(format!("问题类别：{e}")))?;
    let escalation = match input.escalation.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Escalation::parse(e).map_err(|e| AppError::Invalid(format!("协调层级：{e}")))?,
        None => Escalation::ALL[0],
    };
    if input.description.trim().is_empty() {
        return Err(AppError::Invalid(
            "问题描述：不能为空，请写明存在什么问题".into(),
        ));
    }
    Ok(store
        .raise_problem_with(
            actor,
            &who,
            NewProblem {
                code: record.item.code,
                category,
                escalation,
                description: input.description,
                listed: input.listed,
            },
            input.evidence,
        )
        .await?)
}

/// Whether `account` sees problem `p`: on an item it sees, or assigned to its unit.
async fn sees(store: &Store, account: &Account, p: &Problem) -> AppResult<bool> {
    if account.visibility() == Visibility::All
        || (account.unit.is_some() && p.assigned_unit == account.unit)
    {
        return Ok(true);
    }
    Ok(store
        .item(&p.code)
        .await?
        .is_some_and(|r| account.can_see(&r.item)))
}

/// The move `input` asks for, or what is missing.
fn parse_move(input: &MoveInput) -> AppResult<Move> {
    let note = input.note.clone().filter(|n| !n.trim().is_empty());
    Ok(match input.action.as_str() {
        "assign" => Move::Assign {
            unit: input
                .unit
                .clone()
                .filter(|u| !u.trim().is_empty())
                .ok_or_else(|| AppError::Invalid("承办单位：交办须指定承办单位".into()))?,
            due: input
                .due
                .ok_or_else(|| AppError::Invalid("整改时限：交办须指定整改时限".into()))?,
        },
        "start" => Move::Start,
        "request-close" => Move::RequestClosure { note },
        "close" => Move::Close,
        "send-back" => Move::SendBack {
            reason: note.ok_or_else(|| AppError::Invalid("退回原因：退回须说明原因".into()))?,
        },
        other => {
            return Err(AppError::Invalid(format!(
                "action：“{other}”应为 assign、start、request-close、close 或 send-back"
            )));
        }
    })
}

/// Moves problem `id` as `account`: not found if it may not see it, forbidden if its role may
/// not make the move (a unit moves only what was assigned to it).
pub async fn move_problem(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
    input: MoveInput,
) -> AppResult<Problem> {
    let not_found = || AppError::NotFound(format!("没有编号为 {id} 的问题"));
    let problem = store.problem(id).await?.ok_or_else(not_found)?;
    if !sees(store, account, &problem).await? {
        return Err(not_found());
    }
    let who = account
        .problem_role()
        .ok_or_else(|| AppError::Forbidden("只有督查室和承办单位可以办理问题".into()))?;
    if let Role::Unit(u) = &who
        && problem.assigned_unit.as_deref() != Some(u.as_str())
    {
        return Err(AppError::Forbidden(format!(
            "问题 {id} 不是交办给“{u}”的，只有承办单位或督查室可以办理"
        )));
    }
    let mut mv = parse_move(&input)?;
    // The unit as people write it (青山, 发改委): found in the directory, never created.
    if let Move::Assign { unit, .. } = &mut mv {
        let listed = store.units().await?;
        let active: Vec<duban_core::Unit> = listed
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| u.unit)
            .collect();
        *unit = duban_core::unit::find_unit(&active, unit)
            .map_err(|e| AppError::Invalid(format!("承办单位：{e}")))?
            .name
            .clone();
    }
    Ok(store
        .move_problem_with(actor, &who, id, mv, input.evidence)
        .await?)
}
