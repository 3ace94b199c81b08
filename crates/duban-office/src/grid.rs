//! 表格 — a worksheet as a grid of cells in Excel's own coordinates, with merged cells read
//! as their top-left value (as a person reading the sheet sees them).

use std::borrow::Cow;

use calamine::{Data, Dimensions};

/// A sheet's cells, kept sparse: only the cells that have a value, so that the memory follows
/// what the sheet holds, not how far apart its cells are (one cell at A1 and one at
/// XFD1048576 are two cells, not a grid of 17 billion).
pub struct Grid {
    /// The cells that have a value, in row then column order, one per position.
    cells: Vec<(u32, u32, Data)>,
    /// First and last row, and first and last column, of the cells.
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
    /// For each row from the first to the last: where its cells begin in `cells`; and one
    /// past the end.
    row_starts: Vec<u32>,
    merges: Vec<Dimensions>,
    /// (row, merge) for every row of the grid a merge spans, in row then first-column order.
    merge_rows: Vec<(u32, u32)>,
}

static EMPTY: Data = Data::Empty;

/// Merges larger than this are ignored (a whole column merged would make every cell read
/// the top one).
pub const MAX_MERGE_CELLS: u64 = 200_000;

impl Grid {
    /// `cells` in any order (the last of two at the same position is an arbitrary one: Excel
    /// never writes two); empty values are dropped.
    pub fn new(mut cells: Vec<(u32, u32, Data)>, merges: Vec<Dimensions>) -> Grid {
        cells.retain(|c| !matches!(c.2, Data::Empty));
        if !cells.is_sorted_by_key(|c| (c.0, c.1)) {
            cells.sort_unstable_by_key(|c| (c.0, c.1));
        }
        cells.dedup_by_key(|c| (c.0, c.1));
        let rows = match (cells.first(), cells.last()) {
            (Some(a), Some(b)) => Some((a.0, b.0)),
            _ => None,
        };
        let cols = cells.iter().fold(None, |acc: Option<(u32, u32)>, c| {
            Some(acc.map_or((c.1, c.1), |(a, b)| (a.min(c.1), b.max(c.1))))
        });
        let mut row_starts = Vec::new();
        if let Some((r0, r1)) = rows {
            row_starts.reserve((r1 - r0) as usize + 2);
            let mut i = 0usize;
            for r in r0..=r1 {
                while i < cells.len() && cells[i].0 < r {
                    i += 1;
                }
                row_starts.push(i as u32);
            }
            row_starts.push(cells.len() as u32);
        }
        let merges: Vec<Dimensions> = merges
            .into_iter()
            .filter(|m| {
                m.start.0 <= m.end.0 && m.start.1 <= m.end.1 && merge_cells(m) <= MAX_MERGE_CELLS
            })
            .collect();
        let mut merge_rows = Vec::new();
        if let Some((r0, r1)) = rows {
            for (i, m) in merges.iter().enumerate() {
                for r in m.start.0.max(r0)..=m.end.0.min(r1) {
                    merge_rows.push((r, i as u32));
                }
            }
        }
        merge_rows.sort_unstable_by_key(|&(r, i)| (r, merges[i as usize].start.1));
        Grid {
            cells,
            rows,
            cols,
            row_starts,
            merges,
            merge_rows,
        }
    }

    /// First and last row (0-based, absolute), or None for an empty sheet.
    pub fn rows(&self) -> Option<(u32, u32)> {
        self.rows
    }

    pub fn cols(&self) -> Option<(u32, u32)> {
        self.cols
    }

    /// The cells of a row that have a value, in column order.
    fn row_cells(&self, row: u32) -> &[(u32, u32, Data)] {
        match self.rows {
            Some((r0, r1)) if (r0..=r1).contains(&row) => {
                let i = (row - r0) as usize;
                &self.cells[self.row_starts[i] as usize..self.row_starts[i + 1] as usize]
            }
            _ => &[],
        }
    }

    fn value(&self, row: u32, col: u32) -> &Data {
        let cells = self.row_cells(row);
        cells
            .binary_search_by_key(&col, |c| c.1)
            .map_or(&EMPTY, |i| &cells[i].2)
    }

    /// The value shown at (row, col), merged cells included.
    pub fn cell(&self, row: u32, col: u32) -> &Data {
        let (r, c) = match self.merge_at(row, col) {
            Some(m) => m.start,
            None => (row, col),
        };
        self.value(r, c)
    }

    /// The merges spanning a row, by first column.
    fn row_merges(&self, row: u32) -> &[(u32, u32)] {
        let lo = self.merge_rows.partition_point(|&(r, _)| r < row);
        let hi = lo + self.merge_rows[lo..].partition_point(|&(r, _)| r == row);
        &self.merge_rows[lo..hi]
    }

    /// The merge covering (row, col), if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        if self.merge_rows.is_empty() {
            return None;
        }
        let in_row = self.row_merges(row);
        // The last merge of the row starting at or before the column.
        let i = in_row.partition_point(|&(_, m)| self.merges[m as usize].start.1 <= col);
        let m = &self.merges[in_row[i.checked_sub(1)?].1 as usize];
        (col <= m.end.1).then_some(m)
    }

    /// The cell as text: trimmed strings, numbers in their shortest form, dates as ISO.
    pub fn text(&self, row: u32, col: u32) -> Cow<'_, str> {
        cell_text(self.cell(row, col))
    }

    /// The non-empty texts of a row, with their columns.
    pub fn row_texts(&self, row: u32) -> Vec<(u32, Cow<'_, str>)> {
        if self.merge_rows.is_empty() || self.row_merges(row).is_empty() {
            return self
                .row_cells(row)
                .iter()
                .filter_map(|(_, c, d)| {
                    let t = cell_text(d);
                    (!t.is_empty()).then_some((*c, t))
                })
                .collect();
        }
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

/// How many cells a merge covers.
pub fn merge_cells(m: &Dimensions) -> u64 {
    (u64::from(m.end.0) + 1).saturating_sub(u64::from(m.start.0))
        * (u64::from(m.end.1) + 1).saturating_sub(u64::from(m.start.1))
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
    fn sparse_cells_and_merges() {
        let s = |t: &str| Data::String(t.into());
        let cells = vec![
            (5, 2, s("下")),
            (0, 0, s("标题")),
            (1_048_575, 16_383, Data::Int(1)),
            (1, 1, Data::Empty),
            (1, 3, s("  ")),
            (1, 3, s("重复")),
        ];
        let g = Grid::new(
            cells,
            vec![
                Dimensions::new((0, 0), (0, 4)),
                Dimensions::new((0, 0), (1_048_575, 16_383)),
            ],
        );
        assert_eq!(g.rows(), Some((0, 1_048_575)));
        assert_eq!(g.cols(), Some((0, 16_383)));
        assert_eq!(g.text(0, 3), "标题", "merged across");
        assert_eq!(g.text(5, 2), "下");
        assert_eq!(g.text(1_048_575, 16_383), "1");
        assert_eq!(g.text(4, 4), "", "the huge merge is ignored");
        assert_eq!(
            g.text(1, 3).len() % 3,
            0,
            "one of the two values at D2 kept"
        );
        let row0: Vec<_> = g.row_texts(0).into_iter().map(|(c, _)| c).collect();
        assert_eq!(row0, vec![0, 1, 2, 3, 4]);
        assert_eq!(g.row_texts(5).len(), 1);
        assert!(g.row_texts(3).is_empty());
        assert!(g.merge_at(0, 5).is_none());
        assert_eq!(g.merge_at(0, 4).unwrap().start, (0, 0));
        assert!(Grid::new(Vec::new(), Vec::new()).rows().is_none());
    }

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
