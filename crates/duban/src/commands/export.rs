//! `duban export ledger -o FILE`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use duban_office::{ExportOptions, write_ledger};

use super::{Ctx, today};
use crate::cli::ExportLedgerArgs;

pub async fn ledger(ctx: &Ctx, args: ExportLedgerArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let records = store.item_records(&args.filter.to_filter()).await?;
    store.close().await;
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| default_title(&records));
    let items: Vec<_> = records.iter().map(|r| r.item.clone()).collect();
    let milestones: Vec<_> = records
        .iter()
        .map(|r| (r.item.code.clone(), r.milestones.clone()))
        .collect();
    let opts = ExportOptions {
        title,
        exported_on: today().format("%Y-%m-%d").to_string(),
    };
    write_ledger(&args.output, &items, &milestones, &opts)?;
    println!(
        "已导出 {} 项到 {}（标题：{}）",
        items.len(),
        args.output.display(),
        opts.title
    );
    Ok(ExitCode::SUCCESS)
}

/// "2025年重点项目、民生实事台账" from what is exported.
fn default_title(records: &[duban_store::ItemRecord]) -> String {
    let years: BTreeSet<i32> = records.iter().map(|r| r.item.year).collect();
    let kinds: BTreeSet<_> = records.iter().map(|r| r.item.kind).collect();
    let year = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}年"),
        (Some(a), Some(b)) => format!("{a}—{b}年"),
        _ => String::new(),
    };
    let kinds: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    let kinds = if kinds.is_empty() {
        "重点项目".to_string()
    } else {
        kinds.join("、")
    };
    format!("{year}{kinds}台账")
}
