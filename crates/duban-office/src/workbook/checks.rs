//! 包的检查 — what is checked of the package before calamine opens it: that it is an .xlsx
//! file, its size and central directory, the small parts, the number of sheets, and the parts
//! calamine loads on opening (the shared strings counted and weighed, the styles counted).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::LedgerError;
use crate::package::{ScanFor, attribute, scan_directory};

use super::messages::{REDO, TRIM, megabytes, thousands};
use super::part::{Parts, Refusal, Zip, measure};
use super::structure::Structure;
use super::{
    BIG_PART, MAX_DIRECTORY_BYTES, MAX_ENTRIES, MAX_FILE_BYTES, MAX_PART_BYTES, MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_MEMORY, MAX_SHEETS, MAX_SMALL_PART_BYTES, MAX_STYLE_RECORDS,
    MAX_STYLES_BYTES, MAX_STYLES_MEMORY, MAX_TOKEN_BYTES, MAX_TOTAL_BYTES, MIB, unreadable,
};

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

/// A package too large to open: which file, and why.
fn too_large(path: &Path, detail: String) -> LedgerError {
    LedgerError::TooLarge {
        path: path.to_path_buf(),
        sheet: String::new(),
        detail,
    }
}

/// The file's size, and every header of its central directory: how many parts, how large
/// each declares itself unzipped, and in total.
pub(super) fn check_file(path: &Path) -> Result<(), LedgerError> {
    let too_large = |detail: String| too_large(path, detail);
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
    Ok(())
}

/// The small parts calamine reads on opening (relationships, workbook, theme), by size, and
/// the number of sheets. `xl` is the folder of the workbook part.
pub(super) fn check_small_parts(
    path: &Path,
    parts: &Parts,
    structure: Option<&Structure>,
    xl: &str,
) -> Result<(), LedgerError> {
    let too_large = |detail: String| too_large(path, detail);
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
    if let Some(s) = structure
        && s.sheets.len() > MAX_SHEETS
    {
        return Err(too_large(format!(
            "工作簿有 {} 个工作表，超过 {} 个。请删除多余的工作表，或把数据复制到新工作簿后重新导入",
            thousands(s.sheets.len() as u64),
            thousands(MAX_SHEETS as u64)
        )));
    }
    Ok(())
}

/// The parts calamine loads on opening: the shared strings and the styles. Without the
/// structure the sheets are not known: every large part is measured too.
pub(super) fn check_opening_parts(
    path: &Path,
    zip: &mut Zip,
    parts: &Parts,
    xl: &str,
    structure_known: bool,
) -> Result<(), LedgerError> {
    if let Some((name, size)) = parts.get(&format!("{xl}sharedStrings.xml")).cloned() {
        check_shared_strings(zip, &name, size, MAX_SHARED_STRINGS_MEMORY)
            .map_err(|e| e.into_error(path, ""))?;
    }
    if let Some((name, size)) = parts.get(&format!("{xl}styles.xml")).cloned() {
        check_styles(zip, &name, size).map_err(|e| e.into_error(path, ""))?;
    }
    // Without the structure the sheets are not known: every large part is measured now.
    if !structure_known {
        let big: Vec<(String, u64)> = parts
            .0
            .values()
            .filter(|(_, size)| *size > BIG_PART)
            .cloned()
            .collect();
        for (name, size) in big {
            measure(zip, &name, size, &ScanFor::NOTHING).map_err(|e| e.into_error(path, ""))?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::Workbook;
    use crate::workbook::forge::{Cell, Part, sheet, workbook};
    use crate::workbook::testing::file;

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
