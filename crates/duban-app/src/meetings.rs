//! 会议议定事项 — a meeting's speech read into directives, their actors matched to the unit
//! directory for the office to review, and the reviewed tasks confirmed as items.

use duban_extract::{ActorKind, Directive, Lexicon, Role, match_actor};
use duban_store::{Confirmed, MeetingTasks, Store};
use serde::Serialize;

use crate::AppResult;

/// An actor of a directive and the units it was matched to (none: unmatched, shown as such).
#[derive(Debug, Clone, Serialize)]
pub struct MatchedActor {
    pub name: String,
    pub kind: ActorKind,
    pub role: Role,
    pub units: Vec<String>,
}

/// A directive as proposed to the office: what was found, its actors matched to units.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    #[serde(flatten)]
    pub directive: Directive,
    pub matched: Vec<MatchedActor>,
}

/// The deployment's lexicon: the shipped one extended by the file `DUBAN_ACTORS` names (TOML
/// of the same lists), read once for the life of the process.
static DEPLOYMENT: std::sync::LazyLock<Result<Lexicon, String>> =
    std::sync::LazyLock::new(|| match std::env::var_os("DUBAN_ACTORS") {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "责任主体词表 {} 无法读取：{e}",
                    std::path::Path::new(&path).display()
                )
            })?;
            Lexicon::shipped().with_file(&text)
        }
        None => Ok(Lexicon::shipped().clone()),
    });

/// The words actors are recognised by: the deployment's lexicon extended by `directory`'s
/// names and short names.
pub fn lexicon(directory: &[duban_core::Unit]) -> AppResult<Lexicon> {
    let base = DEPLOYMENT
        .as_ref()
        .map_err(|e| crate::AppError::Invalid(e.clone()))?;
    Ok(base.with_units(directory.iter().flat_map(|u| {
        std::iter::once(u.name.as_str()).chain(u.aliases.iter().map(String::as_str))
    })))
}

/// `directives` with their actors matched to the unit directory.
pub async fn propose(store: &Store, directives: Vec<Directive>) -> AppResult<Vec<Proposal>> {
    let directory = store.unit_directory().await?;
    Ok(directives
        .into_iter()
        .map(|d| {
            let matched = d
                .actors
                .iter()
                .map(|a| MatchedActor {
                    name: a.name.clone(),
                    kind: a.kind,
                    role: a.role,
                    units: match_actor(&a.name, a.kind, &directory),
                })
                .collect();
            Proposal {
                directive: d,
                matched,
            }
        })
        .collect())
}

/// Writes the reviewed tasks as items of kind 重点工作 (all or nothing); a task without a
/// name is named by what is to be done (its text's first clause). The items are on the
/// ledger from today (纳入日期).
pub async fn confirm(store: &Store, mut tasks: MeetingTasks, actor: &str) -> AppResult<Confirmed> {
    for t in &mut tasks.tasks {
        if t.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            t.name = Some(duban_extract::task_name(t.text.trim()));
        }
    }
    // On the ledger from today: it is asked for no report of a period already over.
    let today = crate::clock::today();
    let confirmed = store.confirm_meeting_tasks(&tasks, actor, today).await?;
    hand_down_meeting_items(store, actor, today).await?;
    Ok(confirmed)
}

/// 会议交办 — every confirmed meeting item not done and not yet handed down becomes a task
/// handed down to its lead unit (source 会议议定事项, the meeting as its source, the item
/// linked, due by its deadline or the year's end, fed back monthly): what a confirmation does
/// now, and what brings the meetings confirmed before tasks existed under supervision.
/// Returns how many were handed down.
pub async fn hand_down_meeting_items(
    store: &Store,
    actor: &str,
    today: chrono::NaiveDate,
) -> AppResult<usize> {
    use duban_core::task::{Deadline, FeedbackCadence, TaskSource};
    let linked = store.items_with_tasks().await?;
    let calendar = store.work_calendar().await?;
    let mut n = 0;
    for i in store.meeting_items(today).await? {
        if i.done.is_some() || linked.contains(&i.code) {
            continue;
        }
        let year_end = chrono::NaiveDate::from_ymd_opt(i.year, 12, 31).unwrap_or(today);
        let due = i.deadline.unwrap_or(year_end).max(today);
        store
            .hand_down_task(
                actor,
                duban_store::NewTask {
                    number: None,
                    title: i.name.chars().take(duban_store::MAX_TITLE).collect(),
                    content: i.name.clone(),
                    source: TaskSource::Meeting,
                    source_ref: Some(i.meeting.clone()),
                    item_code: Some(i.code.clone()),
                    lead_unit: i.lead_unit.clone(),
                    co_units: i.co_units.clone(),
                    leader: None,
                    deadline: Deadline::Date { date: due },
                    sign_within: duban_core::task::DEFAULT_SIGN_WITHIN,
                    cadence: FeedbackCadence::Monthly,
                    assigned_on: today,
                },
                &calendar,
                Vec::new(),
            )
            .await?;
        n += 1;
    }
    Ok(n)
}
