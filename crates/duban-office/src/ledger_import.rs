//! 台账导入 — reads a ledger sheet the way a person would: past title and note rows, through
//! one- or two-row merged headers matched by alias, skipping section, subtotal and footnote
//! rows, converting 亿元 and 万元 exactly and reading dates in every form seen in the wild.
//! Every cell that cannot be read is reported with sheet, row, column and reason.
//!
//! The read goes in named steps: `header` finds the header and maps the columns, `summary`
//! reads the title area and what the sheet states, `classify` classes the rows (pass 1, with
//! `section` and `marks` recognising section, subtotal and footnote rows), `collect` reads the
//! item rows on every core (pass 2, each row through `item` and `values`) and gathers them
//! (pass 3); `milestones` reads the milestone sheet.

mod classify;
mod collect;
mod header;
mod item;
mod marks;
mod milestones;
mod section;
mod summary;
mod values;

use std::path::Path;

use duban_core::{Item, ItemKind, Milestone, StatedFields, Wan};
use serde::Serialize;

use crate::columns::Field;
use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::Grid;
use crate::ledger_export::MILESTONE_SHEET;
use crate::workbook::{Workbook, unreadable};

pub(crate) use values::date;

use header::{Header, find_header};
use item::RowReader;
use milestones::read_milestones;
use summary::Preamble;

/// How to read a ledger.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// 工作表 — the sheet to read; by default the first sheet with a ledger header.
    pub sheet: Option<String>,
    /// 年度 — for rows without a year column (else the year in the title, else `fallback_year`).
    pub year: Option<i32>,
    /// 事项类型 — for rows without a type column (else the title's, else 重点项目).
    pub kind: Option<ItemKind>,
    /// The year to use when nothing else says (the caller's "this year").
    pub fallback_year: i32,
}

/// One data row, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    /// 行号 — as Excel shows it.
    pub row: u32,
    pub item: Item,
    /// 节点 — from the milestone sheet (节点计划) when the file has one; `None` otherwise.
    pub milestones: Option<Vec<Milestone>>,
    /// 1–N月累计完成投资 — a year-to-date column, imported as the report for month N.
    pub done_to_month: Option<(u8, Wan)>,
}

/// A column as understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub column: String,
    /// The header as written (two-row headers joined with "/").
    pub header: String,
    /// The field it was matched to (its standard header), or None: kept as an extra column.
    pub field: Option<String>,
    pub unit: Option<&'static str>,
}

/// A row that is not an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    pub row: u32,
    /// 分组行 section, 小计行 subtotal, 注释行 footnote, 空行 blank
    pub reason: &'static str,
    pub text: String,
}

/// A ledger sheet, read.
#[derive(Debug, Clone, Serialize)]
pub struct ReadLedger {
    pub sheet: String,
    pub title: Option<String>,
    /// 表头行 — first and last header row, as Excel numbers them.
    pub header_rows: (u32, u32),
    /// 金额单位 — the sheet's unit note, 万元 if none.
    pub money_unit: &'static str,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<LedgerRow>,
    pub skipped: Vec<SkippedRow>,
    pub errors: Vec<CellError>,
    /// 表中有的字段 — what the sheet states; a re-import keeps the stored value of the rest.
    #[serde(skip)]
    pub stated: StatedFields,
    /// 年度来源 — where the year of rows without a year column came from, for the summary.
    pub year_source: String,
    /// 其他工作表 — sheets of the file that were not read.
    pub other_sheets: Vec<String>,
}

const SCAN_ROWS: u32 = 30;

/// Items one file may hold: the province (50,000) and a fifth more. Reading a ledger takes
/// about 4 KB an item at its peak (the grid, the items and their texts); 60,000 items of 20
/// columns peak near 230 MB.
const MAX_ITEMS: usize = 60_000;

/// Reads the ledger in `path`. File-level problems are errors; row problems are listed in
/// [`ReadLedger::errors`] with the rows that could be read in [`ReadLedger::rows`]. A
/// milestone sheet (节点计划) is read on another core meanwhile.
pub fn read_ledger(
    path: &Path,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<ReadLedger, LedgerError> {
    let mut book = Workbook::open_for(path, &|sheet| sheet != MILESTONE_SHEET)?;
    let names = book.sheet_names().to_vec();
    let candidates: Vec<String> = match &opts.sheet {
        Some(s) => {
            if !names.contains(s) {
                return Err(LedgerError::NoSuchSheet {
                    path: path.to_path_buf(),
                    sheet: s.clone(),
                    available: names.join("、"),
                });
            }
            vec![s.clone()]
        }
        None => names.clone(),
    };
    let with_milestones = names.iter().any(|n| n == MILESTONE_SHEET)
        && opts.sheet.as_deref() != Some(MILESTONE_SHEET);
    std::thread::scope(|s| {
        let milestones = with_milestones.then(|| {
            std::thread::Builder::new()
                .name("xlsx-milestones".into())
                .spawn_scoped(s, || read_milestones(path))
        });
        for name in &candidates {
            let grid = book.grid(name, true)?;
            if let Some(header) = find_header(&grid) {
                // Its shared strings are in the grid now.
                drop(book);
                let mut ledger = read_sheet(path, name, &grid, header, opts, progress)?;
                drop(grid);
                ledger.other_sheets = names
                    .iter()
                    .filter(|n| *n != name && n.as_str() != MILESTONE_SHEET)
                    .cloned()
                    .collect();
                if name != MILESTONE_SHEET
                    && let Some(thread) = milestones
                {
                    // Read here if no thread could be started for it.
                    let sheet = match thread {
                        Ok(reading) => reading
                            .join()
                            .unwrap_or_else(|_| Err(unreadable(path, &"节点计划读取失败")))?,
                        Err(_) => read_milestones(path)?,
                    };
                    if let Some(sheet) = sheet {
                        sheet.apply(&mut ledger);
                    }
                }
                return Ok(ledger);
            }
        }
        Err(LedgerError::NoHeader {
            path: path.to_path_buf(),
            sheet: match &opts.sheet {
                Some(s) => format!("的工作表“{s}”"),
                None => "各工作表".into(),
            },
            scanned: SCAN_ROWS as usize,
        })
    })
}

/// Reads the sheet whose header is `header`: the title area and columns, then the rows in
/// three passes (classify, read on every core, collect).
fn read_sheet(
    path: &Path,
    sheet: &str,
    grid: &Grid,
    header: Header,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<ReadLedger, LedgerError> {
    let preamble = Preamble::read(grid, &header);
    let mut out = summary::describe(sheet, &header, &preamble, opts);
    let mut errors = ErrorList::default();
    let plan = classify::classify_rows(
        sheet,
        grid,
        &header,
        &mut out.skipped,
        &mut errors,
        progress,
    );
    plan.check_size(path, sheet)?;
    let reader = RowReader {
        sheet,
        grid,
        header: &header,
        money_unit: preamble.money_unit,
        opts,
        title_year: preamble.year,
        title_kind: preamble.kind,
    };
    let read = collect::read_rows(&reader, &plan, &mut errors)?;
    progress(plan.total * 3 / 4, plan.total);
    out.rows = collect::collect_rows(&reader, read, plan.jobs.len(), &mut errors);
    out.errors = errors.finish();
    summary::state_sections(&plan.sections, &mut out.stated);
    progress(plan.total, plan.total);
    let has_lead =
        header.col_of(Field::LeadUnit).is_some() || header.col_of(Field::Region).is_some();
    if !has_lead && !plan.any_section_lead {
        return Err(LedgerError::MissingColumn {
            sheet: sheet.into(),
            header_row: header.first + 1,
            field: "牵头单位/责任单位".into(),
            aliases: Field::LeadUnit.aliases(),
        });
    }
    Ok(out)
}
