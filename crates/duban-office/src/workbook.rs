//! 工作簿 — the one way the readers open an .xlsx file and take a sheet out of it, with
//! everything a broken or hostile file could make large checked before it is allocated.
//!
//! A workbook is a zip of XML parts, and a few kilobytes of it can ask for any amount of
//! memory: a cell at XFD1048576 made calamine's dense grid 1,048,576 × 16,384 cells (an
//! allocation failure, which aborts the process), a deflated part unpacks a thousandfold, a
//! declared count reserves memory up front, one text node of 100 MB is held three times over
//! by the XML reader. So, in order:
//!
//! 1. the file: its size, and every central directory header in it (how many parts, how large
//!    each declares itself unzipped, and in total) — the zip reader calamine uses refuses to
//!    unpack more than a part declares, so these figures bound what it will unpack;
//! 2. the parts calamine loads when it opens a workbook: the shared strings (counted, their
//!    memory estimated, the longest text measured), the styles (counted), the small ones
//!    (relationships, workbook, theme) by size; the sheets are counted;
//! 3. a sheet: a part larger than [`BIG_PART`] is first measured for its longest text and tag;
//!    then its cells are streamed one at a time (calamine's `worksheet_cells_reader`) and each
//!    cell's position, the extent so far, the number of cells, the text so far and the cell's
//!    own length are checked before the cell is kept; the merged cells are read by a raw pass
//!    that keeps at most [`MAX_MERGES`] of them. The grid is sparse (see [`Grid`]).
//!
//! Every refusal is a [`LedgerError::TooLarge`] naming the file, the sheet, the place (the
//! cell, the range, the part), the limit and what to do.
//!
//! `checks` holds the checks of steps 1 and 2, `part` reads and measures one part of the zip,
//! `structure` finds the sheets' parts, `prescan` measures the large ones in the background,
//! `sheet` reads a sheet (step 3) and `messages` writes the figures of the refusals.

mod checks;
mod messages;
mod part;
mod prescan;
mod sheet;
mod structure;

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, XlsxError};

use crate::error::LedgerError;
use crate::grid::Grid;

pub use messages::{megabytes, thousands};

use checks::{check_file, check_is_xlsx, check_opening_parts, check_small_parts};
use part::{Parts, Zip};
use prescan::Prescan;
use structure::Structure;

const MIB: u64 = 1024 * 1024;

/// The file itself. The province ledger (50,000 items and their 292,000 milestones) is 17 MB.
pub const MAX_FILE_BYTES: u64 = 256 * MIB;
/// Parts in the zip: a workbook has a few per sheet; Excel and WPS write a few dozen.
pub const MAX_ENTRIES: usize = 10_000;
/// The central directory (names, extra fields, comments): what a zip reader keeps in memory.
pub const MAX_DIRECTORY_BYTES: u64 = 4 * MIB;
/// One part, unzipped. The province ledger's largest sheet is 79 MB.
pub const MAX_PART_BYTES: u64 = 256 * MIB;
/// All parts, unzipped. The province ledger is 145 MB.
pub const MAX_TOTAL_BYTES: u64 = 512 * MIB;
/// Relationships, the workbook part, the theme: a few kilobytes in any real workbook.
pub const MAX_SMALL_PART_BYTES: u64 = MIB;
/// The style sheet; Excel's 64,000 cell formats take about 10 MB.
pub const MAX_STYLES_BYTES: u64 = 32 * MIB;
/// Parts larger than this are measured (longest text, longest tag) before calamine reads
/// them: its XML reader holds the longest text up to three times at once.
pub const BIG_PART: u64 = 32 * MIB;
/// The longest text between two tags, and the longest tag. Excel's longest cell is 32,767
/// characters (under 100 KB even written as character references).
pub const MAX_TOKEN_BYTES: u64 = MIB;
/// Shared strings: how many, and the memory calamine needs for them (each string's bytes and
/// about 40 bytes of bookkeeping). The province ledger has 102,526 strings, 10 MB.
pub const MAX_SHARED_STRINGS: u64 = 4_000_000;
pub const MAX_SHARED_STRINGS_MEMORY: u64 = 64 * MIB;
/// Cell formats, fonts, fills, borders and number formats, each (Excel allows 64,000 cell
/// formats), and the memory calamine needs for the cell formats (each carries a copy of its
/// font name and number format).
pub const MAX_STYLE_RECORDS: u64 = 100_000;
pub const MAX_STYLES_MEMORY: u64 = 32 * MIB;
/// Worksheets in a workbook.
pub const MAX_SHEETS: usize = 1_000;

/// What one sheet may hold.
#[derive(Debug, Clone, Copy)]
pub struct SheetLimits {
    /// Rows and columns a cell may be in (Excel: 1,048,576 × 16,384). The province ledger's
    /// milestone sheet has 292,053 rows; ledgers have 20 to 60 columns.
    pub rows: u32,
    pub cols: u32,
    /// Rows × columns of the extent of the cells. The grid is sparse, so this bounds the time
    /// of scanning a row across, not memory.
    pub area: u64,
    /// Cells with a value: about 40 bytes each in the grid. The province ledger's sheets
    /// have 1.75 million each.
    pub cells: usize,
    /// Text in the cells, each string counted with 16 bytes of bookkeeping (what the
    /// allocator adds). The province milestone sheet has 26 MB of text in 1.35 million
    /// strings: 47 MB counted so.
    pub text_bytes: u64,
    /// Characters in one cell: Excel's own limit.
    pub cell_chars: usize,
    /// Merged ranges, and the rows they span in total.
    pub merges: u64,
    pub merge_rows: u64,
}

/// The limits every reader uses.
pub const SHEET_LIMITS: SheetLimits = SheetLimits {
    rows: 500_000,
    cols: 1_000,
    area: 50_000_000,
    cells: 2_500_000,
    text_bytes: 64 * MIB,
    cell_chars: 32_767,
    merges: 100_000,
    merge_rows: 1_000_000,
};

/// An .xlsx workbook, opened once its package has passed the checks above.
pub struct Workbook {
    path: PathBuf,
    book: Xlsx<BufReader<File>>,
    names: Vec<String>,
    /// Sheet name → its part in the zip and the part's declared unzipped size.
    sheet_parts: HashMap<String, (String, u64)>,
    /// The large sheet parts, measured on another core from the moment the workbook opens.
    prescan: Option<Prescan>,
}

/// A workbook that cannot be read: which file, and why.
pub fn unreadable(path: &Path, e: &dyn std::fmt::Display) -> LedgerError {
    LedgerError::Unreadable {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl Workbook {
    /// Opens `path` after checking the package, its shared strings and styles.
    pub fn open(path: &Path) -> Result<Workbook, LedgerError> {
        Workbook::open_for(path, &|_| true)
    }

    /// [`Workbook::open`], measuring in the background only the large sheets `reads` says
    /// this workbook will read (another one reads the rest).
    pub fn open_for(path: &Path, reads: &dyn Fn(&str) -> bool) -> Result<Workbook, LedgerError> {
        check_is_xlsx(path)?;
        // 1. The file and its central directory, every header of it.
        check_file(path)?;

        // 2. The parts calamine reads on opening.
        let unreadable = |e: &dyn std::fmt::Display| unreadable(path, e);
        let open = || File::open(path).map_err(|e| unreadable(&e));
        let mut zip: Zip =
            zip9::ZipArchive::new(BufReader::new(open()?)).map_err(|e| unreadable(&e))?;
        let parts = Parts::list(&mut zip).map_err(|e| unreadable(&e))?;
        let structure = Structure::read(&mut zip, &parts);
        let xl = structure
            .as_ref()
            .map_or("xl/".to_string(), |s| s.xl_path.clone());
        check_small_parts(path, &parts, structure.as_ref(), &xl)?;
        // The sheets' parts; the large ones are measured on another core from now on.
        let mut sheet_parts = HashMap::new();
        for (sheet, part) in structure.iter().flat_map(|s| &s.sheets) {
            if let Some((name, size)) = parts.get(part) {
                sheet_parts.insert(sheet.clone(), (name.clone(), *size));
            }
        }
        let mut big: Vec<(String, u64)> = structure
            .iter()
            .flat_map(|s| &s.sheets)
            .filter(|(sheet, _)| reads(sheet))
            .filter_map(|(sheet, _)| sheet_parts.get(sheet))
            .filter(|(_, size)| *size > BIG_PART)
            .cloned()
            .collect();
        big.dedup();
        let prescan = (!big.is_empty()).then(|| Prescan::start(path, big));
        check_opening_parts(path, &mut zip, &parts, &xl, structure.is_some())?;
        drop(zip);

        // 3. calamine, on a package known to be bounded.
        let book: Xlsx<BufReader<File>> = guarded(path, || {
            calamine::open_workbook(path).map_err(|e: XlsxError| unreadable(&e))
        })?;
        let names = book.sheet_names();
        Ok(Workbook {
            path: path.to_path_buf(),
            book,
            names,
            sheet_parts,
            prescan,
        })
    }

    pub fn sheet_names(&self) -> &[String] {
        &self.names
    }

    /// The sheet `name` as a grid (with its merged cells when `merges`), within
    /// [`SHEET_LIMITS`].
    pub fn grid(&mut self, name: &str, merges: bool) -> Result<Grid, LedgerError> {
        self.grid_within(name, merges, &SHEET_LIMITS)
    }
}

/// Runs calamine, turning a panic of its into an error about the file. Built with overflow
/// checks (debug builds, tests), calamine panics on some forged references — a reversed
/// `<dimension ref="C3:A1">`, a row number past u32 — where a release build wraps (and the
/// checks above then refuse the position). Either way the reader returns an error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, LedgerError>) -> Result<T, LedgerError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(unreadable(
            path,
            &"其中的单元格地址或区域无效，无法解析（文件可能已损坏或被篡改）",
        ))
    })
}

/// The hand-made packages of the hostile-file tests.
#[cfg(test)]
#[path = "../tests/support/forge.rs"]
mod forge;

#[cfg(test)]
mod testing {
    use std::path::{Path, PathBuf};

    /// Writes `bytes` as t.xlsx in `dir`.
    pub(super) fn file(dir: &Path, bytes: Vec<u8>) -> PathBuf {
        let path = dir.join("t.xlsx");
        std::fs::write(&path, bytes).unwrap();
        path
    }
}
