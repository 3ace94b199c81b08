//! `duban rank` and `duban rules` — rankings of a period and the rules behind them.

use std::process::ExitCode;

use duban_core::ranking::RankTable;
use duban_core::rates::{Rate, format_percent, one_decimal, yi};
use duban_store::Grouping;

use super::{Ctx, period_or_last, thresholds, today};
use crate::cli::{RankArgs, RankBy, RulesCommand, ShowFormat};
use crate::render::{print_json, table};

pub async fn run(ctx: &Ctx, a: RankArgs) -> anyhow::Result<ExitCode> {
    let period = period_or_last(a.period.period.as_deref())?;
    let th = thresholds(a.period.thresholds.as_deref())?;
    let grouping = match a.by {
        RankBy::Region => Grouping::Region,
        RankBy::Department => Grouping::Department,
    };
    let store = ctx.store().await?;
    let t = store.rank_table(period, grouping, today(), &th).await?;
    store.close().await;
    if let Some(path) = &a.xlsx {
        let title = format!("{}{}排名", period.label(), grouping.label());
        let bytes = duban_office::write_ranking(&t, &title, grouping.label())?;
        std::fs::write(path, bytes)
            .map_err(|e| anyhow::anyhow!("写入 {} 失败：{e}", path.display()))?;
        eprintln!("已导出：{}", path.display());
    }
    match a.format {
        ShowFormat::Json => print_json(&serde_json::json!({
            "period": period,
            "by": grouping,
            "table": t,
        }))?,
        ShowFormat::Table => print_table(&t, &period.label(), grouping),
    }
    Ok(ExitCode::SUCCESS)
}

/// The rates shown in the terminal (the JSON has all).
const SHOWN: &[Rate] = &[
    Rate::Investment,
    Rate::Start,
    Rate::Completion,
    Rate::Milestone,
    Rate::OnTime,
    Rate::ProblemClosure,
    Rate::Signing,
];

fn print_table(t: &RankTable, period: &str, grouping: Grouping) {
    let mut headers = vec![
        "名次",
        "升降",
        grouping.label(),
        "综合得分",
        "事项",
        "序时进度",
    ];
    headers.extend(SHOWN.iter().map(|r| r.label()));
    let mut out = table(&headers);
    let cell = |cells: &[duban_core::ranking::RateCell], r: Rate| {
        let c = cells
            .iter()
            .find(|c| c.rate == r)
            .expect("every rate has a cell");
        if c.denominator.is_zero() {
            "无数据".to_string()
        } else if r.is_money() {
            format!(
                "{}\n{}/{}亿",
                format_percent(c.percent),
                yi(c.numerator),
                yi(c.denominator)
            )
        } else {
            format!(
                "{}\n{}/{}",
                format_percent(c.percent),
                c.numerator,
                c.denominator
            )
        }
    };
    for row in &t.rows {
        let mut line = vec![
            row.composite
                .rank
                .map(|r| r.to_string())
                .unwrap_or_else(|| "—".into()),
            row.movement.clone(),
            if row.called_in {
                format!("{}（约谈）", row.unit)
            } else {
                row.unit.clone()
            },
            row.composite
                .value
                .map(|v| format!("{:.1}", one_decimal(v)))
                .unwrap_or_else(|| "无数据".into()),
            row.items.to_string(),
            format_percent(row.time_progress),
        ];
        line.extend(SHOWN.iter().map(|r| cell(&row.rates, *r)));
        out.add_row(line);
    }
    let mut city = vec![
        String::new(),
        String::new(),
        "全市".into(),
        String::new(),
        t.overall_items.to_string(),
        format_percent(t.overall_time_progress),
    ];
    city.extend(SHOWN.iter().map(|r| cell(&t.overall, *r)));
    out.add_row(city);
    println!(
        "{period} {}排名（综合得分按 duban rules show 的权重；分子/分母可核对）",
        grouping.label()
    );
    println!("{out}");
    if t.called_in.is_empty() {
        println!("约谈：无（规则：{}）", t.rules.talk_text());
    } else {
        println!(
            "约谈：{}（{}）",
            t.called_in.join("、"),
            t.rules.talk_text()
        );
    }
}

pub async fn rules(ctx: &Ctx, c: RulesCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        RulesCommand::Show => print!("{}", store.ranking_rules().await?.to_toml()),
        RulesCommand::Set { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("{}：{e}", file.display()))?;
            let rules = store
                .set_ranking_rules(&ctx.actor, &text)
                .await
                .map_err(|e| anyhow::anyhow!("{}：{e}", file.display()))?;
            println!("排名规则已更新：");
            print!("{}", rules.to_toml());
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
