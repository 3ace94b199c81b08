//! `duban assess` — the assessment (考核) of a range of periods, ranked, every point explained.

use std::process::ExitCode;

use anyhow::Context;
use duban_app::assessment::{self, AssessRequest};
use duban_core::Period;
use duban_core::assessment::{Adjustment, Scheme};
use duban_store::Grouping;
use rust_decimal::Decimal;

use super::{Ctx, thresholds, today};
use crate::cli::{AssessArgs, AssessFormat, RankBy};
use crate::render::{print_json, table};

/// "白水县:-5:被市政府通报批评" → the adjustment.
fn adjustment(text: &str) -> anyhow::Result<Adjustment> {
    let mut parts = text.splitn(3, [':', '：']);
    let (Some(unit), Some(points), Some(reason)) = (parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("--adjust “{text}”应写作 单位:分值:理由（如 白水县:-5:被市政府通报批评）");
    };
    let points: Decimal = points
        .trim()
        .parse()
        .with_context(|| format!("--adjust “{text}”：分值“{points}”不是数"))?;
    if reason.trim().is_empty() {
        anyhow::bail!("--adjust “{text}”：加减分须写明理由");
    }
    Ok(Adjustment {
        unit: unit.trim().to_string(),
        points,
        reason: reason.trim().to_string(),
    })
}

pub async fn run(ctx: &Ctx, a: AssessArgs) -> anyhow::Result<ExitCode> {
    let period = |t: &str, what: &str| Period::parse(t).map_err(|e| anyhow::anyhow!("{what}：{e}"));
    let (from, to) = (period(&a.from, "--from")?, period(&a.to, "--to")?);
    let scheme = match &a.scheme {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("无法读取 {}", path.display()))?;
            Scheme::from_toml(&text).map_err(|e| anyhow::anyhow!("{}：{e}", path.display()))?
        }
        None => Scheme::default(),
    };
    if matches!(a.format, AssessFormat::Xlsx | AssessFormat::Docx) && a.output.is_none() {
        anyhow::bail!("--format xlsx 或 docx 需要 -o 文件名");
    }
    let adjustments = a
        .adjustments
        .iter()
        .map(|t| adjustment(t))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let grouping = match a.by {
        RankBy::Region => Grouping::Region,
        RankBy::Department => Grouping::Department,
    };
    let store = ctx.store().await?;
    let result = assessment::run(
        &store,
        &ctx.office(),
        AssessRequest {
            from,
            to,
            grouping,
            scheme,
            adjustments,
            today: today(),
            thresholds: thresholds(a.thresholds.as_deref())?,
        },
    )
    .await?;
    let issuer = format!("{}人民政府督查室", store.city_name().await?);
    store.close().await;
    let names: Vec<String> = result
        .scheme
        .criteria
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let rows: Vec<Vec<String>> = result
        .scores
        .iter()
        .map(|u| {
            let mut row = vec![
                u.rank.to_string(),
                u.unit.clone(),
                u.total.normalize().to_string(),
            ];
            row.extend(u.criteria.iter().map(|c| c.points.normalize().to_string()));
            row
        })
        .collect();
    match a.format {
        AssessFormat::Json => print_json(&result)?,
        AssessFormat::Table => {
            println!(
                "{}（{} 至 {}，{}）",
                result.scheme.name,
                from.label(),
                to.label(),
                grouping.label()
            );
            let mut headers = vec!["名次", grouping.label(), "总分"];
            headers.extend(names.iter().map(String::as_str));
            let mut t = table(&headers);
            for r in &rows {
                t.add_row(r.clone());
            }
            println!("{t}");
            println!("每一分的来历：duban assess … --format json");
        }
        AssessFormat::Docx => {
            let path = a.output.as_ref().expect("checked above");
            let doc = duban_core::assessment::document(
                &result.scheme,
                &result.scores,
                &issuer,
                (from, to),
                grouping.label(),
                today(),
            );
            let bytes = duban_office::bulletin_docx::bulletin_docx(&doc)?;
            std::fs::write(path, bytes).with_context(|| format!("写入 {} 失败", path.display()))?;
            println!("已导出：{}", path.display());
        }
        AssessFormat::Xlsx => {
            let path = a.output.as_ref().expect("checked above");
            let mut columns: Vec<(&str, f64)> =
                vec![("名次", 6.0), (grouping.label(), 24.0), ("总分", 10.0)];
            columns.extend(names.iter().map(|n| (n.as_str(), 12.0)));
            columns.push(("计分说明", 90.0));
            let explained: Vec<Vec<String>> =
                result
                    .scores
                    .iter()
                    .zip(rows)
                    .map(|(u, mut row)| {
                        let lines: Vec<String> =
                            u.criteria
                                .iter()
                                .flat_map(|c| {
                                    c.terms
                                        .iter()
                                        .map(move |t| format!("{}·{}：{}", c.name, t.label, t.why))
                                })
                                .chain(u.adjustments.iter().map(|a| {
                                    format!("加减分 {}：{}", a.points.normalize(), a.reason)
                                }))
                                .collect();
                        row.push(lines.join("\n"));
                        row
                    })
                    .collect();
            let title = format!(
                "{}（{} 至 {}）",
                result.scheme.name,
                from.label(),
                to.label()
            );
            let bytes = duban_office::write_table(
                &duban_office::TableSheet {
                    sheet: "考核结果",
                    title: &title,
                    note: "总分 = 各项考核指标得分之和（含加减分）；每项指标 = 基础分 + 各计分项",
                    columns: &columns,
                },
                &explained,
            )?;
            std::fs::write(path, bytes).with_context(|| format!("写入 {} 失败", path.display()))?;
            println!("已导出：{}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
