//! `duban problem add|assign|start|request-close|close|send-back|list|show`.

use std::process::ExitCode;

use duban_core::{Move, Role};
use duban_store::{NewProblem, Problem, ProblemFilter};

use super::{Ctx, today};
use crate::cli::{ProblemArgs, ProblemCommand, ShowFormat};
use crate::render::{or_dash, print_json, table};

fn line(p: &Problem) -> String {
    format!(
        "问题 {}（{} {}）：{}，{}{}",
        p.id,
        p.code,
        p.item_name,
        p.state.label(),
        p.assigned_unit
            .as_deref()
            .map(|u| format!("承办单位 {u}"))
            .unwrap_or_else(|| "未交办".into()),
        p.due.map(|d| format!("，限 {d} 前")).unwrap_or_default()
    )
}

pub async fn run(ctx: &Ctx, a: ProblemArgs) -> anyhow::Result<ExitCode> {
    let who = Role::parse(&a.role);
    let store = ctx.store().await?;
    let moved = |mv: Move, id: i64| {
        let (store, who) = (&store, &who);
        async move { store.move_problem(&ctx.actor, who, id, mv).await }
    };
    match a.command {
        ProblemCommand::Add {
            code,
            category,
            description,
            level,
            listed,
        } => {
            let p = store
                .raise_problem(
                    &ctx.actor,
                    &who,
                    NewProblem {
                        code,
                        category,
                        escalation: level,
                        description,
                        listed,
                    },
                )
                .await?;
            println!("已提出{}", line(&p));
        }
        ProblemCommand::Assign { id, unit, due } => {
            println!("{}", line(&moved(Move::Assign { unit, due }, id).await?))
        }
        ProblemCommand::Start { id } => println!("{}", line(&moved(Move::Start, id).await?)),
        ProblemCommand::RequestClose { id, note } => {
            println!("{}", line(&moved(Move::RequestClosure { note }, id).await?))
        }
        ProblemCommand::Close { id } => println!("{}", line(&moved(Move::Close, id).await?)),
        ProblemCommand::SendBack { id, reason } => {
            println!("{}", line(&moved(Move::SendBack { reason }, id).await?))
        }
        ProblemCommand::List {
            state,
            unit,
            overdue,
            as_of,
            format,
        } => {
            let as_of = as_of.unwrap_or_else(today);
            let mut list = store
                .problems(&ProblemFilter {
                    state,
                    unit,
                    code: None,
                })
                .await?;
            if overdue {
                list.retain(|p| p.overdue(as_of));
            }
            match format {
                ShowFormat::Json => {
                    let out: Vec<serde_json::Value> = list
                        .iter()
                        .map(|p| {
                            let mut v = serde_json::to_value(p).unwrap_or_default();
                            v["overdue"] = serde_json::json!(p.overdue(as_of));
                            v
                        })
                        .collect();
                    print_json(&out)?;
                }
                ShowFormat::Table => {
                    let mut t = table(&[
                        "编号",
                        "项目",
                        "类别",
                        "层级",
                        "问题描述",
                        "状态",
                        "承办单位",
                        "时限",
                        "挂牌",
                        "逾期",
                    ]);
                    for p in &list {
                        t.add_row(vec![
                            p.id.to_string(),
                            format!("{} {}", p.code, p.item_name),
                            p.category.label().to_string(),
                            p.escalation.label().to_string(),
                            p.description.clone(),
                            p.state.label().to_string(),
                            or_dash(p.assigned_unit.clone()),
                            or_dash(p.due.map(|d| d.to_string())),
                            if p.listed { "挂牌督办" } else { "" }.to_string(),
                            if p.overdue(as_of) { "逾期" } else { "" }.to_string(),
                        ]);
                    }
                    println!("{t}");
                    println!("共 {} 个问题（截至 {as_of}）", list.len());
                }
            }
        }
        ProblemCommand::Show { id, format } => {
            let p = store
                .problems(&ProblemFilter::default())
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| anyhow::anyhow!("没有编号为 {id} 的问题"))?;
            let events = store.problem_events(id).await?;
            match format {
                ShowFormat::Json => {
                    let mut v = serde_json::to_value(&p)?;
                    v["events"] = serde_json::to_value(&events)?;
                    print_json(&v)?;
                }
                ShowFormat::Table => {
                    println!("{}\n{}", line(&p), p.description);
                    let mut t = table(&["时间 (UTC)", "操作人", "角色", "操作", "状态", "说明"]);
                    for e in &events {
                        t.add_row(vec![
                            e.at.clone(),
                            e.actor.clone(),
                            e.role.clone(),
                            e.action.clone(),
                            e.to_state.label().to_string(),
                            or_dash(e.note.clone()),
                        ]);
                    }
                    println!("{t}");
                }
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
