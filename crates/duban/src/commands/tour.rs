//! `duban tour create|import-scores|result` — inspection tours (观摩评比) as the office runs
//! them from the command line: set, scored on paper and imported, the result.

use std::process::ExitCode;

use anyhow::Context;
use duban_app::tours;
use duban_core::tour::{ScoreSheet, SheetCriterion, Trim};
use duban_store::NewTour;
use rust_decimal::Decimal;

use super::Ctx;
use crate::cli::{ShowFormat, TourCommand};
use crate::render::{print_json, table};

/// "形象进度:40" → the criterion.
fn criterion(text: &str) -> anyhow::Result<SheetCriterion> {
    let (name, max) = text
        .rsplit_once([':', '：'])
        .with_context(|| format!("评分项“{text}”应写作 名称:满分（如 形象进度:40）"))?;
    let max: Decimal = max
        .trim()
        .parse()
        .with_context(|| format!("评分项“{text}”的满分“{max}”不是数"))?;
    Ok(SheetCriterion {
        name: name.trim().to_string(),
        max,
    })
}

pub async fn run(ctx: &Ctx, c: TourCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        TourCommand::Create {
            name,
            date,
            items,
            judges,
            criteria,
            drop_highest,
            drop_lowest,
        } => {
            let criteria = criteria
                .iter()
                .map(|c| criterion(c))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let id = store
                .create_tour(
                    &ctx.actor,
                    &NewTour {
                        name,
                        held_on: date,
                        items,
                        judges,
                        criteria,
                        trim: Trim {
                            highest: drop_highest,
                            lowest: drop_lowest,
                        },
                    },
                )
                .await?;
            println!("{id}");
        }
        TourCommand::ImportScores { tour, file } => {
            let t = store.tour(tour).await?;
            let names: Vec<String> = t.sheet_criteria().into_iter().map(|c| c.name).collect();
            let rows = duban_office::read_scores(&file, &names)?;
            let sheets: Vec<ScoreSheet> = rows
                .into_iter()
                .map(|r| ScoreSheet {
                    judge: r.judge,
                    project: r.project,
                    scores: r.scores,
                    total: r.total,
                })
                .collect();
            let n = store.save_score_sheets(&ctx.actor, tour, &sheets).await?;
            println!("已导入“{}”的评分表 {n} 张", t.name);
        }
        TourCommand::Close { tour } => {
            let t = tours::close(&store, &ctx.office(), &ctx.actor, tour).await?;
            println!("“{}”已结束评分，评分表不再修改", t.name);
        }
        TourCommand::Publish { tour } => {
            let (t, proposed) = tours::publish(&store, &ctx.office(), &ctx.actor, tour).await?;
            println!(
                "“{}”的评比结果已公布；建议列入绩效库、负面清单 {proposed} 条，待督查室确认",
                t.name
            );
        }
        TourCommand::Result { tour, format } => {
            let (t, r) = store.tour_result(tour).await?;
            let name_of = |code: &str| {
                t.items
                    .iter()
                    .find(|i| i.code == code)
                    .map(|i| i.name.clone())
                    .unwrap_or_default()
            };
            match format {
                ShowFormat::Json => print_json(&tours::result_json(&t, &r))?,
                ShowFormat::Table => {
                    println!("{}（{}）", t.name, t.held_on);
                    let mut tab =
                        table(&["名次", "项目编号", "项目名称", "责任单位", "评分", "平均分"]);
                    for p in &r.projects {
                        let scores: Vec<String> = p
                            .totals
                            .iter()
                            .map(|s| match s.dropped {
                                Some(_) => format!("({})", s.total.normalize()),
                                None => s.total.normalize().to_string(),
                            })
                            .collect();
                        tab.add_row(vec![
                            p.rank.map_or("—".into(), |r| r.to_string()),
                            p.project.clone(),
                            name_of(&p.project),
                            p.unit.clone(),
                            scores.join(" "),
                            p.average
                                .map_or("未评分".into(), |a| a.normalize().to_string()),
                        ]);
                    }
                    println!("{tab}");
                    println!("括号内为去掉的最高分、最低分。");
                    let mut units = table(&["名次", "单位", "项目数", "平均分"]);
                    for u in &r.units {
                        units.add_row(vec![
                            u.rank.to_string(),
                            u.unit.clone(),
                            u.projects.to_string(),
                            u.average.normalize().to_string(),
                        ]);
                    }
                    println!("{units}");
                }
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
