//! `duban export ledger -o FILE`.

use std::process::ExitCode;

use super::{Ctx, today};
use crate::cli::ExportLedgerArgs;

pub async fn ledger(ctx: &Ctx, args: ExportLedgerArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let records = store.item_records(&args.filter.to_filter()).await?;
    store.close().await;
    let count = records.len();
    let title = duban_app::ledger_io::export(&args.output, records, args.title.clone(), today())?;
    println!(
        "已导出 {} 项到 {}（标题：{}）",
        count,
        args.output.display(),
        title
    );
    Ok(ExitCode::SUCCESS)
}
