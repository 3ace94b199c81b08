//! 行的分类 — pass 1 over the rows below the header, in order: each row is blank, a footnote,
//! a subtotal, a section row (whose defaults hold for the rows below it) or an item to read; a
//! row with data but no name is an error. Nothing of an item is read here.

use std::path::Path;

use crate::columns::Field;
use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::{Grid, column_letter};
use crate::workbook::thousands;

use super::header::Header;
use super::marks::{is_footnote, is_subtotal};
use super::section::{Section, row_section};
use super::{MAX_ITEMS, SkippedRow};

/// The rows of a sheet as classed.
pub(super) struct Plan {
    /// The defaults in force after each section row (the first: before any).
    pub(super) sections: Vec<Section>,
    /// The item rows (0-based), each with the index of its defaults in `sections`.
    pub(super) jobs: Vec<(u32, usize)>,
    /// Whether a section row named a region or a lead unit.
    pub(super) any_section_lead: bool,
    /// The rows below the header, for the progress.
    pub(super) total: u32,
}

impl Plan {
    /// Refuses a sheet with more items than one file may hold ([`MAX_ITEMS`]).
    pub(super) fn check_size(&self, path: &Path, sheet: &str) -> Result<(), LedgerError> {
        let jobs = &self.jobs;
        if jobs.len() > MAX_ITEMS {
            let (first, last) = (jobs[0].0, jobs[jobs.len() - 1].0);
            return Err(LedgerError::TooLarge {
                path: path.to_path_buf(),
                sheet: sheet.into(),
                detail: format!(
                    "第 {}–{} 行有 {} 个项目，超过一次可导入的 {} 个（全省台账约 5 万个）。请按地区或类别把台账拆成几个文件分别导入",
                    first + 1,
                    last + 1,
                    thousands(jobs.len() as u64),
                    thousands(MAX_ITEMS as u64)
                ),
            });
        }
        Ok(())
    }
}

/// The section defaults as the rows are read in order: a level-1 section ("一、") replaces
/// the outer defaults and clears the inner, a level-2 one ("（一）") replaces the inner.
struct Sections {
    outer: Section,
    inner: Section,
    all: Vec<Section>,
    any_lead: bool,
}

impl Sections {
    fn new() -> Sections {
        let (outer, inner) = (Section::default(), Section::default());
        let all = vec![inner.over(&outer)];
        Sections {
            outer,
            inner,
            all,
            any_lead: false,
        }
    }

    /// A new section replaces the defaults of its level, even one that sets none.
    fn enter(&mut self, level: u8, s: Section) {
        self.any_lead |= s.region.is_some() || s.lead.is_some();
        if level == 1 {
            self.outer = s;
            self.inner = Section::default();
        } else {
            self.inner = s;
        }
        self.all.push(self.inner.over(&self.outer));
    }

    /// The index of the defaults in force.
    fn current(&self) -> usize {
        self.all.len() - 1
    }
}

/// Classes the rows below the header: rows that are not items go to `skipped`, rows with
/// data and no name to `errors`.
pub(super) fn classify_rows(
    sheet: &str,
    grid: &Grid,
    header: &Header,
    skipped: &mut Vec<SkippedRow>,
    errors: &mut ErrorList,
    progress: &mut dyn FnMut(u32, u32),
) -> Plan {
    let (_, r1) = grid.rows().unwrap_or((0, 0));
    let name_col = header
        .col_of(Field::Name)
        .expect("header has a name column");
    let seq_col = header.col_of(Field::Seq);
    let mut sections = Sections::new();
    let mut jobs: Vec<(u32, usize)> = Vec::new();
    let total = r1.saturating_sub(header.last);
    for r in header.last + 1..=r1 {
        if (r - header.last).is_multiple_of(2000) {
            progress((r - header.last) / 2, total);
        }
        let texts = grid.row_texts(r);
        let Some((_, first)) = texts.first() else {
            continue; // blank row
        };
        let name_text = grid.text(r, name_col);
        let lead_text = if name_text.is_empty() {
            first.clone()
        } else {
            name_text.clone()
        };
        let excel_row = r + 1;
        let skip = |reason, text: &str| SkippedRow {
            row: excel_row,
            reason,
            text: text.to_string(),
        };
        if is_footnote(first) {
            skipped.push(skip("注释行", first));
            continue;
        }
        if is_subtotal(&lead_text) || is_subtotal(first) {
            skipped.push(skip("小计行", &lead_text));
            continue;
        }
        let seq_text = seq_col.map(|c| grid.text(r, c)).unwrap_or_default();
        if let Some((level, label)) = row_section(&texts, &lead_text, &name_text, &seq_text) {
            let s = Section::from_label(&label);
            skipped.push(skip(
                if s.is_some() {
                    "分组行"
                } else {
                    "说明行"
                },
                &lead_text,
            ));
            sections.enter(level, s.unwrap_or_default());
            continue;
        }
        if name_text.is_empty() {
            if texts.iter().all(|(c, _)| Some(*c) == seq_col) {
                continue; // an empty numbered row of a template
            }
            errors.push(CellError {
                sheet: sheet.into(),
                row: excel_row,
                column: column_letter(name_col),
                field: header.display(name_col).unwrap_or_default().to_string(),
                value: String::new(),
                message: "项目名称为空（这一行有其他数据，但没有项目名称）".into(),
            });
            continue;
        }
        jobs.push((r, sections.current()));
    }
    Plan {
        sections: sections.all,
        jobs,
        any_section_lead: sections.any_lead,
        total,
    }
}
