//! 进度填报表 — the reporting sheet (of a week, month or quarter) a unit downloads pre-filled with its items and last
//! figures, fills in, and uploads: written here, and read back with every cell checked.

use std::path::Path;

use calamine::Data;
use duban_core::text::{compact, non_blank};
use duban_core::{MilestoneReached, MoneyUnit, Period, ReportDraft, Wan};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::{cell_text, column_letter};
use crate::workbook::thousands;

/// Rows one reporting sheet may hold: one unit's items (a few hundred at most).
const MAX_REPORT_ROWS: usize = 100_000;

/// One item's line of the template.
#[derive(Debug, Clone)]
pub struct TemplateRow {
    pub code: String,
    pub name: String,
    pub annual_plan: Option<Wan>,
    /// The year-to-date of the previous report this year.
    pub previous_ytd: Option<Wan>,
    /// What this period already has, if reported (so the sheet shows it).
    pub current: Option<ReportDraft>,
}

const SHEET: &str = "进度填报";
const PERIOD_NOTE: &str = "填报期：";

/// The headers, in order; the reader finds them by name.
fn headers(period: Period) -> Vec<String> {
    vec![
        "项目编号".into(),
        "项目名称".into(),
        "年度计划投资（万元）".into(),
        format!("上期累计完成（万元）"),
        format!("{}累计完成投资（万元）", period.ytd_label()),
        format!("本期（{}）完成投资（万元）", period.short_label()),
        "形象进度".into(),
        "形象进度（%）".into(),
        "本期完成节点".into(),
        "节点完成时间".into(),
        "进展情况".into(),
        "存在问题".into(),
    ]
}

/// Writes the reporting sheet of `unit` for `period`.
pub fn write_report_template(
    path: &Path,
    unit: &str,
    period: Period,
    due: chrono::NaiveDate,
    rows: &[TemplateRow],
) -> Result<(), LedgerError> {
    let fail = |e: XlsxError| LedgerError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let title = Format::new()
        .set_font_name("方正小标宋简体")
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let note = Format::new().set_font_size(10);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9E1F2));
    let given = Format::new()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xF2F2F2));
    let money_given = given.clone().set_num_format("#,##0.00");
    let input = Format::new().set_border(FormatBorder::Thin).set_unlocked();
    let money_input = input.clone().set_num_format("#,##0.00");
    let hs = headers(period);
    let last = (hs.len() - 1) as u16;
    (|| -> Result<(), XlsxError> {
        s.set_name(SHEET)?;
        s.merge_range(0, 0, 0, last, &format!("{unit}{}重点项目进度填报表", period.label()), &title)?;
        s.merge_range(1, 0, 1, last, &format!("{PERIOD_NOTE}{period}　　单位：万元　　报送截止：{due}　　灰色列为已有数据，请填写白色列；累计完成与本期完成填一项即可"), &note)?;
        for (c, h) in hs.iter().enumerate() {
            s.write_string_with_format(2, c as u16, h, &head)?;
        }
        for (c, w) in [14.0, 36.0, 14.0, 14.0, 16.0, 14.0, 24.0, 10.0, 14.0, 12.0, 30.0, 30.0].iter().enumerate() {
            s.set_column_width(c as u16, *w)?;
        }
        s.set_row_height(2, 32)?;
        for (i, r) in rows.iter().enumerate() {
            let row = 3 + i as u32;
            s.write_string_with_format(row, 0, &r.code, &given)?;
            s.write_string_with_format(row, 1, &r.name, &given)?;
            let money = |s: &mut rust_xlsxwriter::Worksheet, c: u16, w: Option<Wan>, f: &Format| match w {
                Some(w) => s.write_number_with_format(row, c, w.to_f64(), f).map(|_| ()),
                None => s.write_blank(row, c, f).map(|_| ()),
            };
            money(s, 2, r.annual_plan, &money_given)?;
            money(s, 3, r.previous_ytd, &money_given)?;
            let cur = r.current.clone().unwrap_or_default();
            money(s, 4, cur.ytd, &money_input)?;
            money(s, 5, cur.this_period, &money_input)?;
            s.write_string_with_format(row, 6, cur.progress_text.as_deref().unwrap_or(""), &input)?;
            match cur.progress_percent {
                Some(p) => s.write_number_with_format(row, 7, p.to_string().parse::<f64>().unwrap_or(0.0), &input)?,
                None => s.write_blank(row, 7, &input)?,
            };
            let ms = cur.milestones.first();
            s.write_string_with_format(row, 8, ms.map(|m| m.name.as_str()).unwrap_or(""), &input)?;
            s.write_string_with_format(row, 9, ms.map(|m| m.date.to_string()).unwrap_or_default(), &input)?;
            s.write_string_with_format(row, 10, cur.narrative.as_deref().unwrap_or(""), &input)?;
            s.write_string_with_format(row, 11, cur.problems.as_deref().unwrap_or(""), &input)?;
        }
        s.set_freeze_panes(3, 2)?;
        Ok(())
    })()
    .map_err(fail)?;
    book.save(path).map_err(fail)
}

/// A filled-in reporting sheet, read.
#[derive(Debug, Clone)]
pub struct ReadReports {
    pub period: Period,
    /// (Excel row, item code, report) for every row with something filled in.
    pub rows: Vec<(u32, String, ReportDraft)>,
    pub errors: Vec<CellError>,
}

/// Reads a reporting sheet. The period comes from the sheet's note ("填报期：2025-06") unless
/// given.
pub fn read_report_sheet(path: &Path, period: Option<Period>) -> Result<ReadReports, LedgerError> {
    let mut book = crate::workbook::Workbook::open(path)?;
    let unreadable = |e: &dyn std::fmt::Display| crate::workbook::unreadable(path, e);
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable(&"没有工作表"))?;
    let grid = book.grid(&sheet, false)?;
    drop(book);
    let (r0, r1) = grid.rows().ok_or_else(|| unreadable(&"工作表是空的"))?;
    let mut found_period = period;
    let mut header = None;
    for r in r0..=(r0 + 10).min(r1) {
        let texts = grid.row_texts(r);
        for (_, t) in &texts {
            if let Some(rest) = t.split(PERIOD_NOTE).nth(1)
                && found_period.is_none()
            {
                found_period = Period::parse(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('　'),
                )
                .ok();
            }
        }
        if texts.iter().any(|(_, t)| compact(t) == "项目编号") {
            header = Some(r);
            break;
        }
    }
    let header = header.ok_or_else(|| LedgerError::MissingColumn {
        sheet: sheet.clone(),
        header_row: 1,
        field: "项目编号".into(),
        aliases: "项目编号".into(),
    })?;
    let period = found_period.ok_or_else(|| LedgerError::MissingColumn {
        sheet: sheet.clone(),
        header_row: header + 1,
        field: "填报期".into(),
        aliases: "表头上方的“填报期：2025-06”，或用 --period 指定".into(),
    })?;
    // Columns by name.
    let cols: Vec<(u32, String)> = grid
        .row_texts(header)
        .into_iter()
        .map(|(c, t)| (c, compact(&t)))
        .collect();
    let find = |pred: &dyn Fn(&str) -> bool| cols.iter().find(|(_, h)| pred(h)).map(|(c, _)| *c);
    let c_code = find(&|h| h == "项目编号").expect("found above");
    let c_ytd = find(&|h| h.contains("累计完成") && !h.starts_with("上期"));
    let c_this = find(&|h| h.contains("完成投资") && !h.contains("累计") && !h.contains("计划"));
    let c_text = find(&|h| h == "形象进度");
    let c_pct = find(&|h| h.starts_with("形象进度") && h.contains('%'));
    let c_ms = find(&|h| h.contains("完成节点"));
    let c_ms_date = find(&|h| h.contains("节点完成时间"));
    let c_narr = find(&|h| h.contains("进展情况"));
    let c_prob = find(&|h| h.contains("存在问题"));

    let mut out = ReadReports {
        period,
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut all_errors = ErrorList::default();
    for r in header + 1..=r1 {
        let code = grid.text(r, c_code).to_string();
        if code.is_empty() {
            continue;
        }
        if out.rows.len() >= MAX_REPORT_ROWS {
            return Err(LedgerError::TooLarge {
                path: path.to_path_buf(),
                sheet,
                detail: format!(
                    "填报的项目超过 {} 个（读到第 {} 行时）。一个单位的填报表不会有这么多项目：请确认选择的文件是否正确",
                    thousands(MAX_REPORT_ROWS as u64),
                    r + 1
                ),
            });
        }
        let mut errors = Vec::new();
        let mut err = |c: u32, value: &str, message: String| {
            errors.push(CellError {
                sheet: sheet.clone(),
                row: r + 1,
                column: column_letter(c),
                field: grid.text(header, c).to_string(),
                value: value.to_string(),
                message,
            })
        };
        let text = |c: Option<u32>| c.and_then(|c| non_blank(&grid.text(r, c)).map(str::to_string));
        let mut money = |c: Option<u32>| -> Option<Wan> {
            let c = c?;
            let data = grid.cell(r, c);
            let t = cell_text(data);
            non_blank(&t)?;
            let parsed = match data {
                Data::Float(f) => Wan::from_f64(*f, MoneyUnit::Wan),
                Data::Int(i) => Wan::from_f64(*i as f64, MoneyUnit::Wan),
                _ => Wan::parse(&t, MoneyUnit::Wan),
            };
            parsed.map_err(|e| err(c, &t, e.to_string())).ok()
        };
        let ytd = money(c_ytd);
        let this_period = money(c_this);
        let mut report = ReportDraft {
            ytd,
            this_period,
            progress_text: text(c_text),
            narrative: text(c_narr),
            problems: text(c_prob),
            ..Default::default()
        };
        if let Some(c) = c_pct
            && let Some(t) = non_blank(&grid.text(r, c)).map(str::to_string)
        {
            match t.trim_end_matches('%').parse::<rust_decimal::Decimal>() {
                Ok(p) => report.progress_percent = Some(p),
                Err(_) => err(c, &t, "形象进度（%）应为 0 到 100 之间的数".into()),
            }
        }
        if let Some(name) = text(c_ms) {
            let when = c_ms_date.map(|c| (c, grid.cell(r, c).clone(), grid.text(r, c).to_string()));
            match when {
                Some((_, _, t)) if non_blank(&t).is_none() => err(
                    c_ms_date.unwrap_or(0),
                    "",
                    format!("填写了完成节点“{name}”，但没有填节点完成时间"),
                ),
                Some((c, data, t)) => match crate::ledger_import::date(&data, &t) {
                    Ok(d) => report.milestones.push(MilestoneReached {
                        name,
                        date: d.last_day(),
                    }),
                    Err(e) => err(c, &t, e),
                },
                None => {}
            }
        }
        let empty = report == ReportDraft::default();
        if !errors.is_empty() {
            for e in errors {
                all_errors.push(e);
            }
        } else if !empty {
            out.rows.push((r + 1, code, report));
        }
    }
    out.errors = all_errors.finish();
    Ok(out)
}
