//! `duban indicator` — import and list region indicators (指标).

use std::process::ExitCode;

use duban_core::rates::one_decimal;
use duban_store::IndicatorRow;

use super::{Ctx, period_or_last};
use crate::cli::{IndicatorImportArgs, ShowFormat};
use crate::render::{or_dash, print_json, table};

pub async fn import(ctx: &Ctx, a: IndicatorImportArgs) -> anyhow::Result<ExitCode> {
    let period = a
        .period
        .as_deref()
        .map(duban_core::Period::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let store = ctx.store().await?;
    let city = store.city_name().await?;
    let read = duban_office::read_indicators(&a.file, period, &city)?;
    let rows: Vec<IndicatorRow> = read
        .rows
        .into_iter()
        .map(|(source, value)| IndicatorRow { source, value })
        .collect();
    let done = store
        .import_indicators_checked(&ctx.actor, &read.indicators, &rows, a.dry_run)
        .await?;
    store.close().await;
    println!(
        "{} {} 条指标数值；新定义指标 {} 个{}",
        if a.dry_run {
            "检查通过（未写入），可导入"
        } else {
            "已导入"
        },
        done.values,
        done.new_indicators.len(),
        if done.new_indicators.is_empty() {
            String::new()
        } else {
            format!("：{}", done.new_indicators.join("、"))
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn list(ctx: &Ctx, period: Option<&str>, format: ShowFormat) -> anyhow::Result<ExitCode> {
    let period = period_or_last(period)?;
    let store = ctx.store().await?;
    let city = store.city_name().await?;
    let comparisons = store.indicator_comparisons(period, &city).await?;
    store.close().await;
    if format == ShowFormat::Json {
        print_json(&comparisons)?;
        return Ok(ExitCode::SUCCESS);
    }
    if comparisons.is_empty() {
        println!(
            "{}没有指标数据（用 duban indicator import 导入）",
            period.label()
        );
    }
    let fig = |v: Option<rust_decimal::Decimal>| or_dash(v.map(|v| one_decimal(v).to_string()));
    for c in &comparisons {
        let ind = &c.indicator;
        println!(
            "{}（{}，{}）{}：{}{}",
            ind.name,
            if ind.unit.is_empty() {
                "—"
            } else {
                &ind.unit
            },
            if ind.higher_is_better {
                "越高越好"
            } else {
                "越低越好"
            },
            period.label(),
            c.basis,
            fig(c.city)
        );
        let mut t = table(&[
            "名次",
            "地区",
            "完成值",
            "目标值",
            "与目标差",
            "与全市差",
            "",
        ]);
        for r in &c.regions {
            let mut flags = Vec::new();
            if r.below_target(ind) {
                flags.push("未完成目标");
            }
            if r.below_city(ind) {
                flags.push(if c.basis == "全市" {
                    "落后全市"
                } else {
                    "落后平均"
                });
            }
            t.add_row(vec![
                or_dash(r.rank.map(|r| r.to_string())),
                r.region.clone(),
                fig(r.value),
                fig(r.target),
                fig(r.vs_target),
                fig(r.vs_city),
                flags.join("、"),
            ]);
        }
        println!("{t}");
    }
    Ok(ExitCode::SUCCESS)
}
