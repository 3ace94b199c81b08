//! `duban milestones plan CODE --template 建设 --target DATE` — reverse scheduling (倒排工期).

use std::process::ExitCode;

use super::Ctx;
use crate::cli::MilestonesPlanArgs;
use crate::render::{or_dash, table};

pub async fn plan(ctx: &Ctx, args: MilestonesPlanArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let Some(record) = store.item(&args.code).await? else {
        anyhow::bail!("没有编号为“{}”的项目", args.code);
    };
    let plan = store
        .plan_milestones(
            &ctx.actor,
            &record.item.code,
            args.template,
            args.start,
            args.target,
            // The command line is the office's tool: its plan is the approved one.
            duban_store::PlanAuthority::Office,
        )
        .await?;
    store.close().await;
    let mut t = table(&["节点", "计划完成", "实际完成"]);
    for m in &plan {
        t.add_row(vec![
            m.name.clone(),
            or_dash(m.planned.map(|d| d.to_string())),
            or_dash(m.actual.map(|d| d.to_string())),
        ]);
    }
    println!(
        "{}（{}）节点已按{}模板倒排至 {}：\n{t}",
        record.item.name,
        record.item.code,
        args.template.label(),
        args.target
    );
    Ok(ExitCode::SUCCESS)
}
