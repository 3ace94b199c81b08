//! 通报 as a Word document — the bulletin laid out as an official document (党政机关公文格式,
//! GB/T 9704): A4, the standard margins, the title in 小标宋, the body in 仿宋 三号 on a fixed
//! 28.95 pt line (22 lines of 28 characters a page), 黑体 and 楷体 headings, dense tables in
//! 五号, and the page number "— N —" at the foot of each page.
//!
//! Sizes are in twips (1/20 pt, 1/1440 inch) and half-points, as Word stores them.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table as DocxTable,
    TableAlignmentType, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};
use duban_core::bulletin::{Block, Bulletin, Part, Table};

/// Why the bulletin could not be written as a Word document.
#[derive(Debug, thiserror::Error)]
#[error("无法生成通报 Word 文件（{0}）")]
pub struct DocxError(String);

/// 纸张 — A4 portrait, 210 × 297 mm.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
/// 天头 — top margin, 37 mm.
const MARGIN_TOP: i32 = 2098;
/// 下白边 — bottom margin, 35 mm.
const MARGIN_BOTTOM: i32 = 1984;
/// 订口 — left margin, 28 mm.
const MARGIN_LEFT: i32 = 1588;
/// 翻口 — right margin, 26 mm.
const MARGIN_RIGHT: i32 = 1474;
/// 页眉 — header distance, 15 mm (there is no header text; Word wants a value).
const HEADER_DISTANCE: i32 = 851;
/// 页码 — one 四号 footer line, set exactly (18 pt).
const FOOTER_LINE: i32 = 360;
/// 页脚 — footer distance: the page number's line starts 7 mm below the 版心, i.e. 28 mm
/// (1587 twips) above the page edge, and Word measures to the bottom of that line.
const FOOTER_DISTANCE: i32 = 1587 - FOOTER_LINE;
/// 版心 — the page area's width, 156 mm.
const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// 行距 — exactly 28.95 pt, so that the 225 mm 版心 holds 22 lines.
const LINE: i32 = 579;
/// 首行缩进 — two 三号 characters.
const INDENT: i32 = 640;
/// 字距 — 三号 text is drawn 0.25 pt tighter so that 28 characters fill the 156 mm line
/// (28 × 16 pt would be 158 mm); the character grid of Word's templates does the same.
const BODY_CHARACTER_SPACING: i32 = -5;

/// 字体 — the typefaces GB/T 9704 names.
const XIAOBIAOSONG: &str = "方正小标宋简体";
const FANGSONG: &str = "仿宋_GB2312";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const SONGTI: &str = "宋体";

/// 字号 in half-points.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
const WUHAO: usize = 21;
/// 小五 — 9 pt.
const XIAOWU: usize = 18;

/// How a run of text looks: typeface, size and weight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Look {
    font: &'static str,
    size: usize,
    bold: bool,
}

impl Look {
    const fn new(font: &'static str, size: usize) -> Look {
        Look {
            font,
            size,
            bold: false,
        }
    }

    const fn bold(self) -> Look {
        Look { bold: true, ..self }
    }

    /// 三号 text sits on the 28-character line; other sizes keep their natural spacing.
    fn character_spacing(self) -> Option<i32> {
        (self.size == SANHAO).then_some(BODY_CHARACTER_SPACING)
    }
}

/// 标题 — 方正小标宋简体 二号.
const TITLE: Look = Look::new(XIAOBIAOSONG, ERHAO);
/// 正文 — 仿宋_GB2312 三号.
const BODY: Look = Look::new(FANGSONG, SANHAO);
/// 一级标题 ("一、总体情况") — 黑体 三号.
const LEVEL_1: Look = Look::new(HEITI, SANHAO);
/// 二级标题 ("（一）进展较快的地区") — 楷体_GB2312 三号.
const LEVEL_2: Look = Look::new(KAITI, SANHAO);
/// 表题 — bold 仿宋 三号.
const TABLE_TITLE: Look = BODY.bold();
/// 表格 — 仿宋_GB2312 五号; the header row bold.
const TABLE_CELL: Look = Look::new(FANGSONG, WUHAO);
/// 宽表格 — 小五 when the figures of a wide table do not fit the 版心 in 五号.
const TABLE_CELL_SMALL: Look = Look::new(FANGSONG, XIAOWU);
/// 页码 — 宋体 四号.
const PAGE_NUMBER: Look = Look::new(SONGTI, SIHAO);

/// 表格 column sizing, in ems of the cell text: a column is at least `COLUMN_MIN` wide and
/// wide enough for its figures on one line; it would like its header in lines of up to
/// `COLUMN_HEADER_CAP` and its words in lines of up to `COLUMN_TEXT_CAP`; a column with cells
/// wider than `COLUMN_LONG` holds running text, set justified rather than centred.
const COLUMN_MIN: usize = 2;
const COLUMN_NAME: usize = 5;
const COLUMN_HEADER_CAP: usize = 4;
const COLUMN_TEXT_CAP: usize = 12;
const COLUMN_LONG: usize = 10;
/// 单元格边距 — 0.7 mm left and right, so that a dozen columns fit the 版心.
const CELL_MARGIN: usize = 40;
/// 表格线 — 0.5 pt, in eighths of a point.
const RULE: usize = 4;

/// Writes the bulletin as a Word document in the official-document layout (GB/T 9704).
pub fn bulletin_docx(b: &Bulletin) -> Result<Vec<u8>, DocxError> {
    let mut docx = page_setup(Docx::new()).footer(page_number_footer());
    for p in front_matter(b) {
        docx = docx.add_paragraph(p);
    }
    for part in &b.parts {
        docx = add_part(docx, part);
    }
    for p in signature(b) {
        docx = docx.add_paragraph(p);
    }
    let mut xml = docx.build();
    xml.document = repeat_header_rows(&xml.document);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError(format!("打包失败：{e}")))?;
    deflated(out.into_inner())
}

/// 压缩 — the same package with its parts deflated, in the same order ([Content_Types].xml
/// first): docx-rs stores them as they are, ten times the size Word would write.
fn deflated(stored: Vec<u8>) -> Result<Vec<u8>, DocxError> {
    use std::io::{Read, Write};
    let failed = |e: &dyn std::fmt::Display| DocxError(format!("压缩失败：{e}"));
    let mut input = zip::ZipArchive::new(Cursor::new(stored)).map_err(|e| failed(&e))?;
    let mut output = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut buffer = Vec::new();
    for i in 0..input.len() {
        let mut part = input.by_index(i).map_err(|e| failed(&e))?;
        buffer.clear();
        part.read_to_end(&mut buffer).map_err(|e| failed(&e))?;
        output
            .start_file(part.name().to_string(), options)
            .map_err(|e| failed(&e))?;
        output.write_all(&buffer).map_err(|e| failed(&e))?;
    }
    Ok(output.finish().map_err(|e| failed(&e))?.into_inner())
}

/// 版面 — A4, the margins, and 仿宋 三号 as the default for anything unstyled.
fn page_setup(docx: Docx) -> Docx {
    docx.page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(HEADER_DISTANCE)
                .footer(FOOTER_DISTANCE),
        )
        .default_fonts(fonts(BODY.font))
        .default_size(BODY.size)
}

/// 页码 — "— N —" centred, the number a PAGE field.
fn page_number_footer() -> Footer {
    let field = styled(Run::new(), PAGE_NUMBER)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    let p = mark(Paragraph::new(), PAGE_NUMBER)
        .add_run(run("— ", PAGE_NUMBER))
        .add_run(field)
        .add_run(run(" —", PAGE_NUMBER))
        .align(AlignmentType::Center)
        .line_spacing(exactly(FOOTER_LINE));
    Footer::new().add_paragraph(p)
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
            Block::Table(t) => {
                let docx = docx.add_paragraph(
                    text(&t.title, TABLE_TITLE)
                        .align(AlignmentType::Center)
                        .keep_next(true),
                );
                // A table of no columns would be a row of no cells, which Word rejects.
                if column_count(t) == 0 {
                    docx
                } else {
                    docx.add_table(table(t))
                }
            }
        };
    }
    docx
}

/// 落款 — 发文机关署名 and 成文日期 after a blank line, flush right two characters in, the
/// shorter of the two centred under the longer.
fn signature(b: &Bulletin) -> Vec<Paragraph> {
    let date = b.date_text();
    let widest = text_width(&b.issuer, BODY).max(text_width(&date, BODY));
    let right_indent = |s: &str| INDENT + ((widest - text_width(s, BODY)) / 2) as i32;
    let line = |s: &str, spacing: LineSpacing| {
        text(s, BODY)
            .align(AlignmentType::Right)
            .indent(Some(0), None, Some(right_indent(s)), None)
            .line_spacing(spacing)
    };
    vec![
        line(&b.issuer, exactly(LINE).before(LINE as u32)).keep_next(true),
        line(&date, exactly(LINE)),
    ]
}

/// A body paragraph: justified, first line indented two characters.
fn indented(s: &str, look: Look) -> Paragraph {
    text(s, look).align(AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(INDENT)),
        None,
        None,
    )
}

/// A paragraph of one run on the fixed 28.95 pt line.
fn text(s: &str, look: Look) -> Paragraph {
    mark(Paragraph::new(), look)
        .add_run(run(s, look))
        .line_spacing(exactly(LINE))
}

/// Exact line spacing of `twips`, nothing before or after.
fn exactly(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips)
        .before(0)
        .after(0)
}

/// Single (auto) line spacing, nothing before or after — for table cells.
fn single() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Auto)
        .line(240)
        .before(0)
        .after(0)
}

/// The paragraph mark in the paragraph's look, so that an empty or continued line keeps it.
fn mark(p: Paragraph, look: Look) -> Paragraph {
    let p = p.fonts(fonts(look.font)).size(look.size);
    if look.bold { p.bold() } else { p }
}

fn run(s: &str, look: Look) -> Run {
    styled(Run::new(), look).add_text(s)
}

fn styled(r: Run, look: Look) -> Run {
    let mut r = r.fonts(fonts(look.font)).size(look.size);
    if look.bold {
        r = r.bold();
    }
    if let Some(spacing) = look.character_spacing() {
        r = r.character_spacing(spacing);
    }
    r
}

/// The same typeface for Chinese (eastAsia) and Latin (ascii, hAnsi) text.
fn fonts(font: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(font)
        .ascii(font)
        .hi_ansi(font)
        .cs(font)
}

/// 表格 — full 版心 width, bordered, the header row bold and repeated on every page.
fn table(t: &Table) -> DocxTable {
    let look = table_look(t);
    let widths = column_widths(t, look);
    let long = long_columns(t, widths.len(), look);
    let header = TableRow::new(
        (0..widths.len())
            .map(|i| cell(cell_text(&t.header, i), widths[i], look.bold(), false))
            .collect(),
    )
    .cant_split();
    let rows = t.rows.iter().map(|r| {
        TableRow::new(
            (0..widths.len())
                .map(|i| cell(cell_text(r, i), widths[i], look, long[i]))
                .collect(),
        )
        .cant_split()
    });
    DocxTable::new(std::iter::once(header).chain(rows).collect())
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .set_borders(borders())
        .margins(TableCellMargins::new().margin(0, CELL_MARGIN, 0, CELL_MARGIN))
}

/// 表格线 — single 0.5 pt rules all round and between every cell.
fn borders() -> TableBorders {
    [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::new(), |b, position| {
        b.set(
            TableBorder::new(position)
                .border_type(BorderType::Single)
                .size(RULE),
        )
    })
}

fn cell_text(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or_default()
}

/// A cell: 五号 text, single-spaced, centred — or justified where the column holds
/// running text.
fn cell(s: &str, width: usize, look: Look, long: bool) -> TableCell {
    let align = if long {
        AlignmentType::Both
    } else {
        AlignmentType::Center
    };
    let p = mark(Paragraph::new(), look)
        .add_run(run(s, look))
        .align(align)
        .line_spacing(single());
    TableCell::new()
        .add_paragraph(p)
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
}

/// How many columns the table has: the header's or the longest row's.
fn column_count(t: &Table) -> usize {
    t.rows
        .iter()
        .map(Vec::len)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0)
}

/// What a column needs, in twips of text (cell margins aside): `floor` keeps its figures on
/// one line, `want` also sets its header and words in comfortable lines.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Need {
    floor: usize,
    want: usize,
}

/// 五号, or 小五 when the columns' figures would not fit the 版心 on one line in 五号.
fn table_look(t: &Table) -> Look {
    let n = column_count(t);
    let room = TEXT_WIDTH.saturating_sub(n * 2 * CELL_MARGIN);
    let floors: usize = (0..n).map(|i| column_need(t, i, TABLE_CELL).floor).sum();
    if floors <= room {
        TABLE_CELL
    } else {
        TABLE_CELL_SMALL
    }
}

fn column_need(t: &Table, i: usize, look: Look) -> Need {
    let em = look.size * 10;
    let cells = || t.rows.iter().map(|r| cell_text(r, i));
    let widest = |keep: fn(&&str) -> bool| {
        cells()
            .filter(keep)
            .map(|s| text_width(s, look))
            .max()
            .unwrap_or(0)
    };
    // Short names (a county, a unit) stay on one line too, up to `COLUMN_NAME` characters.
    let name = widest(|s| !is_figure(s)).min(COLUMN_NAME * em);
    let floor = widest(|s| is_figure(s)).max(name).max(COLUMN_MIN * em);
    let header = text_width(cell_text(&t.header, i), look.bold()).min(COLUMN_HEADER_CAP * em);
    let words = widest(|_| true).min(COLUMN_TEXT_CAP * em);
    Need {
        floor,
        want: floor.max(header).max(words),
    }
}

/// 列宽 — the 版心 width shared out: every column its floor, and what is left over in
/// proportion to how much more each would like; when every column can have what it would
/// like, the wants scaled up, and when even the floors do not fit, the floors scaled down.
/// The widths add up to the 版心 width exactly.
fn column_widths(t: &Table, look: Look) -> Vec<usize> {
    let needs: Vec<Need> = (0..column_count(t))
        .map(|i| column_need(t, i, look))
        .collect();
    let room = TEXT_WIDTH.saturating_sub(needs.len() * 2 * CELL_MARGIN);
    let floors: usize = needs.iter().map(|n| n.floor).sum();
    let wants: usize = needs.iter().map(|n| n.want).sum();
    let mut widths: Vec<usize> = needs
        .iter()
        .map(|n| {
            let text = if floors >= room {
                n.floor * room / floors.max(1)
            } else if wants <= room {
                n.want * room / wants
            } else {
                n.floor + (n.want - n.floor) * (room - floors) / (wants - floors)
            };
            text + 2 * CELL_MARGIN
        })
        .collect();
    let given: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last = (*last + TEXT_WIDTH).saturating_sub(given);
    }
    widths
}

/// Columns of running text (a reason, a description), set justified rather than centred.
fn long_columns(t: &Table, n: usize, look: Look) -> Vec<bool> {
    let long = COLUMN_LONG * look.size * 10;
    (0..n)
        .map(|i| {
            t.rows
                .iter()
                .any(|r| text_width(cell_text(r, i), look) > long)
        })
        .collect()
}

/// A figure ("62.0%", "↑1", "—") stays on one line; words (汉字) may wrap.
fn is_figure(s: &str) -> bool {
    !s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How wide `s` is set in `look`, in twips: a Chinese character or full-width mark one em,
/// an ASCII character 0.65 em — over the half em of 仿宋's digits, so that figures still fit
/// where a wider font stands in for it.
fn text_width(s: &str, look: Look) -> usize {
    let em = look.size * 10;
    s.chars()
        .map(|c| if c.is_ascii() { em * 13 / 20 } else { em })
        .sum()
}

/// 标题行重复 — docx-rs cannot mark a row as a header row (`w:tblHeader`), so the mark is
/// added here to the first row of every table, which is its header: every row is written
/// with `w:cantSplit` (a row is not broken across pages), and the first one after each
/// `<w:tbl>` gets the mark beside it. Text never matches: docx-rs escapes `<` in text.
fn repeat_header_rows(document: &[u8]) -> Vec<u8> {
    const TABLE: &str = "<w:tbl>";
    const KEPT_ROW: &str = "<w:cantSplit />";
    const HEADER_ROW: &str = "<w:cantSplit /><w:tblHeader />";
    let xml = String::from_utf8_lossy(document);
    let mut tables = xml.split(TABLE);
    let mut out = tables.next().unwrap_or_default().to_string();
    for table in tables {
        out.push_str(TABLE);
        out.push_str(&table.replacen(KEPT_ROW, HEADER_ROW, 1));
    }
    out.into_bytes()
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
