//! 待办 and 消息 — what waits for a signed-in user: for a unit, the reports due, tasks to sign
//! for and feed back, problems assigned to it, milestones coming due; for a leader, what is
//! late in his charge; for the office, closure and extension requests to verify and tasks
//! overdue to urge. And the inbox of the unit, the leader or the office.

use chrono::{Days, NaiveDate};
use duban_core::reminder::{MatterKind, Recipient};
use duban_core::{Account, AccountRole};
use duban_store::{MatterScope, Message, Store};
use serde::Serialize;

use crate::AppResult;

/// How far ahead a to-do list looks (calendar days).
const AHEAD: u64 = 14;
/// Most to-dos listed (the count covers them all).
pub const MAX_TODOS: usize = 300;

/// 待办事项
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Todo {
    pub kind: MatterKind,
    /// 事项类别 in words
    pub kind_label: &'static str,
    /// What to do: 报送, 签收, 反馈, 办结, 整改, 推进, 审核, 催办.
    pub action: &'static str,
    pub title: String,
    /// 责任单位 (for the office and leaders)
    pub owner: String,
    pub due: NaiveDate,
    /// Days past due on the day asked (negative: days left).
    pub days_late: i64,
    /// Where to do it.
    pub link: String,
}

/// A user's to-dos, most overdue first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Todos {
    pub total: usize,
    pub overdue: usize,
    pub items: Vec<Todo>,
}

/// Whose matters and inbox an account has.
pub fn scope(account: &Account) -> Option<(MatterScope, Recipient)> {
    match account.role {
        AccountRole::Admin => Some((MatterScope::Office, Recipient::Office)),
        AccountRole::Reporter => account
            .unit
            .clone()
            .map(|u| (MatterScope::Unit(u.clone()), Recipient::Unit(u))),
        AccountRole::Leader => account.leader.as_ref().map(|l| {
            (
                MatterScope::Leader(l.name.clone()),
                Recipient::Leader(l.name.clone()),
            )
        }),
        AccountRole::Judge | AccountRole::Viewer => None,
    }
}

fn action(kind: MatterKind, office: bool) -> &'static str {
    match (kind, office) {
        (MatterKind::Verification, _) => "审核",
        (_, true) => "催办",
        (MatterKind::Report, _) => "报送",
        (MatterKind::TaskSign, _) => "签收",
        (MatterKind::TaskFeedback, _) => "反馈",
        (MatterKind::Task, _) => "办结",
        (MatterKind::Problem, _) => "整改",
        (MatterKind::Milestone, _) => "推进",
    }
}

fn link(kind: MatterKind, key: &str) -> String {
    let code = key.split('/').next().unwrap_or(key);
    match kind {
        MatterKind::Report => "/report?only=unreported".to_string(),
        MatterKind::TaskSign | MatterKind::TaskFeedback | MatterKind::Task => {
            format!("/tasks/{key}")
        }
        MatterKind::Problem => "/problems".to_string(),
        MatterKind::Milestone => format!("/items/{code}"),
        MatterKind::Verification => match key.split_once('/') {
            Some(("problem", _)) => "/problems".to_string(),
            Some(("extension", _)) => "/extensions".to_string(),
            _ => format!("/tasks/{key}"),
        },
    }
}

/// The to-dos of `account` on `today`.
pub async fn todos(store: &Store, account: &Account, today: NaiveDate) -> AppResult<Todos> {
    let Some((scope, _)) = scope(account) else {
        return Ok(Todos::default());
    };
    let rules = crate::reminders::rules(store).await?;
    let calendar = store.work_calendar().await?;
    let until = today.checked_add_days(Days::new(AHEAD)).unwrap_or(today);
    let office = scope == MatterScope::Office;
    let matters = store
        .due_matters(today, until, &calendar, &rules, &scope)
        .await?;
    let mut items: Vec<Todo> = matters
        .into_iter()
        .map(|m| Todo {
            kind: m.kind,
            kind_label: m.kind.label(),
            action: action(m.kind, office),
            link: link(m.kind, &m.key),
            owner: m.owner.name().to_string(),
            days_late: (today - m.due).num_days(),
            title: m.title,
            due: m.due,
        })
        .collect();
    items.sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.title.cmp(&b.title)));
    let total = items.len();
    let overdue = items.iter().filter(|t| t.days_late > 0).count();
    items.truncate(MAX_TODOS);
    Ok(Todos {
        total,
        overdue,
        items,
    })
}

/// The inbox of `account` (its unit's, its leader's or the office's), newest first.
pub async fn inbox(
    store: &Store,
    account: &Account,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Message>> {
    let Some((_, to)) = scope(account) else {
        return Ok(Vec::new());
    };
    Ok(store.messages(&[to], unread_only, limit, offset).await?)
}

/// 未读消息 of `account`.
pub async fn unread(store: &Store, account: &Account) -> AppResult<i64> {
    let Some((_, to)) = scope(account) else {
        return Ok(0);
    };
    Ok(store.unread_messages(&[to]).await?)
}

/// Marks message `id` (or all) of `account`'s inbox read.
pub async fn mark_read(store: &Store, account: &Account, id: Option<i64>) -> AppResult<u64> {
    let Some((_, to)) = scope(account) else {
        return Ok(0);
    };
    Ok(store.mark_read(&[to], id, &account.username).await?)
}
