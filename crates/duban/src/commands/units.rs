//! `duban units list`.

use std::process::ExitCode;

use super::Ctx;
use crate::cli::ListFormat;
use crate::render::{or_dash, print_csv, print_json, table};

pub async fn list(ctx: &Ctx, format: ListFormat) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let units = store.units().await?;
    store.close().await;
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            vec![
                u.unit.name.clone(),
                u.unit.kind.label().to_string(),
                or_dash(u.unit.parent.clone()),
                or_dash(Some(u.unit.aliases.join("、"))),
                u.lead_items.to_string(),
            ]
        })
        .collect();
    let headers = ["单位名称", "类型", "上级单位", "简称/别名", "牵头事项数"];
    match format {
        ListFormat::Json => print_json(&units)?,
        ListFormat::Csv => print_csv(&headers.map(String::from), &rows)?,
        ListFormat::Table => {
            let mut t = table(&headers);
            for r in rows {
                t.add_row(r);
            }
            println!("{t}");
            println!("共 {} 个单位", units.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
