//! Writes hostile workbooks that push every limit at once, to measure the peak memory of
//! reading them (`/usr/bin/time -v` on the `read_office_file` example):
//!
//! ```text
//! cargo run --release -p duban-office --example hostile_probes -- DIR
//! for f in DIR/*.xlsx; do /usr/bin/time -v target/release/examples/read_office_file ledger $f; done
//! ```

#[path = "../tests/support/forge.rs"]
mod forge;

use std::fmt::Write;
use std::path::Path;

use forge::{Cell, Part, ledger_cells, shared_strings, sheet, workbook};

const MIB: usize = 1024 * 1024;

fn main() {
    let dir = std::env::args().nth(1).expect("a directory");
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(name), &bytes).unwrap();
        println!("{name}: {} KB", bytes.len() / 1024);
    };

    // The finding: one cell at XFD1048576.
    let mut cells = ledger_cells();
    cells.push(("XFD1048576", Cell::Number(1.0)));
    write(
        "xfd1048576.xlsx",
        workbook(vec![("台账", sheet(None, &cells, &[]))], Vec::new()),
    );

    // 2,500,020 cells: the cell limit reached with numbers (the grid at its largest), with
    // shared strings just under their budget (900,000 strings of 31 bytes: 63.9 MB
    // estimated).
    let strings = Part::repeated_checked(
        "xl/sharedStrings.xml",
        b"<sst>",
        "<si><t>甲乙丙丁戊</t></si>".as_bytes(),
        900_000,
        b"</sst>",
    );
    write(
        "cells-and-strings.xlsx",
        workbook(
            vec![(
                "台账",
                big_sheet(125_001, 20, |_, _| "<v>1</v>".into()).into(),
            )],
            vec![strings],
        ),
    );

    // Text at its limit: a 30,000-character string copied into every cell.
    let long = "长".repeat(30_000);
    write(
        "text.xlsx",
        workbook(
            vec![(
                "台账",
                big_sheet(3_000, 1, |_, _| r#"<v>0</v>"#.to_string()).shared(),
            )],
            vec![shared_strings(&[&long])],
        ),
    );

    // A giant text just under the size measured beforehand (32 MiB): calamine holds it.
    let head = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="{}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#,
        forge::NS
    );
    write(
        "giant-31mb.xlsx",
        workbook(
            vec![(
                "台账",
                Part::repeated(
                    "s",
                    head.as_bytes(),
                    b"a",
                    31 * MIB,
                    b"</t></is></c></row></sheetData></worksheet>",
                ),
            )],
            Vec::new(),
        ),
    );

    // 60,000 items (the most a ledger may hold), 20 columns each.
    write(
        "items.xlsx",
        workbook(vec![("台账", ledger_sheet(60_000, false))], Vec::new()),
    );
    // The same rows, every figure wrong: errors listed up to 10,000.
    write(
        "errors.xlsx",
        workbook(vec![("台账", ledger_sheet(60_000, true))], Vec::new()),
    );
    // 100,000 merges spanning 1,000,000 rows in all (overlapping), over 500,000 rows.
    let merges: Vec<String> = (0..100_000)
        .map(|i| format!("B{}:C{}", i * 5 + 1, i * 5 + 10))
        .collect();
    let merges: Vec<&str> = merges.iter().map(String::as_str).collect();
    let mut cells = ledger_cells();
    cells.push(("A500000", Cell::Text("注：完")));
    write(
        "merges.xlsx",
        workbook(vec![("台账", sheet(None, &cells, &merges))], Vec::new()),
    );
}

/// A sheet of `rows` × `cols` cells, each `<c r=..>` holding `value(row, col)`.
fn big_sheet(rows: usize, cols: usize, value: impl Fn(usize, usize) -> String) -> SheetPart {
    let mut x = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="{}"><sheetData>"#,
        forge::NS
    );
    for r in 1..=rows {
        write!(x, r#"<row r="{r}">"#).unwrap();
        for c in 0..cols {
            write!(x, r#"<c r="{}{r}"{{T}}>{}</c>"#, letter(c), value(r, c)).unwrap();
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    SheetPart(x)
}

struct SheetPart(String);

impl SheetPart {
    /// Cells as shared strings.
    fn shared(self) -> Part {
        Part::stored("s", self.0.replace("{T}", r#" t="s""#))
    }
}

impl From<SheetPart> for Part {
    fn from(s: SheetPart) -> Part {
        Part::stored("s", s.0.replace("{T}", ""))
    }
}

fn letter(c: usize) -> String {
    let mut n = c + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A ledger of `items` rows and 20 columns; with `wrong`, every figure and date is text.
fn ledger_sheet(items: usize, wrong: bool) -> Part {
    const HEADERS: [&str; 20] = [
        "序号",
        "项目名称",
        "责任单位",
        "建设单位",
        "建设性质",
        "建设规模及内容",
        "总投资（万元）",
        "年度计划投资（万元）",
        "开工时间",
        "竣工时间",
        "项目阶段",
        "所属区域",
        "配合单位",
        "市级包抓领导",
        "项目类别",
        "建设地点",
        "1-3月计划",
        "1-6月计划",
        "1-9月计划",
        "1-12月计划",
    ];
    let mut x = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="{}"><sheetData><row r="1">"#,
        forge::NS
    );
    for (c, h) in HEADERS.iter().enumerate() {
        write!(
            x,
            r#"<c r="{}1" t="inlineStr"><is><t>{h}</t></is></c>"#,
            letter(c)
        )
        .unwrap();
    }
    x.push_str("</row>");
    for i in 0..items {
        let r = i + 2;
        write!(x, r#"<row r="{r}">"#).unwrap();
        let text = |x: &mut String, c: usize, t: &str| {
            write!(
                x,
                r#"<c r="{}{r}" t="inlineStr"><is><t>{t}</t></is></c>"#,
                letter(c)
            )
            .unwrap()
        };
        let num = |x: &mut String, c: usize, v: f64| {
            if wrong {
                write!(
                    x,
                    r#"<c r="{}{r}" t="inlineStr"><is><t>约{v}</t></is></c>"#,
                    letter(c)
                )
                .unwrap()
            } else {
                write!(x, r#"<c r="{}{r}"><v>{v}</v></c>"#, letter(c)).unwrap()
            }
        };
        num(&mut x, 0, (i + 1) as f64);
        text(&mut x, 1, &format!("第{i}号重点项目建设工程"));
        text(&mut x, 2, &format!("第{}县人民政府", i % 97));
        text(&mut x, 3, &format!("建设投资有限公司{}", i % 1000));
        text(&mut x, 4, "新建");
        text(&mut x, 5, "建设厂房及配套设施，年产能若干万吨");
        num(&mut x, 6, 10_000.0 + i as f64);
        num(&mut x, 7, 3_000.0);
        text(&mut x, 8, if wrong { "明年" } else { "2025-03" });
        text(&mut x, 9, if wrong { "后年" } else { "2026-12" });
        text(&mut x, 10, "在建");
        text(&mut x, 11, &format!("第{}县", i % 97));
        text(&mut x, 12, "市发改委、市自然资源局");
        text(&mut x, 13, "张三");
        text(&mut x, 14, "产业项目");
        text(&mut x, 15, "某某工业园区");
        for (c, v) in [(16, 500.0), (17, 1_200.0), (18, 2_000.0), (19, 3_000.0)] {
            num(&mut x, c, v);
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    Part::stored("s", x)
}
