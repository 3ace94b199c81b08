//! `duban task add|list|show|sign|feedback|request-close|close|send-back|withdraw`.

use std::process::ExitCode;

use duban_app::tasks::{self, TaskInput, TaskView};
use duban_core::TaskMove;
use duban_store::{Store, TaskFilter, TaskRecord};

use super::{Ctx, today};
use crate::cli::{ShowFormat, TaskArgs, TaskCommand};
use crate::render::{or_dash, print_json, table};

fn line(v: &TaskView) -> String {
    let t = &v.task;
    let late: Vec<&str> = v.lateness.iter().map(|l| l.label()).collect();
    format!(
        "{}（编号 {}）{}：{}，牵头单位 {}，办理期限 {}{}",
        t.number,
        t.id,
        t.title,
        t.state.label(),
        t.lead_unit,
        t.due,
        if late.is_empty() {
            String::new()
        } else {
            format!("，{}", late.join("、"))
        }
    )
}

/// A task by id or by its 督办编号.
async fn find(store: &Store, key: &str) -> anyhow::Result<TaskRecord> {
    match key.trim().parse::<i64>() {
        Ok(id) => Ok(store.task(id).await?),
        Err(_) => Ok(store.task_by_number(key).await?),
    }
}

pub async fn run(ctx: &Ctx, a: TaskArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let account = ctx.acting_as(&a.role);
    let day = a.on.unwrap_or_else(today);
    let calendar = store.work_calendar().await?;
    let view = |t: TaskRecord| TaskView::new(t, &calendar, day);
    let mv = |key: String, m: TaskMove| {
        let (store, account) = (&store, &account);
        async move {
            let t = find(store, &key).await?;
            anyhow::Ok(
                tasks::move_task(store, account, &ctx.actor, t.id, m, day, Vec::new()).await?,
            )
        }
    };
    match a.command {
        TaskCommand::Add {
            title,
            content,
            lead,
            co,
            leader,
            source,
            source_ref,
            deadline,
            sign_within,
            cadence,
            number,
            item,
        } => {
            let t = tasks::hand_down(
                &store,
                &account,
                &ctx.actor,
                TaskInput {
                    number,
                    title,
                    content,
                    source,
                    source_ref,
                    item_code: item,
                    lead_unit: lead,
                    co_units: co,
                    leader,
                    deadline,
                    sign_within: Some(sign_within),
                    cadence,
                    source_files: Vec::new(),
                },
                day,
            )
            .await?;
            let v = view(t);
            println!("已交办 {}，签收截止 {}", line(&v), v.sign_due);
        }
        TaskCommand::List {
            state,
            unit,
            overdue,
            format,
        } => {
            let list = tasks::list(
                &store,
                &account,
                TaskFilter {
                    state,
                    unit,
                    ..TaskFilter::default()
                },
            )
            .await?;
            let views: Vec<TaskView> = list
                .into_iter()
                .map(view)
                .filter(|v| !overdue || !v.lateness.is_empty())
                .collect();
            match format {
                ShowFormat::Json => print_json(&views)?,
                ShowFormat::Table => {
                    let mut t = table(&[
                        "编号",
                        "督办编号",
                        "事项",
                        "来源",
                        "牵头单位",
                        "期限",
                        "状态",
                        "逾期",
                    ]);
                    for v in &views {
                        t.add_row(vec![
                            v.task.id.to_string(),
                            v.task.number.clone(),
                            v.task.title.clone(),
                            v.task.source.label().to_string(),
                            v.task.lead_unit.clone(),
                            v.task.due.to_string(),
                            v.task.state.label().to_string(),
                            v.lateness
                                .iter()
                                .map(|l| l.label())
                                .collect::<Vec<_>>()
                                .join("、"),
                        ]);
                    }
                    println!("{t}");
                    println!("共 {} 项", views.len());
                }
            }
        }
        TaskCommand::Show { task, format } => {
            let t = find(&store, &task).await?;
            let t = tasks::visible_task(&store, &account, t.id).await?;
            let events = store.task_events(t.id).await?;
            let v = view(t);
            match format {
                ShowFormat::Json => {
                    print_json(&serde_json::json!({ "task": v, "events": events }))?
                }
                ShowFormat::Table => {
                    println!("{}", line(&v));
                    println!(
                        "来源：{} {}；配合单位：{}；包抓领导：{}；签收截止 {}；{}",
                        v.task.source.label(),
                        or_dash(v.task.source_ref.clone()),
                        if v.task.co_units.is_empty() {
                            "—".to_string()
                        } else {
                            v.task.co_units.join("、")
                        },
                        or_dash(v.task.leader.as_ref().map(|l| l.to_string())),
                        v.sign_due,
                        v.task.cadence.label()
                    );
                    println!("交办内容：{}", v.task.content);
                    let mut tb = table(&["日期", "操作", "操作人", "单位", "说明"]);
                    for e in &events {
                        tb.add_row(vec![
                            e.on_day.clone(),
                            e.label().to_string(),
                            e.actor.clone(),
                            or_dash(e.unit.clone()),
                            or_dash(e.note.clone()),
                        ]);
                    }
                    println!("{tb}");
                }
            }
        }
        TaskCommand::Sign { task } => {
            println!("已签收 {}", line(&view(mv(task, TaskMove::Sign).await?)))
        }
        TaskCommand::Feedback { task, note } => {
            println!(
                "已反馈 {}",
                line(&view(mv(task, TaskMove::Feedback { note }).await?))
            )
        }
        TaskCommand::RequestClose { task, report } => println!(
            "已申请办结 {}",
            line(&view(mv(task, TaskMove::RequestClose { report }).await?))
        ),
        TaskCommand::Close { task } => {
            println!("已办结 {}", line(&view(mv(task, TaskMove::Close).await?)))
        }
        TaskCommand::SendBack { task, reason } => println!(
            "已退回 {}",
            line(&view(mv(task, TaskMove::SendBack { reason }).await?))
        ),
        TaskCommand::Withdraw { task, reason } => println!(
            "已撤销 {}",
            line(&view(mv(task, TaskMove::Withdraw { reason }).await?))
        ),
    }
    Ok(ExitCode::SUCCESS)
}
