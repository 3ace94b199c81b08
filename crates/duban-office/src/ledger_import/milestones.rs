//! 节点计划 — the milestone sheet (as the export writes it) read into the ledger rows it names
//! by code; codes the ledger does not have are errors.
//!
//! The sheet is read as it streams past, on a workbook of its own, so that it is read beside
//! the ledger sheet (on another core) and never held whole: only the first rows are kept until
//! the header is found, then only the cells of the four columns read. A sheet whose cells are
//! not in row order (no spreadsheet program writes one) is read again as a grid.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, DataRef};
use duban_core::text::{compact, non_blank};
use duban_core::{Milestone, PlanDate};

use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::{Grid, cell_text, column_letter};
use crate::ledger_export::{MILESTONE_HEADERS, MILESTONE_SHEET};
use crate::workbook::{SHEET_LIMITS, Workbook};

use super::values::date;
use super::{ReadLedger, SCAN_ROWS};

/// The milestone sheet, read: each code's chain in sheet order, the row where each code is
/// first named, and the cells that could not be read.
pub(super) struct MilestoneSheet {
    by_code: HashMap<String, Vec<Milestone>>,
    first_row: HashMap<String, u32>,
    code_column: u32,
    errors: ErrorList,
}

/// The columns read: 项目编号, 节点名称, 计划完成时间, 实际完成时间.
#[derive(Clone, Copy)]
struct Columns {
    code: u32,
    name: u32,
    planned: Option<u32>,
    actual: Option<u32>,
}

impl Columns {
    /// Which of the four a column is (code, name, planned, actual).
    fn slot(&self, col: u32) -> Option<usize> {
        [Some(self.code), Some(self.name), self.planned, self.actual]
            .iter()
            .position(|c| *c == Some(col))
    }
}

/// The header row within the first rows of `grid`, and the columns it names; None when the
/// sheet has no milestone header.
fn header(grid: &Grid) -> Option<(u32, Columns)> {
    let (r0, r1) = grid.rows()?;
    let row = (r0..=(r0 + SCAN_ROWS).min(r1)).find(|r| {
        let texts: Vec<String> = grid
            .row_texts(*r)
            .into_iter()
            .map(|(_, t)| compact(&t))
            .collect();
        texts.iter().any(|t| t == MILESTONE_HEADERS[0])
            && texts.iter().any(|t| t == MILESTONE_HEADERS[3])
    })?;
    let col = |h: &str| {
        grid.row_texts(row)
            .into_iter()
            .find(|(_, t)| compact(t) == h)
            .map(|(c, _)| c)
    };
    Some((
        row,
        Columns {
            code: col(MILESTONE_HEADERS[0])?,
            name: col(MILESTONE_HEADERS[3])?,
            planned: col(MILESTONE_HEADERS[4]),
            actual: col(MILESTONE_HEADERS[5]),
        },
    ))
}

static EMPTY: Data = Data::Empty;

impl MilestoneSheet {
    fn new(columns: &Columns) -> MilestoneSheet {
        MilestoneSheet {
            by_code: HashMap::new(),
            first_row: HashMap::new(),
            code_column: columns.code,
            errors: ErrorList::default(),
        }
    }

    /// Reads the rows of `grid` below its header.
    fn from_grid(grid: &Grid) -> Option<MilestoneSheet> {
        below_header(grid).map(|rows| rows.sheet)
    }

    /// One row (0-based `r`) of the sheet, `cell` giving the value in a column.
    fn take_row<'a>(&mut self, columns: &Columns, r: u32, cell: impl Fn(u32) -> &'a Data) {
        let code = cell_text(cell(columns.code));
        let name = cell_text(cell(columns.name));
        if code.is_empty() && name.is_empty() {
            return;
        }
        let mut day = |c: Option<u32>, field: &str| -> Option<chrono::NaiveDate> {
            let c = c?;
            let value = cell(c);
            let text = cell_text(value);
            non_blank(&text)?;
            match date(value, &text) {
                Ok(PlanDate::Day(d)) => Some(d),
                Ok(month) => Some(month.last_day()),
                Err(message) => {
                    self.errors.push(CellError {
                        sheet: MILESTONE_SHEET.into(),
                        row: r + 1,
                        column: column_letter(c),
                        field: field.into(),
                        value: text.into_owned(),
                        message,
                    });
                    None
                }
            }
        };
        let planned = day(columns.planned, MILESTONE_HEADERS[4]);
        let actual = day(columns.actual, MILESTONE_HEADERS[5]);
        self.first_row.entry(code.to_string()).or_insert(r + 1);
        self.by_code
            .entry(code.into_owned())
            .or_default()
            .push(Milestone {
                baseline: None,
                name: name.into_owned(),
                planned,
                actual,
            });
    }

    /// Gives each ledger row with a code its chain (none named: an empty chain); a code the
    /// ledger does not have is an error.
    pub(super) fn apply(self, ledger: &mut ReadLedger) {
        let MilestoneSheet {
            mut by_code,
            first_row,
            code_column,
            mut errors,
        } = self;
        for row in ledger.rows.iter_mut().filter(|r| !r.item.code.is_empty()) {
            row.milestones = Some(by_code.remove(&row.item.code).unwrap_or_default());
        }
        let mut unknown: Vec<String> = by_code.into_keys().collect();
        unknown.sort_by_key(|c| first_row.get(c).copied().unwrap_or(0));
        for code in unknown {
            errors.push(CellError {
                sheet: MILESTONE_SHEET.into(),
                row: first_row.get(&code).copied().unwrap_or(0),
                column: column_letter(code_column),
                field: MILESTONE_HEADERS[0].into(),
                value: code.clone(),
                message: format!("节点计划中的项目编号“{code}”在台账中不存在"),
            });
        }
        ledger.errors.extend(errors.finish());
    }
}

/// Where the streaming read is.
enum Phase {
    /// Keeping every cell of the first rows (the first row with a cell and `SCAN_ROWS` more).
    Header {
        first: u32,
        window: Vec<(u32, u32, Data)>,
    },
    /// Below the header.
    Rows(Box<Rows>),
    /// No milestone header: the rest is not read.
    NoHeader,
}

/// The rows below the header: the sheet so far, and the cells of the row being read, by
/// column slot.
struct Rows {
    columns: Columns,
    sheet: MilestoneSheet,
    row: u32,
    cells: [Data; 4],
}

/// The streaming read of the sheet, cell by cell.
struct Stream {
    phase: Option<Phase>,
    last_row: u32,
    /// A cell came before one of an earlier row.
    unordered: bool,
}

impl Stream {
    /// Takes a cell; false (and nothing taken) when it belongs to an earlier row.
    fn cell(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> bool {
        if row < self.last_row {
            self.unordered = true;
            return false;
        }
        self.last_row = row;
        let phase = self.phase.take().unwrap_or(Phase::Header {
            first: row,
            window: Vec::new(),
        });
        self.phase = Some(match phase {
            Phase::Header { first, mut window } if row <= first + SCAN_ROWS => {
                window.push((row, col, Data::from(value.clone())));
                Phase::Header { first, window }
            }
            Phase::Header { window, .. } => match below_header(&Grid::new(window, Vec::new())) {
                Some(mut rows) => {
                    rows.cell(row, col, value);
                    Phase::Rows(rows)
                }
                None => Phase::NoHeader,
            },
            Phase::Rows(mut rows) => {
                rows.cell(row, col, value);
                Phase::Rows(rows)
            }
            Phase::NoHeader => Phase::NoHeader,
        });
        true
    }

    /// The sheet read, once every cell has been seen.
    fn finish(self) -> Option<MilestoneSheet> {
        match self.phase? {
            Phase::Header { window, .. } => {
                below_header(&Grid::new(window, Vec::new())).map(|rows| rows.finish())
            }
            Phase::Rows(rows) => Some(rows.finish()),
            Phase::NoHeader => None,
        }
    }
}

/// The header found in the first rows of `grid` and every row of it below the header read;
/// None without a header.
fn below_header(grid: &Grid) -> Option<Box<Rows>> {
    let (head, columns) = header(grid)?;
    let mut sheet = MilestoneSheet::new(&columns);
    let last = grid.rows().map_or(head, |(_, r1)| r1);
    for r in head + 1..=last {
        sheet.take_row(&columns, r, |c| grid.cell(r, c));
    }
    Some(Box::new(Rows {
        columns,
        sheet,
        row: last,
        cells: Default::default(),
    }))
}

impl Rows {
    /// A cell below the header: kept if it is in one of the four columns; a new row first
    /// reads the one before.
    fn cell(&mut self, r: u32, col: u32, value: &DataRef<'_>) {
        if r != self.row {
            let done = std::mem::take(&mut self.cells);
            let columns = self.columns;
            self.sheet.take_row(&columns, self.row, |c| {
                columns.slot(c).map_or(&EMPTY, |s| &done[s])
            });
            self.row = r;
        }
        if let Some(s) = self.columns.slot(col) {
            self.cells[s] = Data::from(value.clone());
        }
    }

    /// The sheet, its last row read.
    fn finish(self) -> MilestoneSheet {
        let Rows {
            columns,
            mut sheet,
            row,
            cells,
        } = self;
        sheet.take_row(&columns, row, |c| {
            columns.slot(c).map_or(&EMPTY, |s| &cells[s])
        });
        sheet
    }
}

/// Reads the milestone sheet of the workbook at `path` on a workbook of its own; None when
/// it has no milestone header.
pub(super) fn read_milestones(path: &Path) -> Result<Option<MilestoneSheet>, LedgerError> {
    let mut book = Workbook::open_for(path, &|sheet| sheet == MILESTONE_SHEET)?;
    let mut stream = Stream {
        phase: None,
        last_row: 0,
        unordered: false,
    };
    let read = book.stream_within(MILESTONE_SHEET, &SHEET_LIMITS, &mut |row, col, value| {
        if stream.cell(row, col, value) {
            Ok(())
        } else {
            Err(LedgerError::Unreadable {
                path: path.to_path_buf(),
                detail: "单元格不是按行排列的".into(),
            })
        }
    });
    if stream.unordered {
        let grid = book.grid(MILESTONE_SHEET, false)?;
        return Ok(MilestoneSheet::from_grid(&grid));
    }
    read?;
    Ok(stream.finish())
}
