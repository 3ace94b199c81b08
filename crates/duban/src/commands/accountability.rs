//! `duban scheme show|set` and `duban accountability list|record|confirm|dismiss` — the
//! office's assessment schemes (考核方案) and its register of 约谈, 问责, 绩效库 and 负面清单.

use std::process::ExitCode;

use anyhow::Context;
use duban_app::{accountability as register, assessment};
use duban_core::accountability::{RecordKind, RecordState};
use duban_store::{Grouping, NewRecord, RecordFilter};

use super::Ctx;
use crate::cli::{AccountabilityCommand, RankBy, SchemeCommand, ShowFormat};
use crate::render::{print_json, table};

fn grouping(by: RankBy) -> Grouping {
    match by {
        RankBy::Region => Grouping::Region,
        RankBy::Department => Grouping::Department,
    }
}

pub async fn scheme(ctx: &Ctx, c: SchemeCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        SchemeCommand::Show { year, by } => {
            let (_, toml, saved) = assessment::scheme_for(&store, year, grouping(by)).await?;
            if !saved {
                eprintln!(
                    "{year} 年{}考核方案尚未制定，以下为系统默认方案",
                    grouping(by).label()
                );
            }
            print!("{toml}");
        }
        SchemeCommand::Set { year, file, by } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取 {}", file.display()))?;
            let scheme = assessment::save_scheme(
                &store,
                &ctx.office(),
                &ctx.actor,
                year,
                grouping(by),
                &text,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}：{e}", file.display()))?;
            println!(
                "已保存 {year} 年{}考核方案“{}”（{} 项考核指标）",
                grouping(by).label(),
                scheme.name,
                scheme.criteria.len()
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn run(ctx: &Ctx, c: AccountabilityCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let office = ctx.office();
    match c {
        AccountabilityCommand::List {
            kind,
            state,
            unit,
            format,
        } => {
            let filter = RecordFilter {
                kind: kind
                    .map(|k| RecordKind::parse(&k))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("--kind：{e}"))?,
                state: state
                    .map(|k| RecordState::parse(&k))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("--state：{e}"))?,
                unit,
                leader: None,
            };
            let entries = register::register(&store, &office, filter).await?;
            match format {
                ShowFormat::Json => print_json(&entries)?,
                ShowFormat::Table => {
                    let mut t = table(&["编号", "类别", "单位", "领导", "事由", "依据", "状态"]);
                    for e in &entries {
                        t.add_row(vec![
                            e.id.to_string(),
                            e.kind.label().to_string(),
                            e.unit.clone(),
                            e.leader.clone().unwrap_or_default(),
                            e.reason.clone(),
                            e.evidence.clone(),
                            e.state.label().to_string(),
                        ]);
                    }
                    println!("{t}");
                }
            }
        }
        AccountabilityCommand::Record {
            kind,
            unit,
            reason,
            evidence,
            source,
            leader,
            on,
            by,
            outcome,
            document,
        } => {
            let kind = RecordKind::parse(&kind).map_err(|e| anyhow::anyhow!("类别：{e}"))?;
            let id = register::record(
                &store,
                &office,
                &ctx.actor,
                &NewRecord {
                    kind: Some(kind),
                    unit,
                    leader,
                    reason,
                    source,
                    evidence,
                    held_on: on,
                    held_by: by,
                    outcome,
                    document,
                },
            )
            .await?;
            println!("{id}");
        }
        AccountabilityCommand::Confirm { id } | AccountabilityCommand::Dismiss { id } => {
            let confirm = matches!(c, AccountabilityCommand::Confirm { .. });
            let e = register::decide(&store, &office, &ctx.actor, id, confirm).await?;
            println!("{}：{} {}", e.state.label(), e.kind.label(), e.unit);
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
