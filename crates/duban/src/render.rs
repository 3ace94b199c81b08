//! Printing: tables for people, JSON and CSV for scripts.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// A dense table with the given headers.
pub fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().copied());
    t
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// CSV with a UTF-8 byte-order mark, so that Excel opens the Chinese text correctly. Cells
/// that a spreadsheet would run as a formula are written as text ([`as_text_cell`]).
pub fn print_csv(headers: &[String], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers.iter().map(|h| as_text_cell(h).into_owned()))?;
    for r in rows {
        w.write_record(r.iter().map(|c| as_text_cell(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// A cell that Excel or WPS would read as a formula (`=1+1`, `+cmd|…`, `@SUM(…)`, `-2+3`,
/// or one opening with a tab or carriage return) is prefixed with `'`, which makes it text
/// (OWASP's advice against CSV injection). A plain negative number such as `-5` or `-0.5`
/// stays a number.
pub fn as_text_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r' | '＝' | '＋' | '＠') => true,
        Some('-' | '－') => cell[cell.chars().next().map_or(0, char::len_utf8)..]
            .parse::<f64>()
            .is_err(),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

pub fn or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::as_text_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        assert_eq!(as_text_cell("=1+1"), "'=1+1");
        assert_eq!(as_text_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(as_text_cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
        assert_eq!(as_text_cell("-2+3"), "'-2+3");
        assert_eq!(as_text_cell("\t=1"), "'\t=1");
        assert_eq!(as_text_cell("-5"), "-5");
        assert_eq!(as_text_cell("-0.5"), "-0.5");
        assert_eq!(as_text_cell("市发改委"), "市发改委");
        assert_eq!(as_text_cell("—"), "—");
        assert_eq!(as_text_cell(""), "");
    }
}
