//! 会议议定事项 — a meeting's speech read into directives, their actors matched to the unit
//! directory for the office to review, and the reviewed tasks confirmed as items.

use duban_extract::{ActorKind, Directive, Role, match_actor};
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
    Ok(store
        .confirm_meeting_tasks(&tasks, actor, crate::clock::today())
        .await?)
}
