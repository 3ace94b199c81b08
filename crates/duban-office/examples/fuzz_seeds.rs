//! Writes the fuzz seeds (fuzz/corpus/<target>/): for each .xlsx reader a legitimate file of
//! its own and the hostile shapes (each a few kilobytes); speeches; texts for extraction.
//! Files of other names (crashers found by fuzzing) are left as they are.
//!
//! ```text
//! cargo run -p duban-office --example fuzz_seeds
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/support/forge.rs"]
mod forge;

use std::path::{Path, PathBuf};

use forge::{Cell, Part, ledger_cells, shared_strings, sheet, workbook};

const XLSX_TARGETS: [&str; 3] = ["xlsx_ledger", "xlsx_report_sheet", "xlsx_indicators"];

fn main() {
    write_seed_corpus();
}

fn write_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for d in XLSX_TARGETS.iter().chain(&["speech_text", "extract"]) {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let put = |dir: &str, name: &str, bytes: &[u8]| {
        std::fs::write(root.join(dir).join(name), bytes).unwrap();
        println!("{dir}/{name}: {} bytes", bytes.len());
    };
    let from_file = |p: PathBuf| std::fs::read(p).unwrap();

    // Legitimate files, one kind per reader.
    put(
        "xlsx_ledger",
        "wan-ledger.xlsx",
        &from_file(support::wan_ledger(tmp.path())),
    );
    put(
        "xlsx_ledger",
        "yi-ledger.xlsx",
        &from_file(support::yi_ledger(tmp.path())),
    );
    put(
        "xlsx_ledger",
        "tricky-ledger.xlsx",
        &from_file(support::tricky_ledger(tmp.path())),
    );
    let report = tmp.path().join("report.xlsx");
    let period = duban_core::Period::month(2025, 6).unwrap();
    let rows = [
        ("XM202500001", "白水县新型建材产业园项目"),
        ("XM202500002", "城区污水处理厂提标改造工程"),
    ]
    .iter()
    .map(|(code, name)| duban_office::TemplateRow {
        code: code.to_string(),
        name: name.to_string(),
        annual_plan: Some(duban_core::Wan::parse("3000", duban_core::MoneyUnit::Wan).unwrap()),
        previous_ytd: None,
        current: None,
    })
    .collect::<Vec<_>>();
    duban_office::write_report_template(
        &report,
        "白水县",
        period,
        chrono::NaiveDate::from_ymd_opt(2025, 7, 5).unwrap(),
        &rows,
    )
    .unwrap();
    put(
        "xlsx_report_sheet",
        "report-template.xlsx",
        &from_file(report),
    );
    let indicators = tmp.path().join("indicators.xlsx");
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        s.set_name("规上工业增加值增速").unwrap();
        let rows: [&[&str]; 5] = [
            &["2025年1-6月各县区规上工业增加值增速"],
            &["序号", "县（市、区）", "增速(%)", "目标"],
            &["", "全市", "6.8", "7.0"],
            &["1", "甲县", "6.5%", "7"],
            &["2", "乙县", "8.1", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                s.write(r as u32, c as u16, *v).unwrap();
            }
        }
        book.save(&indicators).unwrap();
    }
    put("xlsx_indicators", "indicators.xlsx", &from_file(indicators));

    // The hostile shapes, for every .xlsx reader.
    let with =
        |extra: Vec<(&'static str, Cell<'static>)>, merges: &[&str], dimension: Option<&str>| {
            let mut cells = ledger_cells();
            cells.extend(extra);
            workbook(vec![("台账", sheet(dimension, &cells, merges))], Vec::new())
        };
    let long: &'static str = Box::leak("a".repeat(40_000).into_boxed_str());
    let merges: Vec<String> = (1..=1000).map(|r| format!("D{r}:E{r}")).collect();
    let merges: Vec<&str> = merges.iter().map(String::as_str).collect();
    let legit = with(vec![], &[], None);
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        (
            "far-cell-xfd1048576.xlsx",
            with(vec![("XFD1048576", Cell::Number(1.0))], &[], Some("A1:C3")),
        ),
        (
            "far-cell-o1048576.xlsx",
            with(vec![("O1048576", Cell::Text("备注"))], &[], None),
        ),
        (
            "wide-area-all400000.xlsx",
            with(vec![("ALL400000", Cell::Number(1.0))], &[], None),
        ),
        (
            "lying-dimension.xlsx",
            with(vec![], &[], Some("A1:XFD1048576")),
        ),
        ("reversed-dimension.xlsx", with(vec![], &[], Some("C3:A1"))),
        (
            "cell-of-40000-chars.xlsx",
            with(vec![("B4", Cell::Text(long))], &[], None),
        ),
        (
            "huge-merge.xlsx",
            with(vec![], &["A1:XFD1048576", "C3:A1"], None),
        ),
        ("merges-1000.xlsx", with(vec![], &merges, None)),
        (
            "shared-strings-declaring-300mb.xlsx",
            workbook(
                vec![("台账", sheet(None, &[("A1", Cell::Shared(0))], &[]))],
                vec![shared_strings(&["项目名称"]).declaring(300 << 20)],
            ),
        ),
        (
            "shared-strings-liar.xlsx",
            workbook(
                vec![("台账", sheet(None, &ledger_cells(), &[]))],
                vec![
                    Part::repeated(
                        "xl/sharedStrings.xml",
                        b"<sst>",
                        b"<si><t>a</t></si>",
                        60_000,
                        b"</sst>",
                    )
                    .declaring(1_000),
                ],
            ),
        ),
        (
            "unique-count-1e9.xlsx",
            workbook(
                vec![("台账", sheet(None, &[("A1", Cell::Shared(0))], &[]))],
                vec![Part::stored(
                    "xl/sharedStrings.xml",
                    r#"<sst uniqueCount="1000000000"><si><t>项目名称</t></si></sst>"#,
                )],
            ),
        ),
        (
            "styles-100001.xlsx",
            workbook(
                vec![("台账", sheet(None, &ledger_cells(), &[]))],
                vec![Part::repeated(
                    "xl/styles.xml",
                    b"<styleSheet><cellXfs>",
                    b"<xf/>",
                    100_001,
                    b"</cellXfs></styleSheet>",
                )],
            ),
        ),
        ("not-a-zip.xlsx", b"hello, not a zip".to_vec()),
        ("empty.xlsx", Vec::new()),
        (
            "old-xls.xlsx",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really".to_vec(),
        ),
        ("truncated.xlsx", legit[..legit.len() / 2].to_vec()),
        ("forged-ledger.xlsx", legit.clone()),
    ];
    for target in XLSX_TARGETS {
        for (name, bytes) in &hostile {
            put(target, name, bytes);
        }
    }

    // Speeches.
    let line = "同志们：\n由市发改委牵头，市财政局配合，于2025年6月底前完成项目前期工作。\n";
    put("speech_text", "speech-utf8.txt", line.as_bytes());
    put("speech_text", "speech-gb18030.txt", &encoding_gb18030(line));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in line.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    put("speech_text", "speech-utf16.txt", &utf16);
    let doc = docx_rs::Docx::new()
        .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("同志们：")))
        .add_paragraph(
            docx_rs::Paragraph::new()
                .add_run(docx_rs::Run::new().add_text("由市发改委牵头，"))
                .add_run(docx_rs::Run::new().add_text("R&D 中心配合。")),
        );
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).unwrap();
    put("speech_text", "speech.docx", buf.get_ref());
    put(
        "speech_text",
        "document-declaring-100mb.docx",
        &forge::zip(&[Part::stored("word/document.xml", "<w:p/>").declaring(100 << 20)]),
    );
    put(
        "speech_text",
        "document-liar.docx",
        &forge::zip(&[
            Part::repeated("word/document.xml", b"", b"<w:p/>", 100_000, b"").declaring(1_000),
        ]),
    );
    put("speech_text", "not-a-zip.docx", b"PK\x03\x04 and nothing");
    put("speech_text", "empty.txt", b"");

    // Texts for extraction.
    put("extract", "lead-and-deadline.txt", line.as_bytes());
    put(
        "extract",
        "several.txt",
        "一要抓项目。各县区政府要在9月底前完成征地拆迁，市住建局、市自然资源局配合。\n二要抓督查。市委督查室每月通报一次进展情况。\n".as_bytes(),
    );
    put(
        "extract",
        "traditional.txt",
        "由市發改委牽頭，於2025年底前完成。".as_bytes(),
    );
}

fn encoding_gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}
