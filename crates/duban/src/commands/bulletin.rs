//! `duban bulletin` — the bulletin (通报) of a period as .docx, HTML or Markdown; `--issue`
//! issues it.

use std::process::ExitCode;

use super::{Ctx, period_or_last, thresholds, today};
use crate::cli::{BulletinArgs, BulletinFormat};

pub async fn run(ctx: &Ctx, a: BulletinArgs) -> anyhow::Result<ExitCode> {
    let period = period_or_last(a.period.period.as_deref())?;
    let th = thresholds(a.period.thresholds.as_deref())?;
    let store = ctx.store().await?;
    let issued = store.issued_bulletin(period).await?;
    if let Some(path) = &a.requirements {
        if issued.is_some() {
            anyhow::bail!("{}的通报已印发，不能再修改下步工作要求", period.label());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("--requirements {}：{e}", path.display()))?;
        store
            .set_bulletin_requirements(&ctx.actor, period, &text)
            .await?;
    }
    let (bulletin, note) = match (issued, a.issue) {
        (Some(i), true) => anyhow::bail!(
            "{}的通报已于 {} 印发（{}），不能重复印发；不加 --issue 可再次导出已印发的版本",
            period.label(),
            i.issued_on(),
            i.bulletin.number.unwrap_or_default()
        ),
        (Some(i), false) => {
            let note = format!("已印发的版本（{} 印发）", i.issued_on());
            (i.bulletin, note)
        }
        (None, issue) => {
            if issue {
                let done = store
                    .issue_current(&ctx.actor, period, today(), &th)
                    .await?;
                let note = format!(
                    "已印发：{}",
                    done.bulletin.number.clone().unwrap_or_default()
                );
                (done.bulletin, note)
            } else {
                let draft = store.draft_bulletin(period, today(), &th).await?;
                (draft, "草稿（未印发；加 --issue 印发）".to_string())
            }
        }
    };
    store.close().await;
    let format = match a.format {
        BulletinFormat::Docx => duban_app::bulletin::BulletinFormat::Docx,
        BulletinFormat::Html => duban_app::bulletin::BulletinFormat::Html,
        BulletinFormat::Md => duban_app::bulletin::BulletinFormat::Md,
    };
    let (bytes, _, _) =
        duban_app::bulletin::bulletin_file(&bulletin, format).map_err(anyhow::Error::msg)?;
    std::fs::write(&a.output, &bytes)
        .map_err(|e| anyhow::anyhow!("写入 {} 失败：{e}", a.output.display()))?;
    println!("{}，{}：{}", bulletin.title, note, a.output.display());
    Ok(ExitCode::SUCCESS)
}
