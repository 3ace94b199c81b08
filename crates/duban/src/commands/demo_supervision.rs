//! The demo's supervision: its tasks handed down and moved as far as their days allow, through
//! the same rules as users, and its 通讯录.

use duban_core::Role;
use duban_core::task::TaskMove;
use duban_demo::{DemoContact, DemoTask, DemoTaskMove};
use duban_store::{Contact, NewTask, Store, TaskFilter};

/// Hands down `list` and makes each task's moves; how many were handed down (none when the
/// database already has tasks of its own).
pub async fn drive_tasks(store: &Store, actor: &str, list: Vec<DemoTask>) -> anyhow::Result<usize> {
    let any = TaskFilter {
        limit: Some(1),
        ..Default::default()
    };
    if !store.tasks(&any).await?.is_empty() {
        return Ok(0);
    }
    let calendar = store.work_calendar().await?;
    let count = list.len();
    for t in list {
        let task = store
            .hand_down_task(
                actor,
                NewTask {
                    number: None,
                    title: t.title,
                    content: t.content,
                    source: t.source,
                    source_ref: t.source_ref,
                    item_code: None,
                    lead_unit: t.lead_unit.clone(),
                    co_units: t.co_units,
                    leader: t.leader,
                    deadline: t.deadline,
                    sign_within: t.sign_within,
                    cadence: t.cadence,
                    assigned_on: t.assigned_on,
                },
                &calendar,
                Vec::new(),
            )
            .await?;
        let unit = Role::Unit(t.lead_unit);
        for (m, day) in t.moves {
            let (who, mv) = match m {
                DemoTaskMove::Sign => (&unit, TaskMove::Sign),
                DemoTaskMove::Feedback => (
                    &unit,
                    TaskMove::Feedback {
                        note: "已召开专题会议研究部署，正在按计划推进".into(),
                    },
                ),
                DemoTaskMove::RequestClose => (
                    &unit,
                    TaskMove::RequestClose {
                        report: "已按要求办理完毕，相关材料已报送".into(),
                    },
                ),
                DemoTaskMove::Close => (&Role::Office, TaskMove::Close),
                DemoTaskMove::SendBack => (
                    &Role::Office,
                    TaskMove::SendBack {
                        reason: "办结材料不全，请补充佐证材料".into(),
                    },
                ),
            };
            store
                .move_task(actor, task.id, who, &mv, day, Vec::new())
                .await?;
        }
    }
    Ok(count)
}

/// Writes the demo's 通讯录 when there is none yet: how many contacts were written.
pub async fn write_contacts(
    store: &Store,
    actor: &str,
    list: Vec<DemoContact>,
) -> anyhow::Result<usize> {
    if !store.contacts().await?.is_empty() {
        return Ok(0);
    }
    let contacts: Vec<_> = list
        .into_iter()
        .map(|c| {
            let of = if c.leader {
                duban_core::Recipient::Leader(c.name)
            } else {
                duban_core::Recipient::Unit(c.name)
            };
            let contact = Contact {
                liaison: c.liaison,
                phone: Some(c.phone),
                email: c.email,
                robot: None,
            };
            (of, contact)
        })
        .collect();
    Ok(store.import_contacts(actor, &contacts).await?)
}
