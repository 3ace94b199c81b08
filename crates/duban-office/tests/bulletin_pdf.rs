//! The bulletin's Word file opened by LibreOffice and printed to PDF: A4 pages, the text inside
//! the GB/T 9704 margins, the title on the first page, "— N —" page numbers at the foot.
//! Needs `libreoffice` (libreoffice-writer-nogui) and poppler's `pdfinfo`/`pdftotext`.

#[path = "support/pdf.rs"]
mod pdf;

use chrono::NaiveDate;
use duban_core::Period;
use duban_core::bulletin::{Block, Bulletin, Part, Table};

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

#[test]
#[ignore = "needs libreoffice and poppler-utils"]
fn libreoffice_prints_it_in_the_official_layout() {
    let dir = tempfile::tempdir().unwrap();
    let docx = duban_office::bulletin_docx::bulletin_docx(&bulletin()).unwrap();
    let pdf = pdf::print(&docx, dir.path(), "bulletin");
    let pages = pdf::pages(&pdf);
    assert!(
        pages >= 2,
        "twelve paragraphs and a 40-row table: {pages} pages"
    );
    let words = pdf::words(&pdf);
    pdf::assert_official_layout(pages, &words);
    let first = pdf::page_text(&words, 1);
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
