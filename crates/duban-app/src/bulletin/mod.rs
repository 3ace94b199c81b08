//! 通报文件 — a bulletin in the format asked for: Word (GB/T 9704, duban-office), a whole HTML
//! page, Markdown, or its JSON model. The web download and `duban bulletin` both use it.

mod html;
mod markdown;

use duban_core::bulletin::Bulletin;
use serde::Deserialize;

pub use html::{escape, html};
pub use markdown::markdown;

/// The bulletin's stylesheet: the 通报 page's preview and the standalone HTML file share it.
pub const CSS: &str = include_str!("../../assets/bulletin.css");

/// The format a bulletin is downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BulletinFormat {
    #[default]
    Json,
    Docx,
    Html,
    Md,
}

impl BulletinFormat {
    /// The format named `json`, `docx`, `html` or `md` (empty: JSON).
    pub fn parse(text: &str) -> Result<BulletinFormat, String> {
        match text.trim() {
            "" | "json" => Ok(BulletinFormat::Json),
            "docx" => Ok(BulletinFormat::Docx),
            "html" => Ok(BulletinFormat::Html),
            "md" => Ok(BulletinFormat::Md),
            other => Err(format!("“{other}”应为 json、docx、html 或 md")),
        }
    }
}

/// A bulletin as a file: its bytes, extension and content type.
pub fn bulletin_file(
    b: &Bulletin,
    format: BulletinFormat,
) -> Result<(Vec<u8>, &'static str, &'static str), String> {
    Ok(match format {
        BulletinFormat::Docx => (
            duban_office::bulletin_docx::bulletin_docx(b)
                .map_err(|e| format!("生成 Word 文件失败：{e}"))?,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        BulletinFormat::Html => (
            standalone_html(b).into_bytes(),
            "html",
            "text/html; charset=utf-8",
        ),
        BulletinFormat::Md => (
            markdown(b).into_bytes(),
            "md",
            "text/markdown; charset=utf-8",
        ),
        BulletinFormat::Json => (
            serde_json::to_vec_pretty(b).map_err(|e| e.to_string())?,
            "json",
            "application/json",
        ),
    })
}

/// A whole HTML page around the bulletin, for reading or printing outside duban.
fn standalone_html(b: &Bulletin) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{}</style></head>\n<body>\n{}</body></html>\n",
        escape(&b.title),
        CSS,
        html(b)
    )
}
