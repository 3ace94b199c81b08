//! 通报 as a Word document — the bulletin laid out as an official document (党政机关公文格式,
//! GB/T 9704) with the building blocks of `official`: its 期号, title and recipients, 黑体 and
//! 楷体 headings, body paragraphs, tables, and the 落款.

use docx_rs::{AlignmentType, Docx, Paragraph};
use duban_core::bulletin::{Block, Bulletin, Part};

pub use crate::official::DocxError;
use crate::official::{
    BODY, LEVEL_1, LEVEL_2, LINE, TITLE, document, exactly, indented, pack, signature, text,
    titled_table,
};

/// Writes the bulletin as a Word document in the official-document layout (GB/T 9704).
pub fn bulletin_docx(b: &Bulletin) -> Result<Vec<u8>, DocxError> {
    let mut docx = document();
    for p in front_matter(b) {
        docx = docx.add_paragraph(p);
    }
    for part in &b.parts {
        docx = add_part(docx, part);
    }
    for p in signature(&b.issuer, &b.date_text()) {
        docx = docx.add_paragraph(p);
    }
    pack(docx, "通报")
}

/// 期号, 标题 and 主送机关, with a blank line between the title and the recipients.
fn front_matter(b: &Bulletin) -> Vec<Paragraph> {
    let mut out = Vec::new();
    if let Some(number) = &b.number {
        out.push(
            text(number, BODY)
                .align(AlignmentType::Center)
                .line_spacing(exactly(LINE).after(LINE as u32)),
        );
    }
    out.push(
        text(&b.title, TITLE)
            .align(AlignmentType::Center)
            .line_spacing(exactly(LINE).after(LINE as u32)),
    );
    out.push(text(&b.recipients, BODY).align(AlignmentType::Both));
    out
}

/// One 一级标题 and what follows it.
fn add_part(mut docx: Docx, part: &Part) -> Docx {
    docx = docx.add_paragraph(indented(&part.heading, LEVEL_1).keep_next(true));
    for block in &part.blocks {
        docx = match block {
            Block::Paragraph { text } => docx.add_paragraph(indented(text, BODY)),
            Block::Heading { text } => docx.add_paragraph(indented(text, LEVEL_2).keep_next(true)),
            Block::Table(t) => titled_table(docx, t, |_, _| None),
        };
    }
    docx
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Read;

    use chrono::NaiveDate;
    use duban_core::report::Period;
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;

    use super::*;
    use crate::official::*;
    use duban_core::bulletin::Table;
    use std::io::Cursor;

    /// A bulletin like the one `compose` writes, small enough to read.
    fn sample() -> Bulletin {
        let regions = ["东城区", "西湖县", "南山县", "北塘区", "高新技术产业开发区"];
        let rows = regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![r.to_string(), format!("{}", 12 + i)];
                row.extend(
                    [
                        "35.20", "18.06", "51.3%", "50%", "83.3%", "90%", "100%", "88.6",
                    ]
                    .map(String::from),
                );
                row.push((i + 1).to_string());
                row.push(["↑1", "↓2", "—", "↑3", "—"][i].to_string());
                row
            })
            .collect();
        Bulletin {
            ranks: Vec::new(),
            title: "关于2025年1—6月全市重点项目推进情况的通报".into(),
            issuer: "示范市人民政府督查室".into(),
            number: Some("第3期".into()),
            period: Period::month(2025, 6).expect("June is a month"),
            date: NaiveDate::from_ymd_opt(2025, 7, 8).expect("a date"),
            recipients: "各县（市、区）人民政府，市政府各部门：".into(),
            parts: vec![
                Part {
                    heading: "一、总体情况".into(),
                    blocks: vec![
                        Block::Paragraph {
                            text: "1—6月，全市纳入调度的重点项目和重点工作共60个，累计完成投资90.30亿元，占年度计划的51.3%，高于序时进度1.3个百分点。".into(),
                        },
                        Block::Heading {
                            text: "（一）进展较快的地区".into(),
                        },
                        Block::Paragraph {
                            text: "投资完成率排名前三位的是：东城区（60.0%）、西湖县（55.2%）、南山县（51.0%）。".into(),
                        },
                    ],
                },
                Part {
                    heading: "二、各地区推进情况".into(),
                    blocks: vec![
                        Block::Paragraph {
                            text: "综合得分按投资完成率40%、开工率20%、节点完成率20%、报送及时率20%加权计算。".into(),
                        },
                        Block::Table(Table {
                            title: "1—6月各地区重点项目推进情况".into(),
                            header: duban_core::bulletin::REGION_TABLE_HEADER.map(String::from).to_vec(),
                            rows,
                        }),
                        Block::Paragraph {
                            text: "各县（市、区）要对照年度目标任务，逐项目梳理进度。".into(),
                        },
                    ],
                },
            ],
        }
    }

    /// Every text the bulletin should print, in reading order.
    fn expected_texts(b: &Bulletin) -> Vec<String> {
        let mut out: Vec<String> = b.number.iter().cloned().collect();
        out.push(b.title.clone());
        out.push(b.recipients.clone());
        for part in &b.parts {
            out.push(part.heading.clone());
            for block in &part.blocks {
                match block {
                    Block::Paragraph { text } | Block::Heading { text } => out.push(text.clone()),
                    Block::Table(t) => {
                        out.push(t.title.clone());
                        out.extend(t.header.iter().cloned());
                        out.extend(t.rows.iter().flatten().cloned());
                    }
                }
            }
        }
        out.push(b.issuer.clone());
        out.push(b.date_text());
        out
    }

    /// The package's parts by name.
    fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).expect("an entry");
                assert_eq!(
                    f.compression(),
                    zip::CompressionMethod::Deflated,
                    "{} is deflated",
                    f.name()
                );
                let mut s = String::new();
                f.read_to_string(&mut s).expect("a UTF-8 part");
                (f.name().to_string(), s)
            })
            .collect()
    }

    fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
            .unwrap_or_else(|| panic!("no {name} in {:?}", names(parts)))
    }

    fn names(parts: &[(String, String)]) -> Vec<&str> {
        parts.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Parses the XML through to the end and returns the text of each `w:t`, in order.
    fn texts(xml: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut out = Vec::new();
        let mut inside = false;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) if e.name().as_ref() == b"w:t" => {
                    inside = true;
                    out.push(String::new());
                }
                Event::End(e) if e.name().as_ref() == b"w:t" => inside = false,
                Event::Text(t) if inside => {
                    if let Some(last) = out.last_mut() {
                        last.push_str(&t.decode().expect("UTF-8 text"));
                    }
                }
                Event::GeneralRef(r) if inside => {
                    let name = r.decode().expect("UTF-8 reference");
                    let c = match name.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unexpected entity &{other};"),
                    };
                    if let Some(last) = out.last_mut() {
                        last.push(c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    /// The attributes of every `name` element, by qualified name.
    fn attributes(xml: &str, name: &str) -> Vec<HashMap<String, String>> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                    out.push(
                        e.attributes()
                            .map(|a| {
                                let a = a.expect("an attribute");
                                let value = a
                                    .decoded_and_normalized_value(
                                        XmlVersion::default(),
                                        reader.decoder(),
                                    )
                                    .expect("a value")
                                    .into_owned();
                                (String::from_utf8_lossy(a.key.as_ref()).into_owned(), value)
                            })
                            .collect(),
                    );
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(!out.is_empty(), "no {name}");
        out
    }

    fn assert_contains(xml: &str, needle: &str) {
        assert!(xml.contains(needle), "missing {needle}");
    }

    #[test]
    fn writes_a_valid_package_in_the_official_layout() {
        let b = sample();
        let bytes = bulletin_docx(&b).expect("written");
        let parts = unzip(&bytes);
        part(&parts, "[Content_Types].xml");
        let document = part(&parts, "word/document.xml");
        let footer = parts
            .iter()
            .find(|(n, _)| n.starts_with("word/footer") && n.ends_with(".xml"))
            .map(|(_, s)| s.as_str())
            .unwrap_or_else(|| panic!("no footer in {:?}", names(&parts)));

        // Page: A4 and the GB/T 9704 margins.
        let page = attributes(document, "w:pgSz");
        assert_eq!(
            (page[0]["w:w"].as_str(), page[0]["w:h"].as_str()),
            ("11906", "16838")
        );
        let margins = &attributes(document, "w:pgMar")[0];
        for (side, twips) in [
            ("w:top", "2098"),
            ("w:bottom", "1984"),
            ("w:left", "1588"),
            ("w:right", "1474"),
        ] {
            assert_eq!(margins[side], twips, "{side}");
        }
        // Typefaces named for Chinese and Latin text alike, in their sizes.
        let fonts = attributes(document, "w:rFonts");
        for font in [XIAOBIAOSONG, FANGSONG, HEITI, KAITI] {
            assert!(
                fonts.iter().any(|f| ["w:eastAsia", "w:ascii", "w:hAnsi"]
                    .iter()
                    .all(|a| f.get(*a).map(String::as_str) == Some(font))),
                "{font} is not named for every script"
            );
        }
        for size in [ERHAO, SANHAO, WUHAO] {
            assert_contains(document, &format!(r#"<w:sz w:val="{size}" />"#));
        }
        // The fixed line, the first-line indent, justified body text.
        assert_contains(document, r#"w:line="579" w:lineRule="exact""#);
        assert_contains(document, r#"w:firstLine="640""#);
        assert_contains(document, r#"<w:jc w:val="both" />"#);
        // The table: full width, 12 grid columns, header row repeated.
        assert_contains(document, r#"<w:tblW w:w="8844" w:type="dxa" />"#);
        assert_eq!(document.matches("<w:gridCol ").count(), 12);
        assert_eq!(document.matches("<w:tblHeader />").count(), 1);
        let rows = document.matches("<w:tr>").count();
        assert_eq!(rows, 6);
        assert_eq!(document.matches("<w:cantSplit />").count(), rows);
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            assert_contains(document, &format!(r#"<w:{side} w:val="single" w:sz="4""#));
        }
        // Every paragraph and every cell, exactly as given, in order.
        let found = texts(document);
        assert_eq!(found, expected_texts(&b));

        // The footer: "— N —" with N a PAGE field, 宋体 四号.
        assert_contains(footer, "<w:instrText>PAGE</w:instrText>");
        assert_contains(footer, r#"w:fldCharType="begin""#);
        let footer_fonts = attributes(footer, "w:rFonts");
        assert!(footer_fonts.iter().all(|f| f["w:eastAsia"] == SONGTI));
        assert_contains(footer, &format!(r#"<w:sz w:val="{SIHAO}" />"#));
        assert_eq!(texts(footer), ["— ", "1", " —"]);

        // docx-rs reads it back: 3 front paragraphs, 2 + 3 + 1 headings and paragraphs,
        // one table title and table, 2 signature lines.
        let read = docx_rs::read_docx(&bytes).expect("docx-rs reads it back");
        assert_eq!(read.document.children.len(), 3 + 4 + 4 + 1 + 2);
    }

    #[test]
    fn headings_and_blocks_appear_in_document_order() {
        let b = sample();
        let document = part(
            &unzip(&bulletin_docx(&b).expect("written")),
            "word/document.xml",
        )
        .to_string();
        let mut at = 0;
        for part in &b.parts {
            let words =
                std::iter::once(part.heading.as_str()).chain(part.blocks.iter().map(|block| {
                    match block {
                        Block::Paragraph { text } | Block::Heading { text } => text.as_str(),
                        Block::Table(t) => t.title.as_str(),
                    }
                }));
            for w in words {
                let found = document[at..]
                    .find(w)
                    .unwrap_or_else(|| panic!("{w} missing or out of order"));
                at += found + w.len();
            }
        }
        let signed = document[at..].find(&b.issuer).expect("signed at the end");
        assert!(document[at + signed..].contains(&b.date_text()));
    }

    #[test]
    fn a_table_of_no_columns_leaves_its_title_only() {
        let mut b = sample();
        b.number = None;
        b.parts.truncate(1);
        b.parts[0].blocks = vec![Block::Table(Table {
            title: "暂无数据".into(),
            header: vec![],
            rows: vec![],
        })];
        let bytes = bulletin_docx(&b).expect("written");
        let document = part(&unzip(&bytes), "word/document.xml").to_string();
        assert!(!document.contains("<w:tbl>"));
        assert_eq!(texts(&document), expected_texts(&b));
        docx_rs::read_docx(&bytes).expect("docx-rs reads it back");
    }

    #[test]
    fn columns_share_the_text_width_by_what_they_hold() {
        let t = Table {
            title: String::new(),
            header: ["序号", "项目名称", "原因"].map(String::from).to_vec(),
            rows: vec![vec![
                "1".into(),
                "示范市老城区城市更新改造项目（一期）".into(),
                "征迁工作推进缓慢，用地手续尚未办结，施工单位尚未进场".into(),
            ]],
        };
        assert_eq!(table_look(&t), TABLE_CELL, "three columns fit in 五号");
        let widths = column_widths(&t, TABLE_CELL);
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
        assert!(
            widths[0] < widths[1] && widths[1] <= widths[2],
            "{widths:?}"
        );
        assert_eq!(long_columns(&t, 3, TABLE_CELL), [false, true, true]);

        // The 12-column region table: every figure on one line, every column used.
        let sample = sample();
        let Some(Block::Table(regions)) = sample.parts[1].blocks.get(1) else {
            panic!("the sample's region table");
        };
        let look = table_look(regions);
        let widths = column_widths(regions, look);
        assert_eq!(widths.len(), 12);
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
        for (i, w) in widths.iter().enumerate() {
            let figures = regions
                .rows
                .iter()
                .map(|r| r[i].as_str())
                .filter(|s| is_figure(s));
            for f in figures {
                let need = text_width(f, look) + 2 * CELL_MARGIN;
                assert!(
                    *w >= need,
                    "column {i} ({w}) is too narrow for {f} ({need})"
                );
            }
        }
        assert!(is_figure("62.0%") && is_figure("↑1") && !is_figure("无数据"));
    }
}
