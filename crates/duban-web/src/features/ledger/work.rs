//! 项目页上的日常办理 — what the item page offers each role besides the record: the unit
//! raises a problem and asks for an extension, the leader instructs, the office edits,
//! archives, plans and approves; with the evidence and the instructions on the item.

use duban_core::{AccountRole, Escalation, ProblemCategory};
use duban_store::{EvidenceOf, ItemRecord};
use minijinja::{Value, context};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::page::who;

/// The item page's context for the work each role may do on it.
pub(super) async fn context(s: &AppState, c: &Caller, record: &ItemRecord) -> ApiResult<Value> {
    let code = &record.item.code;
    let a = &c.account;
    let office = a.is_admin();
    let unit = a.role == AccountRole::Reporter && a.can_report(&record.item);
    let leader = a.role == AccountRole::Leader;
    let files: Vec<Value> = s
        .store
        .attachments(code)
        .await?
        .into_iter()
        .rev()
        .take(60)
        .map(|f| {
            context! { id => f.id, name => f.file_name, photo => f.has_thumbnail.0,
            of => f.owner.0.label(), at => duban_app::clock::beijing(&f.uploaded_at), by => who(&f.uploaded_by),
            closure => f.owner.0 == EvidenceOf::Closure }
        })
        .collect();
    let instructions: Vec<Value> = s
        .store
        .instructions(code)
        .await?
        .into_iter()
        .map(|n| context! { author => n.author, body => n.body, problem => n.problem_id, at => duban_app::clock::beijing(&n.at) })
        .collect();
    let extensions: Vec<Value> = s
        .store
        .extension_requests(Some(code), false)
        .await?
        .iter()
        .map(crate::features::extensions::row)
        .collect();
    let open_milestones: Vec<String> = record
        .milestones
        .iter()
        .filter(|m| m.actual.is_none() && m.planned.is_some())
        .map(|m| m.name.clone())
        .collect();
    let baselined = record.milestones.iter().any(|m| m.baseline.is_some());
    let draft = !record.milestones.is_empty() && !baselined;
    Ok(context! {
        office, unit, leader, files, instructions, extensions, open_milestones, baselined, draft,
        archived => record.archived,
        categories => ProblemCategory::ALL.iter().map(|c| c.label()).collect::<Vec<_>>(),
        escalations => Escalation::ALL.iter().map(|e| e.label()).collect::<Vec<_>>(),
        can_raise => office || unit,
    })
}
