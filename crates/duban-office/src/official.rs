//! 公文版式 — the building blocks of an official document (党政机关公文格式, GB/T 9704) in
//! Word, shared by the bulletin (通报) and the notices (督办通知单 / 催办单): A4, the standard
//! margins, the title in 小标宋, the body in 仿宋 三号 on a fixed 28.95 pt line (22 lines of 28
//! characters a page), 黑体 and 楷体 headings, dense tables in 五号, the page number "— N —" at
//! the foot of each page, and the 落款 (issuer and date) at the end.
//!
//! Sizes are in twips (1/20 pt, 1/1440 inch) and half-points, as Word stores them.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table as DocxTable,
    TableAlignmentType, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};
use duban_core::bulletin::Table;

/// Why a document could not be written as a Word file: which document, and what failed.
#[derive(Debug, thiserror::Error)]
#[error("无法生成{document} Word 文件（{detail}）")]
pub struct DocxError {
    document: &'static str,
    detail: String,
}

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
pub(crate) const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// 行距 — exactly 28.95 pt, so that the 225 mm 版心 holds 22 lines.
pub(crate) const LINE: i32 = 579;
/// 首行缩进 — two 三号 characters.
const INDENT: i32 = 640;
/// 字距 — 三号 text is drawn 0.25 pt tighter so that 28 characters fill the 156 mm line
/// (28 × 16 pt would be 158 mm); the character grid of Word's templates does the same.
const BODY_CHARACTER_SPACING: i32 = -5;

/// 字体 — the typefaces GB/T 9704 names.
pub(crate) const XIAOBIAOSONG: &str = "方正小标宋简体";
pub(crate) const FANGSONG: &str = "仿宋_GB2312";
pub(crate) const HEITI: &str = "黑体";
pub(crate) const KAITI: &str = "楷体_GB2312";
pub(crate) const SONGTI: &str = "宋体";

/// 字号 in half-points.
pub(crate) const ERHAO: usize = 44;
pub(crate) const SANHAO: usize = 32;
pub(crate) const SIHAO: usize = 28;
pub(crate) const WUHAO: usize = 21;
/// 小五 — 9 pt.
const XIAOWU: usize = 18;

/// How a run of text looks: typeface, size, weight and colour (black unless given).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Look {
    font: &'static str,
    size: usize,
    bold: bool,
    /// RGB hex, "C00000".
    colour: Option<&'static str>,
}

impl Look {
    const fn new(font: &'static str, size: usize) -> Look {
        Look {
            font,
            size,
            bold: false,
            colour: None,
        }
    }

    pub(crate) const fn bold(self) -> Look {
        Look { bold: true, ..self }
    }

    /// The same look in `colour` (RGB hex), or black for `None`.
    pub(crate) const fn coloured(self, colour: Option<&'static str>) -> Look {
        Look { colour, ..self }
    }

    /// 三号 text sits on the 28-character line; other sizes keep their natural spacing.
    fn character_spacing(self) -> Option<i32> {
        (self.size == SANHAO).then_some(BODY_CHARACTER_SPACING)
    }
}

/// 标题 — 方正小标宋简体 二号.
pub(crate) const TITLE: Look = Look::new(XIAOBIAOSONG, ERHAO);
/// 正文 — 仿宋_GB2312 三号.
pub(crate) const BODY: Look = Look::new(FANGSONG, SANHAO);
/// 一级标题 ("一、总体情况") — 黑体 三号.
pub(crate) const LEVEL_1: Look = Look::new(HEITI, SANHAO);
/// 二级标题 ("（一）进展较快的地区") — 楷体_GB2312 三号.
pub(crate) const LEVEL_2: Look = Look::new(KAITI, SANHAO);
/// 表题 — bold 仿宋 三号.
const TABLE_TITLE: Look = BODY.bold();
/// 表格 — 仿宋_GB2312 五号; the header row bold.
pub(crate) const TABLE_CELL: Look = Look::new(FANGSONG, WUHAO);
/// 宽表格 — 小五 when the figures of a wide table do not fit the 版心 in 五号.
const TABLE_CELL_SMALL: Look = Look::new(FANGSONG, XIAOWU);
/// 标识 — a mark at the top left of the first page, where 密级 and 紧急程度 stand — 黑体 三号.
pub(crate) const MARK: Look = Look::new(HEITI, SANHAO);
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
pub(crate) const CELL_MARGIN: usize = 40;
/// 表格线 — 0.5 pt, in eighths of a point.
const RULE: usize = 4;

/// 压缩 — the same package with its parts deflated, in the same order ([Content_Types].xml
/// first): docx-rs stores them as they are, ten times the size Word would write.
fn deflated(stored: Vec<u8>) -> Result<Vec<u8>, String> {
    use std::io::{Read, Write};
    let failed = |e: &dyn std::fmt::Display| format!("压缩失败：{e}");
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

/// A new document: A4 with the official margins and the page number at the foot of each page.
pub(crate) fn document() -> Docx {
    page_setup(Docx::new()).footer(page_number_footer())
}

/// The finished document as a .docx package (its table header rows marked to repeat, its
/// parts deflated); `document` names it in an error ("通报").
pub(crate) fn pack(docx: Docx, document: &'static str) -> Result<Vec<u8>, DocxError> {
    let failed = |detail: String| DocxError { document, detail };
    let mut xml = docx.build();
    xml.document = repeat_header_rows(&xml.document);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| failed(format!("打包失败：{e}")))?;
    deflated(out.into_inner()).map_err(failed)
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

/// 落款 — 发文机关署名 and 成文日期 after a blank line, flush right two characters in, the
/// shorter of the two centred under the longer.
pub(crate) fn signature(issuer: &str, date: &str) -> Vec<Paragraph> {
    let widest = text_width(issuer, BODY).max(text_width(date, BODY));
    let right_indent = |s: &str| INDENT + ((widest - text_width(s, BODY)) / 2) as i32;
    let line = |s: &str, spacing: LineSpacing| {
        text(s, BODY)
            .align(AlignmentType::Right)
            .indent(Some(0), None, Some(right_indent(s)), None)
            .line_spacing(spacing)
    };
    vec![
        line(issuer, exactly(LINE).before(LINE as u32)).keep_next(true),
        line(date, exactly(LINE)),
    ]
}

/// A body paragraph: justified, first line indented two characters.
pub(crate) fn indented(s: &str, look: Look) -> Paragraph {
    text(s, look).align(AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(INDENT)),
        None,
        None,
    )
}

/// A paragraph of one run on the fixed 28.95 pt line.
pub(crate) fn text(s: &str, look: Look) -> Paragraph {
    mark(Paragraph::new(), look)
        .add_run(run(s, look))
        .line_spacing(exactly(LINE))
}

/// Exact line spacing of `twips`, nothing before or after.
pub(crate) fn exactly(twips: i32) -> LineSpacing {
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

pub(crate) fn run(s: &str, look: Look) -> Run {
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
    if let Some(colour) = look.colour {
        r = r.color(colour);
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

/// 表题 and 表格: the title centred in bold and kept with the table, then the table, its body
/// cells coloured by `colour` (see [`table`]).
pub(crate) fn titled_table(
    docx: Docx,
    t: &Table,
    colour: impl Fn(usize, usize) -> Option<&'static str>,
) -> Docx {
    let docx = docx.add_paragraph(
        text(&t.title, TABLE_TITLE)
            .align(AlignmentType::Center)
            .keep_next(true),
    );
    // A table of no columns would be a row of no cells, which Word rejects.
    if column_count(t) == 0 {
        docx
    } else {
        docx.add_table(table(t, colour))
    }
}

/// 表格 — full 版心 width, bordered, the header row bold and repeated on every page; a body
/// cell is set in `colour(row, column)` (RGB hex; rows counted from the first under the
/// header), or black for `None`.
fn table(t: &Table, colour: impl Fn(usize, usize) -> Option<&'static str>) -> DocxTable {
    let look = table_look(t);
    let widths = column_widths(t, look);
    let long = long_columns(t, widths.len(), look);
    let header = TableRow::new(
        (0..widths.len())
            .map(|i| cell(cell_text(&t.header, i), widths[i], look.bold(), false))
            .collect(),
    )
    .cant_split();
    let rows = t.rows.iter().enumerate().map(|(j, r)| {
        TableRow::new(
            (0..widths.len())
                .map(|i| {
                    let look = look.coloured(colour(j, i));
                    cell(cell_text(r, i), widths[i], look, long[i])
                })
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
pub(crate) fn table_look(t: &Table) -> Look {
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
pub(crate) fn column_widths(t: &Table, look: Look) -> Vec<usize> {
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
pub(crate) fn long_columns(t: &Table, n: usize, look: Look) -> Vec<bool> {
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
pub(crate) fn is_figure(s: &str) -> bool {
    !s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How wide `s` is set in `look`, in twips: a Chinese character or full-width mark one em,
/// an ASCII character 0.65 em — over the half em of 仿宋's digits, so that figures still fit
/// where a wider font stands in for it.
pub(crate) fn text_width(s: &str, look: Look) -> usize {
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
