//! The bulletin's Word file opened by LibreOffice and printed to PDF: A4 pages, the text inside
//! the GB/T 9704 margins, the title on the first page, "— N —" page numbers at the foot.
//! Needs `libreoffice` (libreoffice-writer-nogui) and poppler's `pdfinfo`/`pdftotext`.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use duban_core::Period;
use duban_core::bulletin::{Block, Bulletin, Part, Table};

const MM: f64 = 72.0 / 25.4;

fn bulletin() -> Bulletin {
    let long = "全市重点项目推进总体平稳，投资完成率较上月提高，但部分地区开工率偏低、节点滞后，需进一步压实责任、加快推进。";
    let rows = (1..=40)
        .map(|i| {
            vec![
                format!("第{i}县"),
                "186".into(),
                "1405.43".into(),
                "946.11".into(),
                "67.3%".into(),
                "79.6%".into(),
                "72.7%".into(),
                "81.6%".into(),
                "77.8%".into(),
                "72.5".into(),
                i.to_string(),
                "↑2".into(),
            ]
        })
        .collect();
    Bulletin {
        ranks: Vec::new(),
        title: "关于2025年1—6月全市重点项目推进情况的通报".into(),
        issuer: "示范市人民政府督查室".into(),
        number: Some("2025年第6期".into()),
        period: Period::month(2025, 6).unwrap(),
        date: NaiveDate::from_ymd_opt(2025, 7, 8).unwrap(),
        recipients: "各县（市、区）人民政府，市政府各部门：".into(),
        parts: vec![
            Part {
                heading: "一、总体情况".into(),
                blocks: (0..12)
                    .map(|_| Block::Paragraph { text: long.into() })
                    .collect(),
            },
            Part {
                heading: "二、各地区推进情况".into(),
                blocks: vec![
                    Block::Heading {
                        text: "（一）地区情况".into(),
                    },
                    Block::Table(Table {
                        title: "1—6月各地区重点项目推进情况".into(),
                        header: duban_core::bulletin::REGION_TABLE_HEADER
                            .map(String::from)
                            .to_vec(),
                        rows,
                    }),
                ],
            },
        ],
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Every word of the PDF with its page and box (points from the top left).
fn words(pdf: &Path) -> Vec<(usize, String, [f64; 4])> {
    let html = run(Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-"));
    let mut out = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        let Some(start) = line.find("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            let at = line[start..].find(&format!("{name}=\"")).unwrap() + start + name.len() + 2;
            line[at..at + line[at..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()].to_string();
        out.push((
            page,
            text,
            [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
        ));
    }
    out
}

#[test]
#[ignore = "needs libreoffice and poppler-utils"]
fn libreoffice_prints_it_in_the_official_layout() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("bulletin.docx");
    std::fs::write(
        &docx,
        duban_office::bulletin_docx::bulletin_docx(&bulletin()).unwrap(),
    )
    .unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    run(Command::new("libreoffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx));
    let pdf = dir.path().join("bulletin.pdf");
    let info = run(Command::new("pdfinfo").arg(&pdf));
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4 pages: {info}"
    );
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(
        pages >= 2,
        "twelve paragraphs and a 40-row table: {pages} pages"
    );
    let words = words(&pdf);
    let (width, height) = (595.3, 841.9);
    // Page numbers: "— N —" centred in the bottom margin of every page.
    for p in 1..=pages {
        let number = words
            .iter()
            .find(|(page, t, b)| *page == p && t == &p.to_string() && b[1] > height - 35.0 * MM)
            .unwrap_or_else(|| panic!("page {p} has no page number at its foot"));
        let centre = (number.2[0] + number.2[2]) / 2.0;
        assert!(
            (centre - width / 2.0).abs() < 15.0,
            "page {p}'s number is centred: {centre}"
        );
    }
    // Everything else inside the 版心: 28 mm left, 26 mm right, 37 mm top, 35 mm bottom.
    for (p, t, b) in words
        .iter()
        .filter(|(_, t, b)| b[1] < height - 35.0 * MM && !t.is_empty())
    {
        assert!(
            b[0] >= 28.0 * MM - 2.0,
            "page {p}: “{t}” starts left of the margin at {}",
            b[0]
        );
        assert!(
            b[2] <= width - 26.0 * MM + 2.0,
            "page {p}: “{t}” runs into the right margin at {}",
            b[2]
        );
        assert!(
            b[1] >= 37.0 * MM - 4.0,
            "page {p}: “{t}” is in the top margin at {}",
            b[1]
        );
    }
    let first: String = words
        .iter()
        .filter(|(p, ..)| *p == 1)
        .map(|(_, t, _)| t.as_str())
        .collect();
    assert!(
        first.contains("关于2025年1—6月全市重点项目推进情况的通报"),
        "{first}"
    );
    // The table's header row is repeated on the page it runs on to.
    let headers = words.iter().filter(|(_, t, _)| t == "地区").count();
    assert!(
        headers >= 2,
        "the table header on every page it spans ({headers})"
    );
}
