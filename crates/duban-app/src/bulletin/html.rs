//! A bulletin as HTML: the fragment the 通报 page previews, and a whole page to print outside
//! duban.

use duban_core::bulletin::{Block, Bulletin};

/// As an HTML fragment (an `<article>`), escaped; styled by the page that shows it.
pub fn html(b: &Bulletin) -> String {
    let e = escape;
    let mut out = String::from("<article class=\"bulletin\">\n");
    if let Some(n) = &b.number {
        out.push_str(&format!("<p class=\"bulletin-number\">{}</p>\n", e(n)));
    }
    out.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"recipients\">{}</p>\n",
        e(&b.title),
        e(&b.recipients)
    ));
    for part in &b.parts {
        out.push_str(&format!("<h2>{}</h2>\n", e(&part.heading)));
        for b in &part.blocks {
            match b {
                Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", e(text))),
                Block::Heading { text } => out.push_str(&format!("<h3>{}</h3>\n", e(text))),
                Block::Table(t) => {
                    out.push_str(&format!(
                        "<table>\n<caption>{}</caption>\n<thead><tr>",
                        e(&t.title)
                    ));
                    for h in &t.header {
                        out.push_str(&format!("<th>{}</th>", e(h)));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for r in &t.rows {
                        out.push_str("<tr>");
                        for c in r {
                            out.push_str(&format!("<td>{}</td>", e(c)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
            }
        }
    }
    out.push_str(&format!(
        "<p class=\"signature\">{}<br>{}</p>\n</article>\n",
        e(&b.issuer),
        e(&b.date_text())
    ));
    out
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
