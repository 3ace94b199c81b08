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

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use calamine::{Data, DataRef, Dimensions, Reader, Xlsx, XlsxError};

use crate::error::LedgerError;
use crate::grid::{Grid, MAX_MERGE_CELLS, column_letter, merge_cells};
use crate::package::{ScanFor, XmlScan, attribute, range_ref, scan_directory, scan_xml};

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

/// Large sheet parts measured in the background, in workbook order, so that the time of
/// measuring them overlaps opening the workbook and reading the sheets before them.
struct Prescan {
    shared: Arc<(Mutex<Prescanned>, Condvar)>,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
    parts: Vec<String>,
}

#[derive(Default)]
struct Prescanned {
    results: HashMap<String, Result<XmlScan, Refusal>>,
    finished: bool,
}

/// Marks the background pass finished however it ends (a panic included).
struct Finished(Arc<(Mutex<Prescanned>, Condvar)>);

impl Drop for Finished {
    fn drop(&mut self) {
        let (lock, cv) = &*self.0;
        lock.lock().unwrap_or_else(|e| e.into_inner()).finished = true;
        cv.notify_all();
    }
}

impl Prescan {
    fn start(path: &Path, parts: Vec<(String, u64)>) -> Prescan {
        let shared = Arc::new((Mutex::new(Prescanned::default()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let names = parts.iter().map(|(p, _)| p.clone()).collect();
        let (path, done, halt) = (path.to_path_buf(), shared.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("xlsx-prescan".into())
            .spawn(move || {
                let finished = Finished(done);
                let Ok(mut zip) = File::open(&path)
                    .map_err(drop)
                    .and_then(|f| zip9::ZipArchive::new(BufReader::new(f)).map_err(drop))
                else {
                    return;
                };
                for (part, size) in parts {
                    if halt.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = measure_stoppable(&mut zip, &part, size, &MERGES_SCAN, Some(&halt));
                    let (lock, cv) = &*finished.0;
                    lock.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .results
                        .insert(part, r);
                    cv.notify_all();
                }
            })
            .ok();
        Prescan {
            shared,
            stop,
            handle,
            parts: names,
        }
    }

    /// The measure of `part`, waiting for it; None if it is not (or no longer) to be had.
    fn take(&self, part: &str) -> Option<Result<XmlScan, Refusal>> {
        if self.handle.is_none() || !self.parts.iter().any(|p| p == part) {
            return None;
        }
        let (lock, cv) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = state.results.remove(part) {
                return Some(r);
            }
            if state.finished {
                return None;
            }
            state = cv.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Prescan {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// What is looked for in a sheet part: its merged ranges.
const MERGES_SCAN: ScanFor<'static> = ScanFor {
    count: &["mergeCell"],
    capture: &[("mergeCell", SHEET_LIMITS.merges as usize)],
    stop_over: MAX_TOKEN_BYTES,
};

/// A figure with thousands separators, as the messages write them.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as MB, one decimal (or "超过 …" for a size no file has).
pub fn megabytes(n: u64) -> String {
    if n == u64::MAX {
        return "无法确定的".into();
    }
    format!("{:.1}", n as f64 / MIB as f64)
}

/// An Excel cell address: (0, 0) → "A1".
pub fn address(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col), u64::from(row) + 1)
}

const REDO: &str = "请在 Excel 或 WPS 中打开后另存为 .xlsx（或只把数据复制到新工作簿）再导入";
const TRIM: &str = "请删除数据区以外多余的行和列（或只把数据复制到新工作表）后重新导入";

/// Checks that `path` is an .xlsx file by its first bytes.
pub fn check_is_xlsx(path: &Path) -> Result<(), LedgerError> {
    let not = |detail: &str| LedgerError::NotXlsx {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    if path.is_dir() {
        return Err(not("这是一个文件夹；请给出其中的 .xlsx 文件"));
    }
    let mut f = File::open(path).map_err(|_| LedgerError::NotFound(path.to_path_buf()))?;
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic).unwrap_or(0);
    match &magic[..n] {
        [0x50, 0x4B, 0x03, 0x04] => Ok(()),
        [0xD0, 0xCF, 0x11, 0xE0] => Err(not("这是旧版 .xls 格式或加密的工作簿")),
        [] => Err(not("文件是空的")),
        _ => Err(not("文件内容不是 Excel 工作簿")),
    }
}

/// A workbook that cannot be read: which file, and why.
pub fn unreadable(path: &Path, e: &dyn std::fmt::Display) -> LedgerError {
    LedgerError::Unreadable {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// The package as a zip, read with the very `zip` crate calamine uses: a forged file with
/// several central directories (or one hidden after another zip) is then seen here as
/// calamine will see it. (That crate also refuses to unpack a part past its declared size;
/// the reads here stop there too.)
type Zip = zip9::ZipArchive<BufReader<File>>;

/// A part of the zip, read up to its declared size (one byte more tells it lied).
fn read_part(zip: &mut Zip, name: &str, declared: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    zip.by_name(name)
        .map_err(|e| format!("{name}：{e}"))?
        .take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| read_error(name, &e))?;
    if out.len() as u64 > declared {
        return Err(lied(name));
    }
    Ok(out)
}

/// A read that failed: the zip reader stops a part at its declared size with an error of its
/// own, said here in the words of [`lied`].
fn read_error(name: &str, e: &std::io::Error) -> String {
    if e.to_string().contains("declared uncompressed size") {
        lied(name)
    } else {
        format!("{name}：{e}")
    }
}

/// A reader that ends early once `stop` is set.
struct Stoppable<'a, R> {
    inner: R,
    stop: Option<&'a AtomicBool>,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

fn lied(name: &str) -> String {
    format!("部件 {name} 解压后比它声明的大小更大，文件已损坏或被篡改")
}

/// A raw pass over a part (see [`scan_xml`]), stopping at its declared size (or when `stop`
/// is set: the result is then discarded).
fn scan_part(
    zip: &mut Zip,
    name: &str,
    declared: u64,
    what: &ScanFor,
    stop: Option<&AtomicBool>,
) -> Result<XmlScan, String> {
    let entry = zip.by_name(name).map_err(|e| format!("{name}：{e}"))?;
    let reader = Stoppable {
        inner: entry.take(declared + 1),
        stop,
    };
    let scan = scan_xml(reader, what).map_err(|e| read_error(name, &e))?;
    if scan.bytes > declared {
        return Err(lied(name));
    }
    Ok(scan)
}

/// The parts of the package: lower-cased name (as calamine looks them up) → (name, size).
struct Parts(HashMap<String, (String, u64)>);

impl Parts {
    fn get(&self, name: &str) -> Option<&(String, u64)> {
        self.0.get(&name.replace('\\', "/").to_ascii_lowercase())
    }
}

impl Workbook {
    /// Opens `path` after checking the package, its shared strings and styles.
    pub fn open(path: &Path) -> Result<Workbook, LedgerError> {
        check_is_xlsx(path)?;
        let too_large = |detail: String| LedgerError::TooLarge {
            path: path.to_path_buf(),
            sheet: String::new(),
            detail,
        };
        let unreadable = |e: &dyn std::fmt::Display| unreadable(path, e);
        let open = || File::open(path).map_err(|e| unreadable(&e));
        let len = open()?.metadata().map_err(|e| unreadable(&e))?.len();
        if len > MAX_FILE_BYTES {
            return Err(too_large(format!(
                "文件有 {} MB，超过可导入的 {} MB。请删除多余的工作表、图片，或把表格拆成几个文件分别导入",
                megabytes(len),
                MAX_FILE_BYTES / MIB
            )));
        }

        // 1. The central directory, every header of it.
        let dir = scan_directory(BufReader::new(open()?)).map_err(|e| unreadable(&e))?;
        if dir.headers > MAX_ENTRIES {
            return Err(too_large(format!(
                "压缩包中有 {} 个部件，超过 {} 个（Excel 保存的工作簿通常只有几十个）。文件可能已损坏或被篡改：{REDO}",
                thousands(dir.headers as u64),
                thousands(MAX_ENTRIES as u64)
            )));
        }
        if dir.header_bytes > MAX_DIRECTORY_BYTES {
            return Err(too_large(format!(
                "压缩包的目录有 {} MB，超过 {} MB（部件名称或注释异常地长）。文件可能已损坏或被篡改：{REDO}",
                megabytes(dir.header_bytes),
                MAX_DIRECTORY_BYTES / MIB
            )));
        }
        if let Some((name, size)) = &dir.largest
            && *size > MAX_PART_BYTES
        {
            return Err(too_large(format!(
                "部件 {name} 解压后有 {} MB，超过单个部件 {} MB 的上限（省级台账最大的工作表约 80 MB）。这可能是“压缩炸弹”，也可能是表格过大：{TRIM}",
                megabytes(*size),
                MAX_PART_BYTES / MIB
            )));
        }
        if dir.total > MAX_TOTAL_BYTES {
            return Err(too_large(format!(
                "文件解压后共 {} MB，超过 {} MB 的上限。这可能是“压缩炸弹”，也可能是表格过大：请删除多余的工作表，或把表格拆成几个文件分别导入",
                megabytes(dir.total),
                MAX_TOTAL_BYTES / MIB
            )));
        }

        // 2. The parts calamine reads on opening.
        let mut zip: Zip =
            zip9::ZipArchive::new(BufReader::new(open()?)).map_err(|e| unreadable(&e))?;
        let mut parts = HashMap::new();
        for i in 0..zip.len() {
            // The central directory's record, without reading the part.
            let f = zip.by_index_data(i).map_err(|e| unreadable(&e))?;
            let name = f.name().map_err(|e| unreadable(&e))?.into_owned();
            parts.insert(
                name.replace('\\', "/").to_ascii_lowercase(),
                (name, f.size()),
            );
        }
        let parts = Parts(parts);
        let structure = Structure::read(&mut zip, &parts);
        let xl = structure
            .as_ref()
            .map_or("xl/".to_string(), |s| s.xl_path.clone());
        for small in [
            "_rels/.rels".to_string(),
            format!("{xl}_rels/workbook.xml.rels"),
            format!("{xl}workbook.xml"),
            format!("{xl}theme/theme1.xml"),
        ]
        .iter()
        .chain(
            structure
                .iter()
                .flat_map(|s| [&s.workbook_part, &s.rels_part]),
        ) {
            if let Some((name, size)) = parts.get(small)
                && *size > MAX_SMALL_PART_BYTES
            {
                return Err(too_large(format!(
                    "部件 {name} 解压后有 {} MB，超过 {} MB（正常的工作簿只有几 KB）。文件可能已损坏或被篡改：{REDO}",
                    megabytes(*size),
                    MAX_SMALL_PART_BYTES / MIB
                )));
            }
        }
        if let Some(s) = &structure
            && s.sheets.len() > MAX_SHEETS
        {
            return Err(too_large(format!(
                "工作簿有 {} 个工作表，超过 {} 个。请删除多余的工作表，或把数据复制到新工作簿后重新导入",
                thousands(s.sheets.len() as u64),
                thousands(MAX_SHEETS as u64)
            )));
        }
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
            .filter_map(|(sheet, _)| sheet_parts.get(sheet))
            .filter(|(_, size)| *size > BIG_PART)
            .cloned()
            .collect();
        big.dedup();
        let prescan = (!big.is_empty()).then(|| Prescan::start(path, big));
        if let Some((name, size)) = parts.get(&format!("{xl}sharedStrings.xml")).cloned() {
            check_shared_strings(&mut zip, &name, size, MAX_SHARED_STRINGS_MEMORY)
                .map_err(|e| e.into_error(path, ""))?;
        }
        if let Some((name, size)) = parts.get(&format!("{xl}styles.xml")).cloned() {
            check_styles(&mut zip, &name, size).map_err(|e| e.into_error(path, ""))?;
        }
        // Without the structure the sheets are not known: every large part is measured now.
        if structure.is_none() {
            let big: Vec<(String, u64)> = parts
                .0
                .values()
                .filter(|(_, size)| *size > BIG_PART)
                .cloned()
                .collect();
            for (name, size) in big {
                measure(&mut zip, &name, size, &ScanFor::NOTHING)
                    .map_err(|e| e.into_error(path, ""))?;
            }
        }
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

    pub fn grid_within(
        &mut self,
        name: &str,
        merges: bool,
        limits: &SheetLimits,
    ) -> Result<Grid, LedgerError> {
        let path = self.path.clone();
        let part = self.sheet_parts.get(name).cloned();
        let want = ScanFor {
            count: &["mergeCell"],
            capture: &[("mergeCell", limits.merges as usize)],
            stop_over: MAX_TOKEN_BYTES,
        };
        let scan = |(part, size): &(String, u64)| -> Result<XmlScan, Refusal> {
            let mut zip: Zip = File::open(&path)
                .map_err(|e| Refusal::Unreadable(e.to_string()))
                .and_then(|f| {
                    zip9::ZipArchive::new(BufReader::new(f))
                        .map_err(|e| Refusal::Unreadable(e.to_string()))
                })?;
            measure(&mut zip, part, *size, &want)
        };
        type Scanned = Option<Result<XmlScan, LedgerError>>;
        let (cells, scanned): (Result<_, _>, Scanned) = match &part {
            // A large part is measured before calamine reads it (in the background since
            // the workbook opened, or now).
            Some(p) if p.1 > BIG_PART => {
                let early = self
                    .prescan
                    .as_ref()
                    .filter(|_| limits.merges <= SHEET_LIMITS.merges)
                    .and_then(|pre| pre.take(&p.0));
                let scanned = early
                    .unwrap_or_else(|| scan(p))
                    .map_err(|e| e.into_error(&path, name))?;
                (self.cells(name, limits), Some(Ok(scanned)))
            }
            // A small one is read for its merges on a second core meanwhile.
            Some(p) if merges => std::thread::scope(|s| {
                let merges = s.spawn(|| scan(p));
                let cells = self.cells(name, limits);
                let scanned = merges
                    .join()
                    .unwrap_or_else(|_| Err(Refusal::Unreadable("合并单元格读取失败".into())));
                (cells, Some(scanned.map_err(|e| e.into_error(&path, name))))
            }),
            _ => (self.cells(name, limits), None),
        };
        let cells = cells?;
        let scanned = scanned.transpose()?;
        let mut found = Vec::new();
        if merges && let Some(scanned) = scanned {
            let count = scanned.counts[0].0;
            if count > limits.merges {
                return Err(LedgerError::TooLarge {
                    path,
                    sheet: name.into(),
                    detail: format!(
                        "有 {} 处合并单元格，超过 {} 处。请取消不必要的合并单元格（或只把数据复制到新工作表）后重新导入",
                        thousands(count),
                        thousands(limits.merges)
                    ),
                });
            }
            found = scanned.captured[0]
                .iter()
                .filter_map(|tag| range_ref(attribute(tag, "ref")?))
                .collect();
            check_merge_rows(&found, &cells, limits).map_err(|detail| LedgerError::TooLarge {
                path: path.clone(),
                sheet: name.into(),
                detail,
            })?;
        }
        Ok(Grid::new(cells, found))
    }

    /// The cells of a sheet with a value, streamed and checked one by one.
    fn cells(
        &mut self,
        name: &str,
        limits: &SheetLimits,
    ) -> Result<Vec<(u32, u32, Data)>, LedgerError> {
        let path = self.path.clone();
        guarded(&path, || self.cells_unguarded(name, limits))
    }

    fn cells_unguarded(
        &mut self,
        name: &str,
        limits: &SheetLimits,
    ) -> Result<Vec<(u32, u32, Data)>, LedgerError> {
        let path = &self.path;
        let too_large = |detail: String| LedgerError::TooLarge {
            path: path.clone(),
            sheet: name.into(),
            detail,
        };
        let mut reader = match self.book.worksheet_cells_reader(name) {
            Ok(r) => r,
            // A chart sheet: no cells.
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
            Err(e) => return Err(unreadable(path, &e)),
        };
        let mut cells: Vec<(u32, u32, Data)> = Vec::new();
        let mut text: u64 = 0;
        let mut extent: Option<(u32, u32, u32, u32)> = None;
        while let Some(cell) = reader.next_cell().map_err(|e| unreadable(path, &e))? {
            let (row, col) = cell.get_position();
            let value = cell.get_value();
            if matches!(value, DataRef::Empty) {
                continue;
            }
            if row >= limits.rows || col >= limits.cols {
                return Err(too_large(format!(
                    "单元格 {} 超出可读取的范围（最多 {} 行、{} 列；它在第 {} 行、第 {} 列）。这通常是表格远处残留了内容：{TRIM}",
                    address(row, col),
                    thousands(limits.rows.into()),
                    thousands(limits.cols.into()),
                    thousands(u64::from(row) + 1),
                    thousands(u64::from(col) + 1),
                )));
            }
            let (r0, r1, c0, c1) = match extent {
                None => (row, row, col, col),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
            };
            extent = Some((r0, r1, c0, c1));
            let (height, width) = (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1);
            if height * width > limits.area {
                return Err(too_large(format!(
                    "已用区域 {}:{} 有 {} 行 × {} 列，超过可读取的 {} 个单元格。这通常是表格远处残留了内容：{TRIM}",
                    address(r0, c0),
                    address(r1, c1),
                    thousands(height),
                    thousands(width),
                    thousands(limits.area)
                )));
            }
            if cells.len() >= limits.cells {
                return Err(too_large(format!(
                    "有值的单元格超过 {} 个（读到 {} 时）。请删除多余的内容，或把表格拆成几个文件分别导入",
                    thousands(limits.cells as u64),
                    address(row, col)
                )));
            }
            let s = match value {
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                    Some(s.as_str())
                }
                DataRef::SharedString(s) => Some(*s),
                _ => None,
            };
            if let Some(s) = s {
                if s.len() > limits.cell_chars {
                    let chars = s.chars().count();
                    if chars > limits.cell_chars {
                        return Err(too_large(format!(
                            "单元格 {} 有 {} 个字符，超过 Excel 单元格的上限 {} 个。文件可能不是 Excel 或 WPS 保存的：请检查这个单元格，{REDO}",
                            address(row, col),
                            thousands(chars as u64),
                            thousands(limits.cell_chars as u64)
                        )));
                    }
                }
                text += s.len() as u64 + 16;
                if text > limits.text_bytes {
                    return Err(too_large(format!(
                        "单元格中的文字超过 {} MB（读到 {} 时）。请删除多余的内容，或把表格拆成几个文件分别导入",
                        limits.text_bytes / MIB,
                        address(row, col)
                    )));
                }
            }
            cells.push((row, col, Data::from(cell.get_value().clone())));
        }
        Ok(cells)
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

/// The merged ranges spanning more rows of the sheet than the limit (each counted over the
/// rows of the sheet that have cells; merges the grid ignores are not counted).
fn check_merge_rows(
    merges: &[Dimensions],
    cells: &[(u32, u32, Data)],
    limits: &SheetLimits,
) -> Result<(), String> {
    let (Some(r0), Some(r1)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.0).max(),
    ) else {
        return Ok(());
    };
    let mut rows: u64 = 0;
    for m in merges {
        if merge_cells(m) > MAX_MERGE_CELLS || m.end.0 < r0 || m.start.0 > r1 {
            continue;
        }
        rows += u64::from(m.end.0.min(r1) - m.start.0.max(r0)) + 1;
        if rows > limits.merge_rows {
            return Err(format!(
                "合并单元格共跨越超过 {} 行（读到合并区域 {}:{} 时）。请取消不必要的合并单元格后重新导入",
                thousands(limits.merge_rows),
                address(m.start.0, m.start.1),
                address(m.end.0, m.end.1)
            ));
        }
    }
    Ok(())
}

/// Why a part is refused before calamine reads it.
enum Refusal {
    TooLarge(String),
    Unreadable(String),
}

impl Refusal {
    fn into_error(self, path: &Path, sheet: &str) -> LedgerError {
        match self {
            Refusal::TooLarge(detail) => LedgerError::TooLarge {
                path: path.to_path_buf(),
                sheet: sheet.into(),
                detail,
            },
            Refusal::Unreadable(detail) => unreadable(path, &detail),
        }
    }
}

impl ScanFor<'_> {
    const NOTHING: ScanFor<'static> = ScanFor {
        count: &[],
        capture: &[],
        stop_over: MAX_TOKEN_BYTES,
    };
}

/// A raw pass over a part, refusing one whose longest text or tag an XML reader could not
/// hold safely.
fn measure(zip: &mut Zip, name: &str, size: u64, what: &ScanFor) -> Result<XmlScan, Refusal> {
    measure_stoppable(zip, name, size, what, None)
}

fn measure_stoppable(
    zip: &mut Zip,
    name: &str,
    size: u64,
    what: &ScanFor,
    stop: Option<&AtomicBool>,
) -> Result<XmlScan, Refusal> {
    let scan = scan_part(zip, name, size, what, stop).map_err(Refusal::Unreadable)?;
    if scan.longest_text.max(scan.longest_tag) > MAX_TOKEN_BYTES {
        return Err(Refusal::TooLarge(format!(
            "部件 {name} 中有一段超过 {} MB 的文字或标记（Excel 单元格最多 32,767 个字符）。文件可能已损坏或被篡改：{REDO}",
            MAX_TOKEN_BYTES / MIB
        )));
    }
    Ok(scan)
}

/// The shared strings: their declared and real count and the memory calamine will take.
fn check_shared_strings(
    zip: &mut Zip,
    name: &str,
    size: u64,
    max_memory: u64,
) -> Result<(), Refusal> {
    let scan = measure(
        zip,
        name,
        size,
        &ScanFor {
            count: &["si"],
            capture: &[("sst", 1)],
            stop_over: MAX_TOKEN_BYTES,
        },
    )?;
    let declared: u64 = scan.captured[0]
        .first()
        .and_then(|tag| attribute(tag, "uniqueCount"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let strings = scan.counts[0].0;
    let count = declared.max(strings);
    if count > MAX_SHARED_STRINGS {
        return Err(Refusal::TooLarge(format!(
            "共享字符串表（{name}）{}有 {} 个字符串，超过 {} 个。请删除多余的内容，或把表格拆成几个文件分别导入",
            if declared > strings { "声明" } else { "" },
            thousands(count),
            thousands(MAX_SHARED_STRINGS)
        )));
    }
    let memory = size + 40 * strings;
    if memory > max_memory {
        return Err(Refusal::TooLarge(format!(
            "共享字符串表（{name}）有 {} 个字符串、{} MB，读取约需 {} MB 内存，超过 {} MB。请删除多余的内容，或把表格拆成几个文件分别导入",
            thousands(strings),
            megabytes(size),
            megabytes(memory),
            max_memory / MIB
        )));
    }
    Ok(())
}

/// The style sheet: records of each kind, and the memory of the cell formats.
fn check_styles(zip: &mut Zip, name: &str, size: u64) -> Result<(), Refusal> {
    if size > MAX_STYLES_BYTES {
        return Err(Refusal::TooLarge(format!(
            "样式表 {name} 解压后有 {} MB，超过 {} MB。请在 Excel 中清除多余的单元格格式后另存，再导入",
            megabytes(size),
            MAX_STYLES_BYTES / MIB
        )));
    }
    const KINDS: [(&str, &str); 6] = [
        ("xf", "单元格格式"),
        ("font", "字体"),
        ("fill", "填充"),
        ("border", "边框"),
        ("numFmt", "数字格式"),
        ("name", "字体名称"),
    ];
    let count: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
    let scan = measure(
        zip,
        name,
        size,
        &ScanFor {
            count: &count,
            capture: &[],
            stop_over: MAX_TOKEN_BYTES,
        },
    )?;
    for ((n, _), (_, label)) in scan.counts.iter().zip(KINDS) {
        if *n > MAX_STYLE_RECORDS {
            return Err(Refusal::TooLarge(format!(
                "样式表 {name} 有 {} 个{label}，超过 {} 个（Excel 最多 64,000 种单元格格式）。请在 Excel 中清除多余的格式后另存，再导入",
                thousands(*n),
                thousands(MAX_STYLE_RECORDS)
            )));
        }
    }
    // Each cell format is a style of ~300 bytes with a copy of its font's name and its
    // number format's code.
    let xf = scan.counts[0].0;
    let memory = xf * (300 + scan.counts[5].1 + scan.counts[4].1);
    if memory > MAX_STYLES_MEMORY {
        return Err(Refusal::TooLarge(format!(
            "样式表 {name} 有 {} 种单元格格式，读取约需 {} MB 内存，超过 {} MB。请在 Excel 中清除多余的格式后另存，再导入",
            thousands(xf),
            megabytes(memory),
            MAX_STYLES_MEMORY / MIB
        )));
    }
    Ok(())
}

/// Where the workbook's parts are, found the way calamine finds them: the package
/// relationships name the workbook part, its relationships name each sheet's part.
struct Structure {
    xl_path: String,
    workbook_part: String,
    rels_part: String,
    /// (sheet name, part) in workbook order.
    sheets: Vec<(String, String)>,
}

impl Structure {
    /// None when the structure cannot be read here; calamine then decides.
    fn read(zip: &mut Zip, parts: &Parts) -> Option<Structure> {
        let small = |zip: &mut Zip, name: &str| -> Option<Vec<u8>> {
            let (real, size) = parts.get(name)?;
            if *size > MAX_SMALL_PART_BYTES {
                return None;
            }
            read_part(zip, real, *size).ok()
        };
        let rels = small(zip, "_rels/.rels")?;
        let target = relationships(&rels)
            .into_iter()
            .find(|(_, ty, _)| ty.ends_with("/relationships/officeDocument"))
            .map(|(_, _, target)| unescape(&target))?;
        let (dir, file) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        let xl_path = dir.strip_prefix('/').unwrap_or(dir).to_string();
        let workbook_name = if file.is_empty() {
            "workbook.xml"
        } else {
            file
        };
        let workbook_part = format!("{xl_path}{workbook_name}");
        let rels_part = format!("{xl_path}_rels/{workbook_name}.rels");
        let by_id: HashMap<String, String> = relationships(&small(zip, &rels_part)?)
            .into_iter()
            .map(|(id, _, target)| (id, target))
            .collect();
        let workbook = small(zip, &workbook_part)?;
        let mut sheets = Vec::new();
        let mut reader = quick_xml::Reader::from_reader(&workbook[..]);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf).ok()? {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.local_name().as_ref() == b"sheet" =>
                {
                    let mut name = None;
                    let mut id = None;
                    for a in e.attributes().flatten() {
                        let key = a.key.as_ref();
                        let value = String::from_utf8_lossy(&a.value).into_owned();
                        if key == b"name" {
                            name = Some(unescape(&value));
                        } else if key == b"id" || key.ends_with(b":id") {
                            id = Some(value);
                        }
                    }
                    if let (Some(name), Some(target)) = (name, id.and_then(|i| by_id.get(&i))) {
                        let part = match target.strip_prefix('/') {
                            Some(abs) => abs.to_string(),
                            None => format!("{xl_path}{target}"),
                        };
                        sheets.push((name, part));
                    }
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        Some(Structure {
            xl_path,
            workbook_part,
            rels_part,
            sheets,
        })
    }
}

/// (Id, Type, Target) of each relationship in a relationships part.
fn relationships(xml: &[u8]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship" =>
            {
                let mut rel = (String::new(), String::new(), String::new());
                for a in e.attributes().flatten() {
                    let value = String::from_utf8_lossy(&a.value).into_owned();
                    match a.key.as_ref() {
                        b"Id" => rel.0 = value,
                        b"Type" => rel.1 = value,
                        b"Target" => rel.2 = value,
                        _ => {}
                    }
                }
                out.push(rel);
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s).map_or_else(|_| s.to_string(), |c| c.into_owned())
}

/// The hand-made packages of the hostile-file tests.
#[cfg(test)]
#[path = "../tests/support/forge.rs"]
mod forge;

#[cfg(test)]
mod tests {
    use super::forge::{Cell, Part, ledger_cells, sheet, workbook};
    use super::*;

    fn file(dir: &Path, bytes: Vec<u8>) -> PathBuf {
        let path = dir.join("t.xlsx");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn too_large(r: Result<Grid, LedgerError>) -> String {
        match r {
            Err(e @ LedgerError::TooLarge { .. }) => e.to_string(),
            Err(e) => panic!("another error: {e}"),
            Ok(_) => panic!("read"),
        }
    }

    #[test]
    fn each_sheet_limit_names_the_cell_where_it_was_reached() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            workbook(
                vec![("台账", sheet(None, &ledger_cells(), &["A2:B2", "A3:B3"]))],
                Vec::new(),
            ),
        );
        let mut book = Workbook::open(&path).unwrap();
        let within = |f: &dyn Fn(&mut SheetLimits)| {
            let mut l = SHEET_LIMITS;
            f(&mut l);
            l
        };
        // Nine cells in rows 1–3, columns A–C, with 56 bytes of text.
        let g = book.grid_within("台账", true, &SHEET_LIMITS).unwrap();
        assert_eq!((g.rows(), g.cols()), (Some((0, 2)), Some((0, 2))));
        assert_eq!(g.text(1, 1), "白水县新型建材产业园项目", "merged A2:B2");
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.rows = 2)));
        assert!(
            e.contains("单元格 A3 超出可读取的范围（最多 2 行、1,000 列"),
            "{e}"
        );
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.cols = 2)));
        assert!(e.contains("单元格 C1 超出"), "{e}");
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.area = 5)));
        assert!(
            e.contains("已用区域 A1:C2 有 2 行 × 3 列，超过可读取的 5 个单元格"),
            "{e}"
        );
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.cells = 8)));
        assert!(e.contains("有值的单元格超过 8 个（读到 C3 时）"), "{e}");
        // Text of A1, B1, C1 ("项目名称", "责任单位", "总投资（万元）": 12 + 12 + 21 bytes)
        // and 16 each: 93; A2 (36 bytes) makes 145.
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.text_bytes = 144)));
        assert!(e.contains("（读到 A2 时）"), "{e}");
        let e = too_large(book.grid_within("台账", false, &within(&|l| l.cell_chars = 11)));
        assert!(
            e.contains("单元格 A2 有 12 个字符，超过 Excel 单元格的上限 11 个"),
            "{e}"
        );
        let e = too_large(book.grid_within("台账", true, &within(&|l| l.merges = 1)));
        assert!(e.contains("有 2 处合并单元格，超过 1 处"), "{e}");
        let e = too_large(book.grid_within("台账", true, &within(&|l| l.merge_rows = 1)));
        assert!(
            e.contains("合并单元格共跨越超过 1 行（读到合并区域 A3:B3 时）"),
            "{e}"
        );
    }

    #[test]
    fn shared_strings_are_weighed_before_calamine_holds_them() {
        // 100,000 empty strings "<si/>": 500 KB of XML, about 4.5 MB in calamine.
        let dir = tempfile::tempdir().unwrap();
        let strings = Part::repeated(
            "xl/sharedStrings.xml",
            b"<sst>",
            b"<si/>",
            100_000,
            b"</sst>",
        );
        let size = strings.size;
        assert_eq!(size, 500_011);
        let path = file(
            dir.path(),
            workbook(
                vec![("台账", sheet(None, &[("A1", Cell::Shared(0))], &[]))],
                vec![strings],
            ),
        );
        let mut zip: Zip =
            zip9::ZipArchive::new(BufReader::new(File::open(&path).unwrap())).unwrap();
        let check = |zip: &mut Zip, budget| match check_shared_strings(
            zip,
            "xl/sharedStrings.xml",
            size,
            budget,
        ) {
            Err(Refusal::TooLarge(m)) => m,
            Err(Refusal::Unreadable(m)) => panic!("{m}"),
            Ok(()) => "ok".into(),
        };
        // 500,011 + 40 × 100,000 = 4,500,011 bytes, 4.3 MB.
        assert_eq!(check(&mut zip, 5 * MIB), "ok");
        let m = check(&mut zip, 4 * MIB);
        assert!(
            m.contains("有 100,000 个字符串、0.5 MB，读取约需 4.3 MB 内存，超过 4 MB"),
            "{m}"
        );
        assert!(Workbook::open(&path).is_ok());
    }
}
