//! 交办事项 — the office hands a task down; its lead unit signs for it, feeds back, asks to
//! close it; the office closes it or sends it back. Who sees a task: the office, judges and
//! viewers all; a unit the tasks it leads or works on; a leader the tasks in his charge.

use chrono::NaiveDate;
use duban_core::task::{Deadline, FeedbackCadence, Lateness, TaskMove, TaskSource};
use duban_core::{Account, Leader, Visibility};
use duban_store::{NewAttachment, NewTask, Store, TaskFilter, TaskRecord};
use serde::Serialize;

use crate::{AppError, AppResult};

/// A task as the office writes it.
#[derive(Debug, Clone)]
pub struct TaskInput {
    /// 督办编号 — blank: the next "督办〔年〕N号".
    pub number: Option<String>,
    pub title: String,
    pub content: String,
    pub source: TaskSource,
    /// 来源文件 (批示件 number, meeting, audit report)
    pub source_ref: Option<String>,
    /// 关联项目
    pub item_code: Option<String>,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    /// 包抓领导 by name ("张三" or "张三 副市长").
    pub leader: Option<String>,
    pub deadline: Deadline,
    /// 签收时限 in working days (default one).
    pub sign_within: Option<u32>,
    pub cadence: FeedbackCadence,
    /// 来源文件 — already checked.
    pub source_files: Vec<NewAttachment>,
}

/// Reads "张三" or "张三 副市长" / "张三（副市长）" as a leader.
pub fn leader_named(text: &str) -> Option<Leader> {
    let t = text.trim().trim_end_matches(['）', ')']);
    if t.is_empty() {
        return None;
    }
    let mut parts = t.splitn(2, [' ', '（', '(', '\u{3000}']);
    let name = parts.next()?.trim();
    let title = parts.next().map(str::trim).filter(|s| !s.is_empty());
    Some(Leader::new(name, title))
}

/// 交办 — the office only.
pub async fn hand_down(
    store: &Store,
    account: &Account,
    actor: &str,
    input: TaskInput,
    today: NaiveDate,
) -> AppResult<TaskRecord> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以交办事项".into()));
    }
    let calendar = store.work_calendar().await?;
    // Units as people write them: a name, an alias or a unique prefix (市发改委).
    let units: Vec<duban_core::Unit> = store.units().await?.into_iter().map(|u| u.unit).collect();
    let unit = |name: &str, what: &str| {
        duban_core::unit::find_unit(&units, name)
            .map(|u| u.name.clone())
            .map_err(|e| AppError::Invalid(format!("{what}：{e}")))
    };
    let lead_unit = unit(&input.lead_unit, "牵头单位")?;
    let co_units = input
        .co_units
        .iter()
        .filter(|u| !u.trim().is_empty())
        .map(|u| unit(u, "配合单位"))
        .collect::<AppResult<Vec<_>>>()?;
    let new = NewTask {
        number: input.number,
        title: input.title,
        content: input.content,
        source: input.source,
        source_ref: input.source_ref,
        item_code: input.item_code.filter(|c| !c.trim().is_empty()),
        lead_unit,
        co_units,
        leader: input.leader.as_deref().and_then(leader_named),
        deadline: input.deadline,
        sign_within: input
            .sign_within
            .unwrap_or(duban_core::task::DEFAULT_SIGN_WITHIN),
        cadence: input.cadence,
        assigned_on: today,
    };
    Ok(store
        .hand_down_task(actor, new, &calendar, input.source_files)
        .await?)
}

/// May `account` read `task`?
pub fn can_see(account: &Account, task: &TaskRecord) -> bool {
    match account.visibility() {
        Visibility::All => true,
        Visibility::Nothing => false,
        Visibility::Unit(u) => task.involves(&u),
        Visibility::Leader(l) => task.leader.as_ref().is_some_and(|t| t.name == l.name),
    }
}

/// Task `id` if `account` may read it (else not found, as if it did not exist).
pub async fn visible_task(store: &Store, account: &Account, id: i64) -> AppResult<TaskRecord> {
    let not_found = || AppError::NotFound(format!("没有编号为 {id} 的交办事项"));
    let task = store.task(id).await.map_err(|e| match e {
        duban_store::StoreError::NotFound { .. } => not_found(),
        other => other.into(),
    })?;
    if can_see(account, &task) {
        Ok(task)
    } else {
        Err(not_found())
    }
}

/// The tasks `account` may read that `filter` selects.
pub async fn list(
    store: &Store,
    account: &Account,
    mut filter: TaskFilter,
) -> AppResult<Vec<TaskRecord>> {
    match account.visibility() {
        Visibility::All => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Unit(u) => filter.unit = Some(u),
        Visibility::Leader(l) => filter.leader = Some(l.name),
    }
    Ok(store.tasks(&filter).await?)
}

/// Makes `mv` on task `id` as `account`: the office or a unit; leaders, judges and viewers
/// make no move.
pub async fn move_task(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
    mv: TaskMove,
    today: NaiveDate,
    evidence: Vec<NewAttachment>,
) -> AppResult<TaskRecord> {
    let task = visible_task(store, account, id).await?;
    let Some(role) = account.problem_role() else {
        return Err(AppError::Forbidden(format!(
            "{}不能办理交办事项",
            account.role.label()
        )));
    };
    // The rule first, so a refusal is a refusal (403/422) and writes nothing.
    if let Err(e) = duban_core::task::apply(task.state, &task.lead_unit, &task.co_units, &role, &mv)
    {
        use duban_core::task::TaskMoveError as E;
        return Err(match e {
            E::OfficeOnly(_) | E::LeadOnly { .. } | E::LeadOrCoOnly { .. } => {
                AppError::Forbidden(e.to_string())
            }
            _ => AppError::Invalid(e.to_string()),
        });
    }
    Ok(store
        .move_task(actor, id, &role, &mv, today, evidence)
        .await?)
}

/// A task as the pages and the API show it: with its dates and how it is late.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: TaskRecord,
    /// 签收截止
    pub sign_due: NaiveDate,
    /// 下次反馈截止
    pub feedback_due: Option<NaiveDate>,
    /// 逾期情况
    pub lateness: Vec<Lateness>,
}

impl TaskView {
    pub fn new(
        task: TaskRecord,
        calendar: &duban_core::WorkCalendar,
        today: NaiveDate,
    ) -> TaskView {
        let clock = task.clock();
        TaskView {
            sign_due: clock.sign_due(calendar),
            feedback_due: clock.feedback_due(),
            lateness: clock.lateness(calendar, today),
            task,
        }
    }

    /// 灯 — red when late, yellow when due within three days, green otherwise; grey when done.
    pub fn lamp(&self) -> &'static str {
        use duban_core::TaskState::*;
        match self.task.state {
            Closed | Withdrawn => "grey",
            _ if !self.lateness.is_empty() => "red",
            _ => "green",
        }
    }
}
