//! The fuzz seeds (fuzz/corpus/<target>/, read by the cargo-fuzz targets in fuzz/) replayed
//! on stable, and then mutated with a fixed-seed generator: every reader must return, with
//! what it read or with an error a person can act on — never panic, never the internal error.
//! The seeds are written by `write_seed_corpus` (ignored; run it after changing the shapes).

mod support;

#[path = "support/forge.rs"]
mod forge;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use duban_office::{LedgerError, ReadOptions, read_indicators, read_ledger, read_report_sheet};
use forge::{Cell, Part, ledger_cells, shared_strings, sheet, workbook};

const XLSX_TARGETS: [&str; 3] = ["xlsx_ledger", "xlsx_report_sheet", "xlsx_indicators"];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// An error of a reader must name the file when it is about the file, and never be the
/// internal one (a worker thread that stopped: a panic).
fn check(e: &LedgerError, path: &Path) {
    let message = e.to_string();
    assert!(!message.trim().is_empty());
    match e {
        LedgerError::Internal(_) => panic!("{}: {message}", path.display()),
        LedgerError::MissingColumn { .. } | LedgerError::Rows(_) => {}
        _ => {
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(message.contains(name.as_ref()), "{message}");
        }
    }
}

/// Runs reader `which` (0: ledger, 1: reporting sheet, 2: indicators) on `path`; true if it
/// read the file.
fn read(which: usize, path: &Path) -> bool {
    let r = match which {
        0 => {
            let opts = ReadOptions {
                fallback_year: 2025,
                ..Default::default()
            };
            read_ledger(path, &opts, &mut |_, _| {}).map(|_| ())
        }
        1 => read_report_sheet(path, None).map(|_| ()),
        _ => read_indicators(path, None, "全市").map(|_| ()),
    };
    match r {
        Ok(()) => true,
        Err(e) => {
            check(&e, path);
            false
        }
    }
}

fn speech(bytes: &[u8], name: &str) -> bool {
    match duban_office::speech_text(bytes, name) {
        Ok(text) => {
            assert!(!text.trim().is_empty());
            true
        }
        Err(e) => {
            assert!(e.to_string().contains(name), "{e}");
            false
        }
    }
}

#[test]
fn every_seed_is_read_or_refused_clearly() {
    quiet_calamine();
    let mut tried = 0;
    let mut read_ok = 0;
    for target in XLSX_TARGETS {
        for path in files(&corpus().join(target)) {
            for which in 0..3 {
                tried += 1;
                read_ok += usize::from(read(which, &path));
            }
        }
    }
    for path in files(&corpus().join("speech_text")) {
        let bytes = std::fs::read(&path).unwrap();
        for name in ["讲话.docx", "讲话.txt"] {
            tried += 1;
            read_ok += usize::from(speech(&bytes, name));
        }
    }
    eprintln!("{tried} readings of the seeds, {read_ok} read");
    assert!(tried >= 100, "the seed corpus is missing: {tried} readings");
    assert!(read_ok >= 10, "the legitimate seeds should read: {read_ok}");
}

/// SplitMix64: a fixed sequence, the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of the hostile shapes, spliced into the XML of a part.
const TOKENS: &[&str] = &[
    "XFD1048576",
    "1048577",
    "<c r=\"ZZ999999\"><v>1</v></c>",
    "<c r=\"A1\" t=\"s\"><v>4294967295</v></c>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<mergeCell ref=\"C3:A1\"/>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "uniqueCount=\"4294967295\"",
    "<si/>",
    "<![CDATA[<<<]]>",
    "<!-- > -->",
    "&amp;&#x4E2D;&#0;",
    "<row r=\"0\">",
    "t=\"inlineStr\"><is><t>",
    "\"",
    "<",
    ">",
    "项目名称",
    "1e308",
    "-0",
];

fn mutate(d: &mut Dice, bytes: &mut Vec<u8>) {
    for _ in 0..1 + d.below(4) {
        let at = d.below(bytes.len() + 1);
        match d.below(6) {
            0 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << d.below(8);
            }
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = [0, 0xFF, b'<', b'>', b'"', b'9', b'A', b'/'][d.below(8)];
            }
            2 => {
                let end = (at + 1 + d.below(16)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            3 if !bytes.is_empty() => {
                let from = d.below(bytes.len());
                let len = (1 + d.below(64)).min(bytes.len() - from);
                let piece = bytes[from..from + len].to_vec();
                bytes.splice(at..at, piece);
            }
            4 if bytes.len() >= 4 => {
                let i = at.min(bytes.len() - 4);
                let v: u32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1000_0000][d.below(5)];
                bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => {
                let t = TOKENS[d.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
        }
    }
}

/// The parts of a zip: (name, content).
type Parts = Vec<(String, Vec<u8>)>;

/// The parts of a zip (each up to 1 MiB), or None if it is not one that unpacks.
fn unzip(bytes: &[u8]) -> Option<Parts> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        (&mut f).take(1 << 20).read_to_end(&mut data).ok()?;
        parts.push((f.name().to_string(), data));
    }
    Some(parts)
}

/// calamine's own panics (overflow checks of a debug build, turned into errors by the
/// readers) are not printed: a backtrace each would make the run slow.
fn quiet_calamine() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info
                .location()
                .is_some_and(|l| l.file().contains("calamine"))
            {
                default(info);
            }
        }));
    });
}

#[test]
fn mutated_seeds_are_read_or_refused_clearly() {
    const MUTANTS: usize = 2_000;
    quiet_calamine();
    let dir = tempfile::tempdir().unwrap();
    // The seeds of one target (the others hold the same shapes), small once unzipped.
    let mut xlsx: Vec<(Vec<u8>, Option<Parts>)> = Vec::new();
    for target in XLSX_TARGETS {
        for path in files(&corpus().join(target)) {
            let bytes = std::fs::read(&path).unwrap();
            let parts = unzip(&bytes);
            let unzipped: usize = parts.iter().flatten().map(|(_, d)| d.len()).sum();
            if bytes.len() <= 16 * 1024 && unzipped <= 16 * 1024 {
                xlsx.push((bytes, parts));
            }
        }
    }
    let speeches: Vec<Vec<u8>> = files(&corpus().join("speech_text"))
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() <= 64 * 1024)
        .collect();
    assert!(xlsx.len() >= 10 && speeches.len() >= 4);
    let mut d = Dice(0x6475_6261_6e5f_667a);
    let t = Instant::now();
    let (mut read_ok, mut whole, mut in_parts) = (0, 0, 0);
    for i in 0..MUTANTS {
        if i % 4 == 3 {
            let mut bytes = speeches[d.below(speeches.len())].clone();
            mutate(&mut d, &mut bytes);
            let name = ["讲话.docx", "讲话.txt"][i % 2];
            read_ok += usize::from(speech(&bytes, name));
            continue;
        }
        let (bytes, parts) = &xlsx[d.below(xlsx.len())];
        // Half the time the zip as bytes; half the time one part's XML, zipped again.
        let mutant = match parts {
            Some(parts) if d.below(2) == 0 => {
                in_parts += 1;
                let k = d.below(parts.len());
                let parts: Vec<Part> = parts
                    .iter()
                    .enumerate()
                    .map(|(j, (name, data))| {
                        let mut data = data.clone();
                        if j == k {
                            mutate(&mut d, &mut data);
                        }
                        Part::stored(name, data)
                    })
                    .collect();
                forge::zip(&parts)
            }
            _ => {
                whole += 1;
                let mut bytes = bytes.clone();
                mutate(&mut d, &mut bytes);
                bytes
            }
        };
        let path = dir.path().join(format!("变异{}.xlsx", i % 7));
        std::fs::write(&path, &mutant).unwrap();
        read_ok += usize::from(read(i % 3, &path));
    }
    eprintln!(
        "{MUTANTS} mutants ({whole} of whole files, {in_parts} of one part, {} speeches) in {:.1} s; {read_ok} read",
        MUTANTS / 4,
        t.elapsed().as_secs_f64()
    );
    assert!(read_ok > 0);
}

/// Writes the seed corpus: for each .xlsx reader a legitimate file of its own and the
/// hostile shapes (each a few kilobytes); speeches; texts for extraction.
#[test]
#[ignore]
fn write_seed_corpus() {
    let root = corpus();
    let dirs = [
        "xlsx_ledger",
        "xlsx_report_sheet",
        "xlsx_indicators",
        "speech_text",
        "extract",
    ];
    for d in dirs {
        let dir = root.join(d);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files(&dir) {
            std::fs::remove_file(f).unwrap();
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let put = |dir: &str, name: &str, bytes: &[u8]| {
        std::fs::write(root.join(dir).join(name), bytes).unwrap();
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
