//! Hostile and broken .xlsx files: each reader refuses them with a message naming the file,
//! the sheet, the place and the limit — and reads legitimate sheets close to the limits. The
//! files are forged here byte by byte (tests/support/forge.rs); that a test runs to its end
//! without the process aborting shows the huge allocation was never attempted.

#[path = "support/forge.rs"]
mod forge;

use std::path::{Path, PathBuf};

use duban_office::{
    LedgerError, ReadOptions, read_indicators, read_ledger, read_report_sheet, speech_text,
};
use forge::{Cell, Part, ledger_cells, shared_strings, sheet, workbook};

const MIB: usize = 1024 * 1024;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn ledger(path: &Path) -> Result<duban_office::ReadLedger, LedgerError> {
    let opts = ReadOptions {
        fallback_year: 2025,
        ..Default::default()
    };
    read_ledger(path, &opts, &mut |_, _| {})
}

/// What each reader says of `path`: the ledger, the reporting sheet, the indicators.
fn all_readers(path: &Path) -> [Result<(), String>; 3] {
    [
        ledger(path).map(|_| ()).map_err(|e| e.to_string()),
        read_report_sheet(path, None)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        read_indicators(path, None, "全市")
            .map(|_| ())
            .map_err(|e| e.to_string()),
    ]
}

/// Every reader refuses `path` with a message holding each of `needles`.
fn refused_by_all(path: &Path, needles: &[&str]) -> String {
    let results = all_readers(path);
    for (reader, r) in ["read_ledger", "read_report_sheet", "read_indicators"]
        .iter()
        .zip(&results)
    {
        let e = r.as_ref().expect_err(reader);
        for n in needles {
            assert!(e.contains(n), "{reader}: “{n}” not in: {e}");
        }
    }
    results[0].clone().unwrap_err()
}

fn one_sheet(cells: &[(&str, Cell)], merges: &[&str]) -> Vec<u8> {
    workbook(vec![("台账", sheet(None, cells, merges))], Vec::new())
}

#[test]
fn a_cell_at_xfd1048576_is_refused_by_every_reader_with_the_cell_and_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ledger_cells();
    cells.push(("XFD1048576", Cell::Number(1.0)));
    // The declared dimension lies (it is never used for allocation anyway).
    let bytes = workbook(
        vec![("台账", sheet(Some("A1:C3"), &cells, &[]))],
        Vec::new(),
    );
    assert!(bytes.len() < 5_000, "a file of {} bytes", bytes.len());
    let path = write(dir.path(), "远处的单元格.xlsx", &bytes);
    let message = refused_by_all(&path, &["远处的单元格.xlsx", "“台账”", "XFD1048576"]);
    assert_eq!(
        message,
        format!(
            "{} 的工作表“台账”过大，无法读取：单元格 XFD1048576 超出可读取的范围（最多 500,000 行、1,000 列；它在第 1,048,576 行、第 16,384 列）。这通常是表格远处残留了内容：请删除数据区以外多余的行和列（或只把数据复制到新工作表）后重新导入",
            path.display()
        )
    );
    assert!(matches!(ledger(&path), Err(LedgerError::TooLarge { .. })));
}

#[test]
fn a_cell_in_the_last_row_of_column_o_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ledger_cells();
    cells.push(("O1048576", Cell::Text("备注")));
    let path = write(dir.path(), "o.xlsx", &one_sheet(&cells, &[]));
    refused_by_all(
        &path,
        &["单元格 O1048576", "第 1,048,576 行、第 15 列", "500,000 行"],
    );
}

#[test]
fn a_wide_extent_is_refused_by_its_area() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ledger_cells();
    // Column ALL is the 1,000th: within the columns, and row 400,000 within the rows; the
    // extent A1:ALL400000 is 400,000,000 cells.
    cells.push(("ALL400000", Cell::Number(1.0)));
    let path = write(dir.path(), "wide.xlsx", &one_sheet(&cells, &[]));
    refused_by_all(
        &path,
        &[
            "已用区域 A1:ALL400000 有 400,000 行 × 1,000 列，超过可读取的 50,000,000 个单元格",
            "请删除数据区以外多余的行和列",
        ],
    );
}

#[test]
fn a_legitimate_sheet_near_the_limits_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ledger_cells();
    let long = "建".repeat(32_767);
    cells.insert(3, ("D1", Cell::Text("建设内容")));
    cells.insert(7, ("D2", Cell::Text(&long)));
    // A note in the last column read (ALL, the 1,000th).
    cells.push(("ALL3", Cell::Text("填表人：张三")));
    // The declared dimension says the whole sheet, a merge covers it: neither is believed.
    let bytes = workbook(
        vec![(
            "台账",
            sheet(Some("A1:XFD1048576"), &cells, &["A1:XFD1048576"]),
        )],
        Vec::new(),
    );
    let path = write(dir.path(), "near.xlsx", &bytes);
    let read = ledger(&path).unwrap();
    assert_eq!(read.rows.len(), 2, "{:?}", read.errors);
    assert_eq!(
        read.rows[0]
            .item
            .scale
            .as_deref()
            .map(|s| s.chars().count()),
        Some(32_767)
    );
    assert!(read.errors.is_empty(), "{:?}", read.errors);

    // A footnote in the last row read (500,000).
    let mut cells = ledger_cells();
    cells.push(("A500000", Cell::Text("注：本表金额单位为万元。")));
    let path = write(dir.path(), "tall.xlsx", &one_sheet(&cells, &[]));
    let read = ledger(&path).unwrap();
    assert_eq!(read.rows.len(), 2, "{:?}", read.errors);
    assert_eq!(read.skipped.last().map(|s| s.row), Some(500_000));
}

#[test]
fn a_cell_of_40000_characters_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ledger_cells();
    let long = "a".repeat(40_000);
    cells.push(("B4", Cell::Text(&long)));
    let path = write(dir.path(), "long.xlsx", &one_sheet(&cells, &[]));
    refused_by_all(
        &path,
        &["单元格 B4 有 40,000 个字符，超过 Excel 单元格的上限 32,767 个"],
    );
}

#[test]
fn one_long_shared_string_repeated_is_stopped_at_the_text_limit() {
    // 30,000 characters, referenced 3,000 times: 90 MB once copied into cells. Each
    // reference counts 30,016 bytes; 2,235 fit in 64 MB (67,108,864), the 2,236th does not.
    let dir = tempfile::tempdir().unwrap();
    let long = "a".repeat(30_000);
    let names: Vec<String> = (1..=3000).map(|r| format!("A{r}")).collect();
    let cells: Vec<(&str, Cell)> = names
        .iter()
        .map(|a| (a.as_str(), Cell::Shared(0)))
        .collect();
    let bytes = workbook(
        vec![("台账", sheet(None, &cells, &[]))],
        vec![shared_strings(&[&long])],
    );
    let path = write(dir.path(), "laughs.xlsx", &bytes);
    refused_by_all(&path, &["单元格中的文字超过 64 MB（读到 A2236 时）"]);
}

#[test]
fn a_shared_strings_bomb_is_refused_before_it_is_unpacked() {
    // 19,660,800 × "<si><t></t></si>" (16 bytes): 300 MiB unzipped, 2.4 MB zipped.
    let dir = tempfile::tempdir().unwrap();
    let bomb = Part::repeated(
        "xl/sharedStrings.xml",
        b"",
        b"<si><t></t></si>",
        300 * MIB / 16,
        b"",
    );
    assert_eq!(bomb.size, 300 * MIB as u64);
    let bytes = workbook(
        vec![("台账", sheet(None, &ledger_cells(), &[]))],
        vec![bomb],
    );
    assert!(bytes.len() < 3 * MIB, "{}", bytes.len());
    let path = write(dir.path(), "bomb.xlsx", &bytes);
    let message = refused_by_all(
        &path,
        &[
            "部件 xl/sharedStrings.xml 解压后有 300.0 MB，超过单个部件 256 MB 的上限",
            "压缩炸弹",
        ],
    );
    assert!(
        message.starts_with(&format!("{} 过大", path.display())),
        "{message}"
    );
}

#[test]
fn parts_adding_up_past_the_total_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let filler = |i: usize| {
        Part::repeated(
            &format!("xl/media/filler{i}.xml"),
            b"",
            b"<x/>",
            200 * MIB / 4,
            b"",
        )
    };
    let bytes = workbook(
        vec![("台账", sheet(None, &ledger_cells(), &[]))],
        vec![filler(1), filler(2), filler(3)],
    );
    let path = write(dir.path(), "total.xlsx", &bytes);
    refused_by_all(&path, &["文件解压后共 600.0 MB，超过 512 MB 的上限"]);
}

#[test]
fn a_part_unpacking_past_its_declared_size_is_refused() {
    // The headers say 1,000 bytes; the deflate stream holds 50 MiB.
    let dir = tempfile::tempdir().unwrap();
    let liar = Part::repeated(
        "xl/sharedStrings.xml",
        b"<sst>",
        b"<si><t>a</t></si>",
        50 * MIB / 17,
        b"</sst>",
    )
    .declaring(1_000);
    let bytes = workbook(
        vec![("台账", sheet(None, &ledger_cells(), &[]))],
        vec![liar],
    );
    let path = write(dir.path(), "liar.xlsx", &bytes);
    refused_by_all(&path, &["xl/sharedStrings.xml 解压后比它声明的大小更大"]);
}

#[test]
fn a_declared_string_count_is_checked_before_calamine_reserves_it() {
    let dir = tempfile::tempdir().unwrap();
    let strings = Part::stored(
        "xl/sharedStrings.xml",
        format!(
            r#"<?xml version="1.0"?><sst xmlns="{}" count="2" uniqueCount="1000000000"><si><t>项目名称</t></si><si><t>x</t></si></sst>"#,
            forge::NS
        ),
    );
    let bytes = workbook(
        vec![("台账", sheet(None, &ledger_cells(), &[]))],
        vec![strings],
    );
    let path = write(dir.path(), "unique.xlsx", &bytes);
    refused_by_all(&path, &["声明有 1,000,000,000 个字符串，超过 4,000,000 个"]);
}

#[test]
fn a_giant_text_is_refused_before_calamine_reads_it() {
    // One inline string of 40 MiB (a sheet part over 32 MiB is measured first).
    let dir = tempfile::tempdir().unwrap();
    let head = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="{}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#,
        forge::NS
    );
    let part = Part::repeated(
        "sheet",
        head.as_bytes(),
        b"a",
        40 * MIB,
        b"</t></is></c></row></sheetData></worksheet>",
    );
    let bytes = workbook(vec![("台账", part)], Vec::new());
    let path = write(dir.path(), "giant.xlsx", &bytes);
    refused_by_all(
        &path,
        &["部件 xl/worksheets/sheet1.xml 中有一段超过 1 MB 的文字或标记"],
    );
}

#[test]
fn a_huge_merge_is_ignored_and_too_many_merges_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "merge.xlsx",
        &one_sheet(&ledger_cells(), &["A1:XFD1048576", "XFD1:A1048576"]),
    );
    assert_eq!(ledger(&path).unwrap().rows.len(), 2);

    let merges: Vec<String> = (1..=100_001).map(|r| format!("D{r}:E{r}")).collect();
    let merges: Vec<&str> = merges.iter().map(String::as_str).collect();
    let path = write(
        dir.path(),
        "merges.xlsx",
        &one_sheet(&ledger_cells(), &merges),
    );
    let e = ledger(&path).unwrap_err().to_string();
    assert!(
        e.contains("有 100,001 处合并单元格，超过 100,000 处"),
        "{e}"
    );
}

#[test]
fn many_sheets_and_many_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (1..=1001).map(|i| format!("表{i}")).collect();
    let sheets = names
        .iter()
        .map(|n| (n.as_str(), sheet(None, &ledger_cells(), &[])))
        .collect();
    let path = write(dir.path(), "sheets.xlsx", &workbook(sheets, Vec::new()));
    refused_by_all(&path, &["工作簿有 1,001 个工作表，超过 1,000 个"]);

    let extra = (0..10_001)
        .map(|i| Part::stored(&format!("xl/media/p{i}.bin"), ""))
        .collect();
    let bytes = workbook(vec![("台账", sheet(None, &ledger_cells(), &[]))], extra);
    let path = write(dir.path(), "parts.xlsx", &bytes);
    // 4 parts of the workbook, 1 sheet, 10,001 more.
    refused_by_all(&path, &["压缩包中有 10,006 个部件，超过 10,000 个"]);
}

#[test]
fn too_many_styles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let styles = Part::repeated(
        "xl/styles.xml",
        br#"<styleSheet><cellXfs count="100001">"#,
        b"<xf/>",
        100_001,
        b"</cellXfs></styleSheet>",
    );
    let bytes = workbook(
        vec![("台账", sheet(None, &ledger_cells(), &[]))],
        vec![styles],
    );
    let path = write(dir.path(), "styles.xlsx", &bytes);
    refused_by_all(
        &path,
        &["样式表 xl/styles.xml 有 100,001 个单元格格式，超过 100,000 个"],
    );
}

#[test]
fn broken_files_are_refused_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = one_sheet(&ledger_cells(), &[]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.xlsx", Vec::new(), "文件是空的"),
        (
            "text.xlsx",
            b"hello, not a zip".to_vec(),
            "不是 Excel 工作簿",
        ),
        (
            "truncated.xlsx",
            good[..good.len() / 2].to_vec(),
            "已损坏或不完整",
        ),
        (
            "bad-xml.xlsx",
            workbook(
                vec![(
                    "台账",
                    Part::stored("s", "<worksheet><sheetData><row><c r=\"A1\"><v>1"),
                )],
                Vec::new(),
            ),
            "已损坏或不完整",
        ),
        (
            "no-workbook.xlsx",
            forge::zip(&[Part::stored("hello.txt", "hi")]),
            "已损坏或不完整",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = write(dir.path(), name, &bytes);
        refused_by_all(&path, &[name, needle]);
    }
    assert_eq!(
        ledger(&dir.path().join("absent.xlsx"))
            .unwrap_err()
            .to_string(),
        format!("找不到文件 {}", dir.path().join("absent.xlsx").display())
    );
    // A folder given where a workbook was meant.
    let folder = dir.path().join("台账.xlsx");
    std::fs::create_dir(&folder).unwrap();
    refused_by_all(&folder, &["这是一个文件夹"]);
}

#[test]
fn speeches_are_bounded() {
    let big = vec![b'a'; 32 * MIB + 1];
    let e = speech_text(&big, "讲话.txt").unwrap_err().to_string();
    assert!(
        e.contains("讲话.txt 过大") && e.contains("超过讲话稿的上限 32 MB"),
        "{e}"
    );

    // word/document.xml declaring 100 MiB.
    let bomb = forge::zip(&[Part::repeated(
        "word/document.xml",
        b"",
        b"<w:p/>",
        100 * MIB / 6,
        b"",
    )]);
    assert!(bomb.len() < MIB);
    let e = speech_text(&bomb, "讲话.docx").unwrap_err().to_string();
    assert!(e.contains("解压后有 100.0 MB，超过 64 MB"), "{e}");

    // Declaring 1,000 bytes, holding 10 MiB.
    let liar =
        forge::zip(&[
            Part::repeated("word/document.xml", b"", b"<w:p/>", 10 * MIB / 6, b"").declaring(1_000),
        ]);
    let e = speech_text(&liar, "讲话.docx").unwrap_err().to_string();
    assert!(e.contains("比它声明的大小更大"), "{e}");

    let many: Vec<Part> = (0..10_001)
        .map(|i| Part::stored(&format!("p{i}"), ""))
        .collect();
    let e = speech_text(&forge::zip(&many), "讲话.docx")
        .unwrap_err()
        .to_string();
    assert!(e.contains("压缩包中有 10,001 个部件"), "{e}");
}

#[test]
fn forged_references_give_an_error_or_a_reading_never_a_panic() {
    // calamine subtracts the corners of a reversed dimension and multiplies out long
    // references: with overflow checks (this debug build) it panics, which the readers turn
    // into an error; a release build wraps, and the position checks refuse what comes out.
    let dir = tempfile::tempdir().unwrap();
    let shapes = [
        ("reversed.xlsx", Some("C3:A1"), ("B2", "x")),
        ("long-column.xlsx", None, ("ZZZZZZZZ1", "x")),
        ("long-row.xlsx", None, ("A99999999999", "x")),
    ];
    for (name, dimension, (addr, text)) in shapes {
        let mut cells = ledger_cells();
        cells.push((addr, Cell::Text(text)));
        let path = write(
            dir.path(),
            name,
            &workbook(vec![("台账", sheet(dimension, &cells, &[]))], Vec::new()),
        );
        for r in all_readers(&path) {
            if let Err(e) = r {
                assert!(e.contains(name), "{e}");
            }
        }
    }
}
