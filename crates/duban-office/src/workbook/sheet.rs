//! 工作表 — one sheet read within [`SheetLimits`]: a large part measured first (in the
//! background since the workbook opened, or now), the merged ranges read by a raw pass on a
//! second core, the cells streamed from calamine and each checked before it is kept.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, XlsxError};

use crate::error::LedgerError;
use crate::grid::{Grid, MAX_MERGE_CELLS, merge_cells};
use crate::package::{ScanFor, XmlScan, attribute, range_ref};

use super::messages::{REDO, TRIM, address, thousands};
use super::part::{Refusal, Zip, measure};
use super::{
    BIG_PART, MAX_TOKEN_BYTES, MIB, SHEET_LIMITS, SheetLimits, Workbook, guarded, unreadable,
};

impl Workbook {
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
        let scan = |part: &(String, u64)| scan_part(&path, part, &want);
        type Scanned = Option<Result<XmlScan, LedgerError>>;
        let (cells, scanned): (Result<_, _>, Scanned) = match &part {
            // A large part is measured before calamine reads it (in the background since
            // the workbook opened, or now).
            Some(p) if p.1 > BIG_PART => {
                let scanned = self.measure_big(name, p, limits, &scan)?;
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

    /// A large part measured before calamine reads it: in the background since the workbook
    /// opened, or now with `scan`.
    fn measure_big(
        &self,
        name: &str,
        part: &(String, u64),
        limits: &SheetLimits,
        scan: &PartScan<'_>,
    ) -> Result<XmlScan, LedgerError> {
        let early = self
            .prescan
            .as_ref()
            .filter(|_| limits.merges <= SHEET_LIMITS.merges)
            .and_then(|pre| pre.take(&part.0));
        early
            .unwrap_or_else(|| scan(part))
            .map_err(|e| e.into_error(&self.path, name))
    }

    /// The cells of the sheet `name` with a value, in the order of the file, each checked
    /// against `limits` (as [`Workbook::grid_within`] checks them) before `visit` sees it;
    /// without merges and without holding the sheet. An error of `visit` ends the read.
    pub fn stream_within(
        &mut self,
        name: &str,
        limits: &SheetLimits,
        visit: &mut dyn FnMut(u32, u32, &DataRef<'_>) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let path = self.path.clone();
        if let Some(p) = self.sheet_parts.get(name).cloned()
            && p.1 > BIG_PART
        {
            let want = ScanFor {
                count: &[],
                capture: &[],
                stop_over: MAX_TOKEN_BYTES,
            };
            let scan = |part: &(String, u64)| scan_part(&path, part, &want);
            self.measure_big(name, &p, limits, &scan)?;
        }
        guarded(&path, || self.visit_cells(name, limits, visit))
    }

    /// The cells of a sheet with a value, streamed and checked one by one.
    fn cells(
        &mut self,
        name: &str,
        limits: &SheetLimits,
    ) -> Result<Vec<(u32, u32, Data)>, LedgerError> {
        let path = self.path.clone();
        let mut cells: Vec<(u32, u32, Data)> = Vec::new();
        guarded(&path, || {
            self.visit_cells(name, limits, &mut |row, col, value| {
                cells.push((row, col, Data::from(value.clone())));
                Ok(())
            })
        })?;
        Ok(cells)
    }

    fn visit_cells(
        &mut self,
        name: &str,
        limits: &SheetLimits,
        visit: &mut dyn FnMut(u32, u32, &DataRef<'_>) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let path = &self.path;
        let too_large = |detail: String| LedgerError::TooLarge {
            path: path.clone(),
            sheet: name.into(),
            detail,
        };
        let mut reader = match self.book.worksheet_cells_reader(name) {
            Ok(r) => r,
            // A chart sheet: no cells.
            Err(XlsxError::NotAWorksheet(_)) => return Ok(()),
            Err(e) => return Err(unreadable(path, &e)),
        };
        let mut kept: usize = 0;
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
            if kept >= limits.cells {
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
            kept += 1;
            visit(row, col, value)?;
        }
        Ok(())
    }
}

/// How a part is measured when the background pass does not have it.
type PartScan<'a> = dyn Fn(&(String, u64)) -> Result<XmlScan, Refusal> + 'a;

/// Measures `part` of the workbook at `path` for what `want` asks, on a zip reader of its own.
fn scan_part(
    path: &Path,
    (part, size): &(String, u64),
    want: &ScanFor,
) -> Result<XmlScan, Refusal> {
    let mut zip: Zip = File::open(path)
        .map_err(|e| Refusal::Unreadable(e.to_string()))
        .and_then(|f| {
            zip9::ZipArchive::new(BufReader::new(f)).map_err(|e| Refusal::Unreadable(e.to_string()))
        })?;
    measure(&mut zip, part, *size, want)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::forge::{ledger_cells, sheet, workbook};
    use crate::workbook::testing::file;

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
}
