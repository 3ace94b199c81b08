//! 表的概况 — what a read says of the sheet besides its rows: the title area above the header
//! (title, money unit, year, kind), the columns as understood, where the rows' year comes from,
//! and the fields the sheet states (by its columns, the title and its section rows).

use duban_core::text::compact;
use duban_core::{ItemField, ItemKind, MoneyUnit, StatedFields};

use crate::columns::Field;
use crate::grid::{Grid, column_letter};

use super::header::Header;
use super::item::OTHER_LEADERS;
use super::marks::{find_year, unit_note};
use super::section::Section;
use super::{ColumnInfo, ReadLedger, ReadOptions};

/// The rows above the header: the title, the money unit a note states (万元 if none), and the
/// year and kind the title names.
pub(super) struct Preamble {
    pub(super) title: Option<String>,
    pub(super) money_unit: MoneyUnit,
    pub(super) year: Option<i32>,
    pub(super) kind: Option<ItemKind>,
}

impl Preamble {
    /// Title, year and unit note from the rows above the header.
    pub(super) fn read(grid: &Grid, header: &Header) -> Preamble {
        let (r0, _) = grid.rows().unwrap_or((0, 0));
        let mut title = None;
        let mut money_unit = MoneyUnit::Wan;
        for r in r0..header.first {
            for (_, t) in grid.row_texts(r) {
                if let Some(u) = unit_note(&t) {
                    money_unit = u;
                }
                let rest = compact(&t);
                let is_note_only = rest.starts_with("单位") || rest.starts_with("(单位");
                if title.is_none() && !is_note_only && t.chars().count() >= 4 {
                    title = Some(t.into_owned());
                }
            }
        }
        Preamble {
            year: title.as_deref().and_then(find_year),
            kind: title.as_deref().and_then(ItemKind::find_in_title),
            title,
            money_unit,
        }
    }
}

/// The read of the sheet before its rows: its title, header rows, money unit, columns, year
/// source and the fields its columns, the options and the title state.
pub(super) fn describe(
    sheet: &str,
    header: &Header,
    preamble: &Preamble,
    opts: &ReadOptions,
) -> ReadLedger {
    let mut out = ReadLedger {
        sheet: sheet.to_string(),
        title: preamble.title.clone(),
        header_rows: (header.first + 1, header.last + 1),
        money_unit: preamble.money_unit.label(),
        columns: column_infos(header, preamble.money_unit),
        rows: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        stated: stated_by_columns(header),
        year_source: year_source(header, opts, preamble.year),
        other_sheets: Vec::new(),
    };
    // A year or kind column states them too (its row says so).
    if opts.year.is_some() || preamble.year.is_some() {
        out.stated.fields.insert(ItemField::Year);
    }
    if opts.kind.is_some() || preamble.kind.is_some() {
        out.stated.fields.insert(ItemField::Kind);
    }
    out
}

/// Each column as understood, money columns with their unit.
fn column_infos(header: &Header, money_unit: MoneyUnit) -> Vec<ColumnInfo> {
    header
        .columns
        .iter()
        .map(|(c, h, f, u)| ColumnInfo {
            column: column_letter(*c),
            header: h.clone(),
            field: f.map(Field::header),
            unit: f
                .filter(|f| f.is_money())
                .map(|_| u.unwrap_or(money_unit).label()),
        })
        .collect()
}

/// Where the year of the rows comes from: the year column, `--year`, the title or this year.
fn year_source(header: &Header, opts: &ReadOptions, title_year: Option<i32>) -> String {
    match (header.col_of(Field::Year), opts.year, title_year) {
        (Some(c), _, _) => format!(
            "取自“{}”列（{}列）",
            header.display(c).unwrap_or("年度"),
            column_letter(c)
        ),
        (None, Some(y), _) => format!("{y}（--year）"),
        (None, None, Some(y)) => format!("{y}（取自标题）"),
        (None, None, None) => format!("{}（表中未注明，按今年）", opts.fallback_year),
    }
}

/// The fields the header's columns state (each column's row says which), and its extra columns.
fn stated_by_columns(header: &Header) -> StatedFields {
    let mut stated = StatedFields::default();
    for (_, display, field, _) in &header.columns {
        let Some(f) = field else {
            stated.extra.insert(display.clone());
            continue;
        };
        if *f == Field::Leader {
            stated.extra.insert(OTHER_LEADERS.to_string());
        }
        stated.fields.extend(f.column().states);
    }
    stated
}

/// The fields section rows state: a kind, region, stage or category any of them sets.
pub(super) fn state_sections(sections: &[Section], stated: &mut StatedFields) {
    for s in sections {
        if s.kind.is_some() {
            stated.fields.insert(ItemField::Kind);
        }
        let by_section = [
            (s.region.is_some(), ItemField::Region),
            (s.stage.is_some(), ItemField::Stage),
            (s.category.is_some(), ItemField::Category),
        ];
        stated
            .fields
            .extend(by_section.iter().filter(|(set, _)| *set).map(|(_, f)| *f));
    }
}
