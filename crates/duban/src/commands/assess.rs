//! `duban assess` — the assessment (考核) of a range of periods, ranked, every point explained.

use std::process::ExitCode;

use anyhow::Context;
use duban_app::assessment::{self, AssessRequest};
use duban_core::Period;
use duban_core::assessment::{Adjustment, Scheme};
use duban_store::Grouping;

use super::{Ctx, thresholds, today};
use crate::cli::{AssessArgs, AssessFormat, RankBy};
use crate::render::{print_json, table};

pub async fn run(ctx: &Ctx, a: AssessArgs) -> anyhow::Result<ExitCode> {
    let period = |t: &str, what: &str| Period::parse(t).map_err(|e| anyhow::anyhow!("{what}：{e}"));
    let (from, to) = (period(&a.from, "--from")?, period(&a.to, "--to")?);
    let scheme = match &a.scheme {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("无法读取 {}", path.display()))?;
            Some(Scheme::from_toml(&text).map_err(|e| anyhow::anyhow!("{}：{e}", path.display()))?)
        }
        None => None,
    };
    if matches!(a.format, AssessFormat::Xlsx | AssessFormat::Docx) && a.output.is_none() {
        anyhow::bail!("--format xlsx 或 docx 需要 -o 文件名");
    }
    let adjustments = a
        .adjustments
        .iter()
        .map(|t| Adjustment::parse(t).map_err(|e| anyhow::anyhow!("--adjust {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let grouping = match a.by {
        RankBy::Region => Grouping::Region,
        RankBy::Department => Grouping::Department,
    };
    let store = ctx.store().await?;
    let scheme = match scheme {
        Some(s) => s,
        None => assessment::scheme_for(&store, to.year(), grouping).await?.0,
    };
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
            headers.extend(result.scheme.criteria.iter().map(|c| c.name.as_str()));
            let mut t = table(&headers);
            for r in assessment::rows(&result) {
                t.add_row(r);
            }
            println!("{t}");
            println!("每一分的来历：duban assess … --format json");
        }
        AssessFormat::Docx | AssessFormat::Xlsx => {
            let path = a.output.as_ref().expect("checked above");
            let bytes = if matches!(a.format, AssessFormat::Docx) {
                assessment::docx(&result, &issuer, today())?
            } else {
                assessment::xlsx(&result)?
            };
            std::fs::write(path, bytes).with_context(|| format!("写入 {} 失败", path.display()))?;
            println!("已导出：{}", path.display());
        }
    }
    if a.publish {
        let store = ctx.store().await?;
        let (id, proposed) =
            assessment::publish(&store, &ctx.office(), &ctx.actor, &result).await?;
        store.close().await;
        println!(
            "已发布考核结果（编号 {id}）；建议列入绩效库、负面清单 {proposed} 条，待督查室确认"
        );
    }
    Ok(ExitCode::SUCCESS)
}
