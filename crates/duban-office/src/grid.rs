//! 表格 — a worksheet as a grid of cells in Excel's own coordinates, with merged cells read
//! as their top-left value (as a person reading the sheet sees them).

use std::borrow::Cow;
use std::collections::HashMap;

use calamine::{Data, Dimensions, Range};

pub struct Grid {
    range: Range<Data>,
    /// Every cell covered by a merge → the merge.
    merged: HashMap<(u32, u32), Dimensions>,
    /// Rows some merge touches (most data rows have none, and skip the lookup).
    merged_rows: std::collections::HashSet<u32>,
}

static EMPTY: Data = Data::Empty;

impl Grid {
    pub fn new(range: Range<Data>, merges: Vec<Dimensions>) -> Grid {
        let mut merged = HashMap::new();
        let mut merged_rows = std::collections::HashSet::new();
        for m in merges {
            // Guard against absurd merges (a whole column) blowing up memory.
            if m.len() > 200_000 {
                continue;
            }
            for r in m.start.0..=m.end.0 {
                merged_rows.insert(r);
                for c in m.start.1..=m.end.1 {
                    merged.insert((r, c), m);
                }
            }
        }
        Grid {
            range,
            merged,
            merged_rows,
        }
    }

    /// First and last row (0-based, absolute), or None for an empty sheet.
    pub fn rows(&self) -> Option<(u32, u32)> {
        Some((self.range.start()?.0, self.range.end()?.0))
    }

    pub fn cols(&self) -> Option<(u32, u32)> {
        Some((self.range.start()?.1, self.range.end()?.1))
    }

    /// The value shown at (row, col), merged cells included.
    pub fn cell(&self, row: u32, col: u32) -> &Data {
        let (r, c) = match self.merge_at(row, col) {
            Some(m) => m.start,
            None => (row, col),
        };
        self.range.get_value((r, c)).unwrap_or(&EMPTY)
    }

    /// The merge covering (row, col), if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        if self.merged_rows.is_empty() || !self.merged_rows.contains(&row) {
            return None;
        }
        self.merged.get(&(row, col))
    }

    /// The cell as text: trimmed strings, numbers in their shortest form, dates as ISO.
    pub fn text(&self, row: u32, col: u32) -> Cow<'_, str> {
        cell_text(self.cell(row, col))
    }

    /// The non-empty texts of a row, with their columns.
    pub fn row_texts(&self, row: u32) -> Vec<(u32, Cow<'_, str>)> {
        let Some((c0, c1)) = self.cols() else {
            return Vec::new();
        };
        (c0..=c1)
            .filter_map(|c| {
                let t = self.text(row, c);
                (!t.is_empty()).then_some((c, t))
            })
            .collect()
    }
}

/// A cell as text, borrowed where it already is text.
pub fn cell_text(d: &Data) -> Cow<'_, str> {
    Cow::Owned(match d {
        Data::Empty => return Cow::Borrowed(""),
        Data::String(s) => return Cow::Borrowed(s.trim()),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
        Data::DateTime(dt) => match duban_core::PlanDate::from_excel_serial(dt.as_f64()) {
            Some(d) => d.to_string(),
            None => format!("{}", dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}

/// The Excel column letters of a 0-based column index: 0 → A, 27 → AB.
pub fn column_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        s.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
