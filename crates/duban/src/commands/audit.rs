//! `duban audit verify` — checks the audit trail's hash chain.

use std::process::ExitCode;

use super::Ctx;
use crate::cli::ShowFormat;
use crate::render::print_json;

pub async fn verify(ctx: &Ctx, format: ShowFormat) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let report = store.verify_audit().await?;
    store.close().await;
    match format {
        ShowFormat::Json => print_json(&report)?,
        ShowFormat::Table => match &report.first_break {
            None => println!(
                "审计链完好：{} 条记录逐条核验通过；链头 {}",
                report.checked, report.head
            ),
            Some(b) => println!(
                "审计链被破坏：{b}。已核验 {} 条（链应有 {} 条）",
                report.checked, report.rows
            ),
        },
    }
    Ok(if report.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
