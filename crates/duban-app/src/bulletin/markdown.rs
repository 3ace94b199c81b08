//! A bulletin as Markdown, for pasting into other systems and for review by diff.

use duban_core::bulletin::{Block, Bulletin};

/// A bulletin as Markdown: headings, paragraphs and pipe tables.
pub fn markdown(b: &Bulletin) -> String {
    let mut out = format!("# {}\n\n", b.title);
    if let Some(n) = &b.number {
        out.push_str(&format!("{}　{n}\n\n", b.issuer));
    }
    out.push_str(&format!("{}\n\n", b.recipients));
    for part in &b.parts {
        out.push_str(&format!("## {}\n\n", part.heading));
        for b in &part.blocks {
            match b {
                Block::Paragraph { text } => out.push_str(&format!("{text}\n\n")),
                Block::Heading { text } => out.push_str(&format!("### {text}\n\n")),
                Block::Table(t) => {
                    out.push_str(&format!("**{}**\n\n", t.title));
                    let cell = |s: &str| s.replace('|', "\\|").replace(['\r', '\n'], " ");
                    out.push_str(&format!(
                        "| {} |\n",
                        t.header
                            .iter()
                            .map(|h| cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ));
                    out.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
                    for r in &t.rows {
                        out.push_str(&format!(
                            "| {} |\n",
                            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                        ));
                    }
                    out.push('\n');
                }
            }
        }
    }
    out.push_str(&format!("{}\n\n{}\n", b.issuer, b.date_text()));
    out
}
