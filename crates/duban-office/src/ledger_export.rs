//! 台账导出 — the ledger as an official-looking .xlsx: a title, the unit note, one bold
//! bordered header, money with thousands separators, frozen header and name column, an
//! autofilter, A4 landscape printing with the header repeated on every page; milestones on a
//! second sheet. Every column is one `import` reads back, so export → import is lossless.

use std::path::Path;

use duban_core::{Item, Milestone, Wan};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::columns::{COLUMNS, Field, Look, Read};
use crate::error::LedgerError;

/// What to put around the table.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// 标题 — e.g. "2025年重点项目台账".
    pub title: String,
    /// 导出时间 — shown under the title (the caller's "today").
    pub exported_on: String,
}

/// The sheet names duban writes.
pub const LEDGER_SHEET: &str = "台账";
pub const MILESTONE_SHEET: &str = "节点计划";

/// The official-looking formats of duban's sheets: 小标宋 title, 黑体 header, 宋体 cells.
pub(crate) struct Styles {
    pub(crate) title: Format,
    pub(crate) note: Format,
    pub(crate) header: Format,
    pub(crate) wrap: Format,
    pub(crate) center: Format,
    pub(crate) money: Format,
}

impl Styles {
    pub(crate) fn new() -> Styles {
        let cell = Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Styles {
            title: Format::new()
                .set_font_name("方正小标宋简体")
                .set_font_size(18)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new()
                .set_font_name("宋体")
                .set_font_size(10)
                .set_align(FormatAlign::Right),
            header: Format::new()
                .set_font_name("黑体")
                .set_font_size(10)
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            wrap: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
            money: cell
                .set_num_format("#,##0.00")
                .set_align(FormatAlign::Right),
        }
    }
}

/// A cell's content; its column's [`Look`] gives its format.
enum Value {
    Text(String),
    Money(Option<Wan>),
    Number(u32),
}

/// What a column of the export holds: a field, an extra column of that name, or one of the
/// status columns.
enum Source {
    Field(Field),
    Extra(String),
    Status(usize),
}

/// 状态列 — an item's status as officials print it beside the ledger, judged on the export
/// day: computed by duban (and so never read back as a ledger column, see [`STATUS_HEADERS`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusCells {
    /// 灯 — "红", "黄" or "绿".
    pub lamp: String,
    /// 序时进度 — "83.3%".
    pub time_progress: String,
    /// 累计完成（万元） — the year-to-date last reported.
    pub done: Option<Wan>,
    /// 完成率 — "50.0%", empty without a plan or milestones.
    pub completion: String,
    /// 形象进度 — as last reported.
    pub progress: String,
    /// 存在问题 — the open problems of the 问题清单, else as last reported.
    pub problems: String,
}

/// The status columns' headers, in order: written after the ledger's columns; an import
/// skips the computed ones (灯, 序时进度, 累计完成, 完成率), which the ledger does not state.
pub const STATUS_HEADERS: [&str; 6] = [
    "灯",
    "序时进度",
    "累计完成（万元）",
    "完成率",
    "形象进度",
    "存在问题",
];

/// One column of the export: header, width, look, and what it holds.
struct Column {
    header: String,
    width: f64,
    look: Look,
    source: Source,
}

impl Column {
    fn field(field: Field, look: Look, width: f64) -> Column {
        let header = if field.is_money() {
            format!("{}（万元）", field.header())
        } else {
            field.header()
        };
        Column {
            header,
            width,
            look,
            source: Source::Field(field),
        }
    }

    /// The value of item `it`, the `i`th (0-based), with its status cells if exported.
    fn value(&self, i: usize, it: &Item, status: Option<&StatusCells>) -> Value {
        let field = match &self.source {
            Source::Extra(key) => {
                return Value::Text(it.extra.get(key).cloned().unwrap_or_default());
            }
            Source::Status(k) => {
                let s = status.cloned().unwrap_or_default();
                return match k {
                    0 => Value::Text(s.lamp),
                    1 => Value::Text(s.time_progress),
                    2 => Value::Money(s.done),
                    3 => Value::Text(s.completion),
                    4 => Value::Text(s.progress),
                    _ => Value::Text(s.problems),
                };
            }
            Source::Field(f) => *f,
        };
        let text = Value::Text;
        match field {
            Field::Seq => Value::Number(i as u32 + 1),
            Field::Code => text(it.code.clone()),
            Field::Name => text(it.name.clone()),
            Field::Kind => text(it.kind.label().into()),
            Field::Year => text(it.year.to_string()),
            Field::PlanToMonth(m) => Value::Money(
                it.monthly_plan
                    .as_ref()
                    .and_then(|p| p.0.get(m as usize - 1).copied()),
            ),
            Field::LeadUnit => text(it.lead_unit.clone()),
            Field::CoUnits => text(it.co_units.join("、")),
            Field::Leader => text(
                it.leader
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            _ => by_kind(&field.column().read, it),
        }
    }
}

/// The value of a field that is read by its kind, written the same way.
fn by_kind(read: &Read, it: &Item) -> Value {
    let text = Value::Text;
    match read {
        Read::Special => text(String::new()),
        Read::Text(slot) | Read::Name(slot) => text((slot.get)(it).clone().unwrap_or_default()),
        Read::Money(slot) => Value::Money(*(slot.get)(it)),
        Read::Date(slot) => text((slot.get)(it).map(|d| d.to_string()).unwrap_or_default()),
        Read::YesNo(slot) => text(
            (slot.get)(it)
                .map(|b| if b { "是" } else { "否" }.to_string())
                .unwrap_or_default(),
        ),
        Read::List(slot) => text((slot.get)(it).join("、")),
        Read::Choice(slot) => text(slot.label(it)),
    }
}

/// The columns of the export: every written column of the table, the twelve months when an
/// item has a monthly plan, then the extra columns.
fn columns(items: &[Item], status: bool) -> Vec<Column> {
    let monthly = items.iter().any(|i| i.monthly_plan.is_some());
    let mut cols = Vec::new();
    for (field, row) in COLUMNS {
        let Some((look, width)) = row.write else {
            continue;
        };
        match field {
            Field::PlanToMonth(_) if !monthly => {}
            Field::PlanToMonth(_) => {
                cols.extend((1..=12u8).map(|m| Column::field(Field::PlanToMonth(m), look, width)))
            }
            _ => cols.push(Column::field(*field, look, width)),
        }
    }
    // Columns duban has no field for, in the order first met (a status column written
    // below supersedes an extra column of its name).
    let mut extra: Vec<String> = Vec::new();
    for it in items {
        for k in it.extra.keys() {
            let superseded = status && STATUS_HEADERS.contains(&k.as_str());
            if !superseded && !extra.contains(k) {
                extra.push(k.clone());
            }
        }
    }
    cols.extend(extra.into_iter().map(|key| Column {
        header: key.clone(),
        width: 14.0,
        look: Look::Wrap,
        source: Source::Extra(key),
    }));
    if status {
        cols.extend(STATUS_HEADERS.iter().enumerate().map(|(k, h)| Column {
            header: h.to_string(),
            width: [6.0, 10.0, 12.0, 10.0, 24.0, 24.0][k],
            look: match k {
                0 | 1 | 3 => Look::Center,
                2 => Look::Money,
                _ => Look::Wrap,
            },
            source: Source::Status(k),
        }));
    }
    cols
}

/// The ledger as a plain table of texts, with the same columns as the .xlsx (for CSV).
pub fn ledger_table(items: &[Item]) -> (Vec<String>, Vec<Vec<String>>) {
    let cols = columns(items, false);
    let headers = cols.iter().map(|c| c.header.clone()).collect();
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            cols.iter()
                .map(|c| match c.value(i, item, None) {
                    Value::Text(t) => t,
                    Value::Money(w) => w.map(|w| w.to_string()).unwrap_or_default(),
                    Value::Number(n) => n.to_string(),
                })
                .collect()
        })
        .collect();
    (headers, rows)
}

/// Writes items (and, if any, their milestones: `(code, milestones)` pairs) to `path`.
pub fn write_ledger(
    path: &Path,
    items: &[Item],
    milestones: &[(String, Vec<Milestone>)],
    opts: &ExportOptions,
) -> Result<(), LedgerError> {
    write_ledger_with_status(path, items, None, milestones, opts)
}

/// As [`write_ledger`], with each item's status cells (one per item, in order) as the last
/// columns — the ledger as officials print it to work from.
pub fn write_ledger_with_status(
    path: &Path,
    items: &[Item],
    status: Option<&[StatusCells]>,
    milestones: &[(String, Vec<Milestone>)],
    opts: &ExportOptions,
) -> Result<(), LedgerError> {
    let fail = |e: XlsxError| LedgerError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let styles = Styles::new();
    let mut book = Workbook::new();
    // Rows go to a temporary file as they are written (the province ledger's 1.5 million
    // cells held 900 MB in memory), and are deflated at level 1: 3 times faster to save
    // than level 6, and a file about a tenth larger.
    book.set_zip_compression_level(1);
    book.add_worksheet_with_low_memory().map_err(fail)?;
    let with_milestones = milestones.iter().any(|(_, m)| !m.is_empty());
    if with_milestones {
        book.add_worksheet_with_low_memory().map_err(fail)?;
    }
    // The two sheets are about the same size (the province: 1.5 and 1.8 million cells), so
    // each is filled on its own thread; they share only the workbook's string and format
    // tables, which rust_xlsxwriter keeps behind locks for this.
    let (ledger, rest) = book.worksheets_mut().split_at_mut(1);
    std::thread::scope(|scope| {
        // The second sheet exists only when there are milestones.
        let milestone_sheet = rest
            .first_mut()
            .map(|sheet| scope.spawn(|| write_milestones(sheet, items, milestones, opts, &styles)));
        write_items(&mut ledger[0], items, status, opts, &styles)?;
        match milestone_sheet.map(|t| t.join()) {
            Some(Ok(written)) => written,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(()),
        }
    })
    .map_err(fail)?;
    book.save(path).map_err(fail)
}

/// Title, note and print set-up shared by both sheets; returns the header row.
fn frame(
    sheet: &mut Worksheet,
    name: &str,
    title: &str,
    note: &str,
    width: u16,
    s: &Styles,
) -> Result<u32, XlsxError> {
    sheet.set_name(name)?;
    let last = width.saturating_sub(1);
    sheet.merge_range(0, 0, 0, last, title, &s.title)?;
    sheet.set_row_height(0, 36)?;
    sheet.merge_range(1, 0, 1, last, note, &s.note)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(2, 2)?;
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    Ok(2)
}

fn write_items(
    sheet: &mut Worksheet,
    items: &[Item],
    status: Option<&[StatusCells]>,
    opts: &ExportOptions,
    s: &Styles,
) -> Result<(), XlsxError> {
    let cols = columns(items, status.is_some());
    let note = format!(
        "单位：万元　　导出时间：{}　　共 {} 项",
        opts.exported_on,
        items.len()
    );
    let header = frame(
        sheet,
        LEDGER_SHEET,
        &opts.title,
        &note,
        cols.len() as u16,
        s,
    )?;
    for (c, column) in cols.iter().enumerate() {
        sheet.write_string_with_format(header, c as u16, &column.header, &s.header)?;
        sheet.set_column_width(c as u16, column.width)?;
    }
    sheet.set_row_height(header, 30)?;
    for (i, item) in items.iter().enumerate() {
        let row = header + 1 + i as u32;
        for (c, column) in cols.iter().enumerate() {
            let c = c as u16;
            let format = match column.look {
                Look::Wrap => &s.wrap,
                Look::Center => &s.center,
                Look::Money => &s.money,
            };
            match column.value(i, item, status.and_then(|st| st.get(i))) {
                Value::Text(t) => sheet.write_string_with_format(row, c, &t, format)?,
                Value::Money(Some(w)) => {
                    sheet.write_number_with_format(row, c, w.to_f64(), format)?
                }
                Value::Money(None) => sheet.write_blank(row, c, format)?,
                Value::Number(n) => sheet.write_number_with_format(row, c, n, format)?,
            };
        }
    }
    sheet.set_freeze_panes(header + 1, 3)?;
    sheet.autofilter(
        header,
        0,
        header + items.len() as u32,
        cols.len().saturating_sub(1) as u16,
    )?;
    Ok(())
}

/// The milestone sheet's headers, which `import` reads back.
pub const MILESTONE_HEADERS: [&str; 6] = [
    "项目编号",
    "项目名称",
    "序号",
    "节点名称",
    "计划完成时间",
    "实际完成时间",
];

fn write_milestones(
    sheet: &mut Worksheet,
    items: &[Item],
    milestones: &[(String, Vec<Milestone>)],
    opts: &ExportOptions,
    s: &Styles,
) -> Result<(), XlsxError> {
    let names: std::collections::HashMap<&str, &str> = items
        .iter()
        .map(|i| (i.code.as_str(), i.name.as_str()))
        .collect();
    let note = format!("导出时间：{}", opts.exported_on);
    let header = frame(
        sheet,
        MILESTONE_SHEET,
        &format!("{}节点计划", opts.title.trim_end_matches("台账")),
        &note,
        6,
        s,
    )?;
    for (c, (h, w)) in MILESTONE_HEADERS
        .iter()
        .zip([14.0, 36.0, 6.0, 14.0, 14.0, 14.0])
        .enumerate()
    {
        sheet.write_string_with_format(header, c as u16, *h, &s.header)?;
        sheet.set_column_width(c as u16, w)?;
    }
    // YYYY-MM-DD (a date's Display; formatting through a pattern is slower).
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut row = header;
    for (code, ms) in milestones {
        for (i, m) in ms.iter().enumerate() {
            row += 1;
            sheet.write_string_with_format(row, 0, code, &s.center)?;
            sheet.write_string_with_format(
                row,
                1,
                names.get(code.as_str()).copied().unwrap_or(""),
                &s.wrap,
            )?;
            sheet.write_number_with_format(row, 2, (i + 1) as u32, &s.center)?;
            sheet.write_string_with_format(row, 3, &m.name, &s.center)?;
            sheet.write_string_with_format(row, 4, day(m.planned), &s.center)?;
            sheet.write_string_with_format(row, 5, day(m.actual), &s.center)?;
        }
    }
    sheet.set_freeze_panes(header + 1, 2)?;
    sheet.autofilter(header, 0, row, 5)?;
    Ok(())
}
