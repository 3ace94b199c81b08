//! `duban report submit|history`.

use std::io::Read;
use std::process::ExitCode;

use duban_core::{MilestoneReached, MoneyUnit, Period, ReportDraft, Wan};
use duban_store::Submission;

use super::{Ctx, today};
use crate::cli::{ReportSubmitArgs, ShowFormat};
use crate::render::{or_dash, print_json, table};

fn money(flag: &str, text: &Option<String>) -> anyhow::Result<Option<Wan>> {
    text.as_deref()
        .map(|t| Wan::parse(t, MoneyUnit::Wan).map_err(|e| anyhow::anyhow!("{flag}：{e}")))
        .transpose()
}

fn draft_from_flags(a: &ReportSubmitArgs) -> anyhow::Result<ReportDraft> {
    let milestones = a
        .milestones
        .iter()
        .map(|m| {
            let (name, date) = m.split_once(['=', '＝']).ok_or_else(|| {
                anyhow::anyhow!("--milestone “{m}” 应写成 名称=YYYY-MM-DD，如 开工=2025-06-18")
            })?;
            let date = date
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--milestone “{m}”：日期应为 YYYY-MM-DD"))?;
            Ok(MilestoneReached {
                name: name.trim().to_string(),
                date,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ReportDraft {
        ytd: money("--ytd", &a.ytd)?,
        this_period: money("--this-period", &a.this_period)?,
        progress_text: a.progress.clone(),
        progress_percent: a.percent,
        milestones,
        narrative: a.narrative.clone(),
        problems: a.problems.clone(),
    })
}

pub async fn submit(ctx: &Ctx, a: ReportSubmitArgs) -> anyhow::Result<ExitCode> {
    let period = Period::parse(&a.period).map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let report = match &a.json {
        Some(path) => {
            let mut text = String::new();
            if path.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(path)?;
            }
            serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("--json：{e}（字段见 docs/json.md）"))?
        }
        None => draft_from_flags(&a)?,
    };
    let store = ctx.store().await?;
    let stored = store
        .submit_report(
            &ctx.actor,
            Submission {
                code: a.code.clone(),
                period,
                report,
                reason: a.reason.clone(),
                submitted_on: today(),
            },
        )
        .await?;
    store.close().await;
    let due = period.due(duban_core::report::DEFAULT_DUE_DAY);
    println!(
        "{} {} 进度已{}（第 {} 版）：累计完成 {} 万元，本月 {} 万元{}",
        stored.code,
        stored.period,
        if stored.revision == 1 {
            "报送"
        } else {
            "更正"
        },
        stored.revision,
        stored
            .report
            .ytd
            .map(|w| w.to_string())
            .unwrap_or_else(|| "—".into()),
        stored
            .report
            .this_period
            .map(|w| w.to_string())
            .unwrap_or_else(|| "—".into()),
        if stored.revision == 1 && stored.submitted_on > due {
            format!("；截止日为 {due}，记为迟报")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn history(ctx: &Ctx, code: &str, format: ShowFormat) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    if store.item(code).await?.is_none() {
        anyhow::bail!("没有编号为“{code}”的项目");
    }
    let reports = store.report_history(code).await?;
    store.close().await;
    match format {
        ShowFormat::Json => print_json(&reports)?,
        ShowFormat::Table => {
            let mut t = table(&[
                "填报期",
                "版本",
                "累计完成(万元)",
                "本月完成(万元)",
                "形象进度",
                "报送日期",
                "报送人",
                "更正原因",
            ]);
            for r in &reports {
                t.add_row(vec![
                    r.period.to_string(),
                    r.revision.to_string(),
                    or_dash(r.report.ytd.map(|w| w.to_string())),
                    or_dash(r.report.this_period.map(|w| w.to_string())),
                    or_dash(r.report.progress_text.clone()),
                    r.submitted_on.to_string(),
                    r.submitted_by.clone(),
                    or_dash(r.reason.clone()),
                ]);
            }
            println!("{t}");
            println!("共 {} 条（含更正）", reports.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
