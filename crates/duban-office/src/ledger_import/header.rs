//! 表头 — finding the header (the first row within [`SCAN_ROWS`] that names 项目名称 and another
//! known column, with a second row when merges span it or it carries header words under a blank
//! name) and mapping each column to its field and money unit, or keeping it as an extra column.

use std::collections::{HashMap, HashSet};

use calamine::Data;
use duban_core::MoneyUnit;

use crate::columns::{Field, match_field, parse_header};
use crate::grid::{Grid, column_letter};

use super::SCAN_ROWS;

/// A column as mapped: its index, its header as written (two rows joined with "/", or the
/// column letter when blank), its field (None: an extra column) and the unit its header states.
pub(super) type Column = (u32, String, Option<Field>, Option<MoneyUnit>);

/// Where the header is and what each column holds.
pub(super) struct Header {
    pub(super) first: u32,
    pub(super) last: u32,
    pub(super) columns: Vec<Column>,
}

impl Header {
    /// The column mapped to `field`.
    pub(super) fn col_of(&self, field: Field) -> Option<u32> {
        self.columns
            .iter()
            .find(|c| c.2 == Some(field))
            .map(|c| c.0)
    }

    /// The header of column `col` as written.
    pub(super) fn display(&self, col: u32) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.0 == col)
            .map(|c| c.1.as_str())
    }
}

fn single_row_fields(grid: &Grid, row: u32) -> Vec<(u32, Field)> {
    grid.row_texts(row)
        .into_iter()
        .filter_map(|(c, t)| match_field(&parse_header(&t).base).map(|f| (c, f)))
        .collect()
}

pub(super) fn find_header(grid: &Grid) -> Option<Header> {
    let (r0, r1) = grid.rows()?;
    for r in r0..=(r0 + SCAN_ROWS).min(r1) {
        let fields = single_row_fields(grid, r);
        let has_name = fields.iter().any(|(_, f)| *f == Field::Name);
        let distinct: HashSet<_> = fields
            .iter()
            .map(|(_, f)| *f)
            .filter(|f| *f != Field::Seq)
            .collect();
        if !has_name || distinct.len() < 2 {
            continue;
        }
        let name_col = fields
            .iter()
            .find(|(_, f)| *f == Field::Name)
            .map(|(c, _)| *c)?;
        let two_rows = r < r1 && is_sub_header(grid, r, name_col);
        return Some(build_header(grid, r, if two_rows { r + 1 } else { r }));
    }
    None
}

/// Whether the row below a header row continues the header: a merge in the header row spans
/// into or across it, or it has header words where the name column is blank.
fn is_sub_header(grid: &Grid, r: u32, name_col: u32) -> bool {
    let Some((c0, c1)) = grid.cols() else {
        return false;
    };
    let merged = (c0..=c1).any(|c| {
        grid.merge_at(r, c).is_some_and(|m| {
            m.start.0 == r && (m.end.0 > r || (m.end.1 > m.start.1 && m.end.0 == r))
        })
    });
    let below = grid.row_texts(r + 1);
    // A data row has a name of its own and numbers or dates; a header row has neither.
    let name_below = grid.text(r + 1, name_col);
    let no_name = name_below.is_empty() || name_below == grid.text(r, name_col);
    let only_words = !below.is_empty()
        && below.iter().all(|(c, t)| {
            !matches!(
                grid.cell(r + 1, *c),
                Data::Float(_) | Data::Int(_) | Data::DateTime(_)
            ) && t.parse::<f64>().is_err()
        });
    if merged {
        return no_name && only_words;
    }
    name_below.is_empty()
        && only_words
        && below
            .iter()
            .any(|(_, t)| match_field(&parse_header(t).base).is_some())
}

/// A status column duban computes and writes beside an exported ledger (灯, 序时进度,
/// 累计完成, 完成率): not something the ledger states, so not kept as an extra column.
fn computed(display: &str) -> bool {
    let base = parse_header(display).base;
    crate::ledger_export::STATUS_HEADERS[..4]
        .iter()
        .any(|h| parse_header(h).base == base)
}

fn build_header(grid: &Grid, first: u32, last: u32) -> Header {
    let (c0, c1) = grid.cols().unwrap_or((0, 0));
    let mut taken = HashSet::new();
    let mut columns: Vec<Column> = (c0..=c1)
        .map(|c| map_column(grid, first, last, c, &mut taken))
        .filter(|(_, display, field, _)| field.is_some() || !computed(display))
        .collect();
    number_repeated_extras(&mut columns);
    drop_partial_monthly_plan(&mut columns);
    Header {
        first,
        last,
        columns,
    }
}

/// Column `c` under the header rows `first..=last`: the first of its readings (both rows
/// joined either way, then each alone) naming a field no column before it has `taken`.
fn map_column(grid: &Grid, first: u32, last: u32, c: u32, taken: &mut HashSet<Field>) -> Column {
    let top = grid.text(first, c).into_owned();
    let sub = if last > first {
        grid.text(last, c).into_owned()
    } else {
        String::new()
    };
    if top.is_empty() && sub.is_empty() {
        // No header, but data may sit below it: keep it under the column letter.
        return (c, format!("{}列", column_letter(c)), None, None);
    }
    let (display, candidates): (String, Vec<String>) = if sub.is_empty() || sub == top {
        (top.clone(), vec![top.clone()])
    } else if top.is_empty() {
        (sub.clone(), vec![sub.clone()])
    } else {
        let (t, s) = (parse_header(&top).base, parse_header(&sub).base);
        (
            format!("{top}/{sub}"),
            vec![
                format!("{t}{s}"),
                format!("{s}{t}"),
                sub.clone(),
                top.clone(),
            ],
        )
    };
    let field = candidates
        .iter()
        .filter_map(|cand| match_field(&parse_header(cand).base))
        .find(|f| !taken.contains(f));
    if let Some(f) = field {
        taken.insert(f);
    }
    let unit = parse_header(&sub).unit.or(parse_header(&top).unit);
    (c, display, field, unit)
}

/// Two extra columns with the same header must not overwrite each other: the second is
/// named "…（2）", and so on.
fn number_repeated_extras(columns: &mut [Column]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for col in columns.iter_mut().filter(|c| c.2.is_none()) {
        let n = seen.entry(col.1.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            col.1 = format!("{}（{}）", col.1, n);
        }
    }
}

/// A monthly plan needs all twelve months; otherwise those columns are kept as written.
fn drop_partial_monthly_plan(columns: &mut [Column]) {
    let months = columns
        .iter()
        .filter(|(_, _, f, _)| matches!(f, Some(Field::PlanToMonth(_))))
        .count();
    if months != 12 {
        for col in columns.iter_mut() {
            if matches!(col.2, Some(Field::PlanToMonth(_))) {
                col.2 = None;
            }
        }
    }
}
