//! `duban status` — every item's colour on a date, with its reasons.

use std::process::ExitCode;

use chrono::Datelike;
use duban_core::Colour;

use super::{Ctx, today};
use crate::cli::{ShowFormat, StatusArgs};
use crate::render::{or_dash, print_json, table};

fn lamp(c: Colour) -> &'static str {
    match c {
        Colour::Green => "● 绿",
        Colour::Yellow => "● 黄",
        Colour::Red => "● 红",
    }
}

pub async fn run(ctx: &Ctx, a: StatusArgs) -> anyhow::Result<ExitCode> {
    let as_of = a.as_of.unwrap_or_else(today);
    let year = a.year.unwrap_or(as_of.year());
    let wanted = match a.colour.as_deref() {
        None => None,
        Some("red" | "红") => Some(Colour::Red),
        Some("yellow" | "黄") => Some(Colour::Yellow),
        Some("green" | "绿") => Some(Colour::Green),
        Some(other) => anyhow::bail!("--colour “{other}” 应为 red、yellow 或 green"),
    };
    let store = ctx.store().await?;
    let th = super::thresholds(a.thresholds.as_deref())?;
    let mut rows = store.status(year, a.unit.as_deref(), as_of, &th).await?;
    store.close().await;
    let counts = [Colour::Red, Colour::Yellow, Colour::Green]
        .map(|c| rows.iter().filter(|(_, s)| s.colour == c).count());
    if let Some(c) = wanted {
        rows.retain(|(_, s)| s.colour == c);
    }
    match a.format {
        ShowFormat::Json => {
            let out: Vec<_> = rows.iter().map(|(i, s)| s.row(i)).collect();
            print_json(&out)?;
        }
        ShowFormat::Table => {
            // Red first, then yellow, then by lag.
            rows.sort_by(|(_, x), (_, y)| y.colour.cmp(&x.colour).then(y.lag.cmp(&x.lag)));
            let limit = match a.limit {
                Some(0) => rows.len(),
                Some(n) => n,
                None => 50,
            };
            let mut t = table(&[
                "预警",
                "项目编号",
                "项目名称",
                "牵头单位",
                "序时进度",
                "完成",
                "滞后",
                "预计全年",
                "原因",
            ]);
            let pct = |d: Option<rust_decimal::Decimal>| {
                or_dash(d.map(|d| format!("{:.1}%", d.round_dp(1))))
            };
            for (i, s) in rows.iter().take(limit) {
                t.add_row(vec![
                    lamp(s.colour).to_string(),
                    i.code.clone(),
                    i.name.clone(),
                    i.lead_unit.clone(),
                    pct(Some(s.t)),
                    pct(s.p),
                    or_dash(s.lag.map(|l| format!("{:.1}", l.round_dp(1)))),
                    pct(s.projection),
                    s.reasons
                        .iter()
                        .map(|r| r.text.as_str())
                        .collect::<Vec<_>>()
                        .join("；"),
                ]);
            }
            println!("{t}");
            println!(
                "截至 {as_of}（{year} 年）：红 {} 项，黄 {} 项，绿 {} 项{}",
                counts[0],
                counts[1],
                counts[2],
                if rows.len() > limit {
                    format!("；显示前 {limit} 项（--limit 0 显示全部）")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
