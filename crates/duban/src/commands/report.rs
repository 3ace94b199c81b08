//! `duban report submit|history`.

use std::io::Read;
use std::process::ExitCode;

use duban_core::{MilestoneReached, MoneyUnit, Period, ReportDraft, Wan};

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
    let input = duban_app::reporting::ReportInput {
        evidence: Vec::new(),
        period: a.period.clone(),
        report,
        reason: a.reason.clone(),
    };
    let stored = duban_app::reporting::submit(
        &store,
        &ctx.office(),
        &ctx.actor,
        &stored_code(&a.code),
        input,
        today(),
    )
    .await
    .map_err(|e| match e.to_string() {
        // The store's words are for every caller; on the command line the flag is named.
        m if m.contains("更正须说明原因") => anyhow::anyhow!("{m}（--reason）"),
        _ => anyhow::Error::from(e),
    })?;
    let kind = store
        .item(&stored_code(&a.code))
        .await?
        .map(|r| r.item.kind);
    let due = match kind {
        Some(k) => store.calendar().await?.schedule(k).due(period),
        None => duban_store::Schedule::default().due(period),
    };
    store.close().await;
    println!(
        "{} {} 进度已{}（第 {} 版）：累计完成 {} 万元，本期 {} 万元{}",
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

fn stored_code(code: &str) -> String {
    code.trim().to_string()
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
                "本期完成(万元)",
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

/// `duban report template --unit U --period P -o F.xlsx`.
pub async fn template(
    ctx: &Ctx,
    unit: &str,
    period: &str,
    output: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let period = Period::parse(period).map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let store = ctx.store().await?;
    let canonical = store
        .units()
        .await?
        .into_iter()
        .find(|u| u.unit.answers_to(unit.trim()))
        .map(|u| u.unit.name)
        .ok_or_else(|| anyhow::anyhow!("没有名为“{unit}”的单位（duban units list 可查看）"))?;
    let sheet = duban_app::ledger_io::report_sheet(&store, &canonical, period, true).await;
    store.close().await;
    let Some((rows, due)) = sheet? else {
        anyhow::bail!(
            "“{canonical}”在 {} 年没有{}填报的牵头项目（各类事项的填报周期见 duban report calendar）",
            period.year(),
            period.cadence().label()
        );
    };
    duban_office::write_report_template(output, &canonical, period, due, &rows)?;
    println!(
        "已生成 {canonical} {period} 填报表：{} 个项目，{}（报送截止 {due}）",
        rows.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban report import F.xlsx`.
pub async fn import(
    ctx: &Ctx,
    file: &std::path::Path,
    period: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let period = period
        .map(Period::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let read = duban_office::read_report_sheet(file, period)?;
    if !read.errors.is_empty() {
        eprintln!("以下 {} 处无法读取，未写入任何数据：", read.errors.len());
        for e in &read.errors {
            eprintln!("  {e}");
        }
        return Ok(ExitCode::FAILURE);
    }
    let store = ctx.store().await?;
    let period = read.period;
    let batch = duban_app::ledger_io::report_batch(read, today());
    let done = store.submit_reports(&ctx.actor, batch, dry_run).await;
    store.close().await;
    let done = done?;
    println!(
        "{}{} 进度 {} 条{}",
        if dry_run {
            "试报送（未写入）："
        } else {
            "已报送："
        },
        period,
        done.len(),
        if done.is_empty() {
            "（表中没有填写任何数据）"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban report compliance --period P`: on time, late (迟报) and missing (漏报) by unit.
pub async fn compliance(
    ctx: &Ctx,
    period: &str,
    as_of: Option<chrono::NaiveDate>,
    format: ShowFormat,
) -> anyhow::Result<ExitCode> {
    let period = Period::parse(period).map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let as_of = as_of.unwrap_or_else(today);
    let store = ctx.store().await?;
    let units = store.compliance(period, as_of).await;
    store.close().await;
    let units = units?;
    match format {
        ShowFormat::Json => print_json(&units)?,
        ShowFormat::Table => {
            let mut t = table(&["单位", "应报", "按时", "迟报", "漏报", "报送及时率"]);
            for u in &units {
                t.add_row(vec![
                    u.unit.clone(),
                    u.required.to_string(),
                    u.on_time.to_string(),
                    u.late.to_string(),
                    u.missing.to_string(),
                    u.on_time_rate
                        .map(|r| format!("{r:.1}%"))
                        .unwrap_or_else(|| "—".into()),
                ]);
            }
            println!("{t}");
            println!("{period} 进度报送情况（统计至 {as_of}；截止日按各类事项的填报周期）");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `duban report calendar [--kind K [--cadence C] [--due-day N]]`.
pub async fn calendar(
    ctx: &Ctx,
    kind: Option<duban_core::ItemKind>,
    cadence: Option<duban_core::Cadence>,
    due_day: Option<u32>,
) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    if let Some(kind) = kind {
        if cadence.is_none() && due_day.is_none() {
            anyhow::bail!("--kind 须与 --cadence 或 --due-day 一起使用");
        }
        let now = store.calendar().await?.schedule(kind);
        let cadence = cadence.unwrap_or(now.cadence);
        // A new cadence without a due day takes that cadence's default.
        let due_day = due_day.unwrap_or(if cadence == now.cadence {
            now.due_day
        } else {
            cadence.default_due_day()
        });
        let schedule = duban_store::Schedule { cadence, due_day };
        store.set_schedule(&ctx.actor, kind, schedule).await?;
        println!("{}改为{}报送", kind.label(), schedule.describe());
    }
    let cal = store.calendar().await?;
    store.close().await;
    let mut t = table(&["事项类型", "填报周期", "报送截止"]);
    for k in duban_core::ItemKind::ALL {
        let s = cal.schedule(*k);
        t.add_row(vec![
            k.label().to_string(),
            s.cadence.label().to_string(),
            format!("{}前", s.cadence.describe_due(s.due_day)),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// `duban report period close|open|list [--period P]`.
pub async fn period(ctx: &Ctx, action: &str, period: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    if action != "list" {
        let p = Period::parse(period.ok_or_else(|| {
            anyhow::anyhow!("请用 --period 指定填报期，如 2025-06、2025-Q2 或 2025-W23")
        })?)
        .map_err(|e| anyhow::anyhow!("--period：{e}"))?;
        store
            .set_period_closed(&ctx.actor, p, action == "close")
            .await?;
        println!(
            "填报期 {p} 已{}",
            if action == "close" {
                "关闭：不再接受报送和更正"
            } else {
                "重新开放"
            }
        );
    }
    let closed = store.closed_periods().await?;
    store.close().await;
    if action == "list" {
        println!(
            "已关闭的填报期：{}",
            if closed.is_empty() {
                "无".to_string()
            } else {
                closed
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、")
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
