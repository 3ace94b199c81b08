//! 台账导入导出 — what the CLI and the web share between a read sheet and the store.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use duban_office::ReadLedger;
use duban_store::{ItemRecord, LedgerEntry};

/// The rows of a read ledger as store entries (taking them out of `read`): each with its
/// source line, and its year-to-date column as that month's report submitted `today`; an
/// item the import creates is on the ledger from `today` (纳入日期).
pub fn ledger_entries(read: &mut ReadLedger, today: NaiveDate) -> Vec<LedgerEntry> {
    let stated = Some(Arc::new(std::mem::take(&mut read.stated)));
    let sheet = read.sheet.clone();
    std::mem::take(&mut read.rows)
        .into_iter()
        .map(|r| LedgerEntry {
            source: Some(format!("工作表“{}”第 {} 行", sheet, r.row)),
            // The month is 1–12 and the year validated with the item.
            reported: r.done_to_month.and_then(|(m, w)| {
                duban_core::Period::month(r.item.year, u32::from(m)).map(|p| (p, w, today))
            }),
            item: r.item,
            milestones: r.milestones,
            stated: stated.clone(),
            reason: None,
            listed_on: Some(today),
        })
        .collect()
}

/// "2025年重点项目、民生实事台账" from what is exported.
pub fn default_title(records: &[ItemRecord]) -> String {
    let years: BTreeSet<i32> = records.iter().map(|r| r.item.year).collect();
    let kinds: BTreeSet<_> = records.iter().map(|r| r.item.kind).collect();
    let year = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}年"),
        (Some(a), Some(b)) => format!("{a}—{b}年"),
        _ => String::new(),
    };
    let kinds: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    let kinds = if kinds.is_empty() {
        "重点项目".to_string()
    } else {
        kinds.join("、")
    };
    format!("{year}{kinds}台账")
}

/// Writes `records` as the ledger officials work from: the official workbook with each
/// item's status cells (one per record, in order) as its last columns; the title is the
/// default one.
pub fn export_with_status(
    path: &std::path::Path,
    records: Vec<ItemRecord>,
    status: &[duban_office::StatusCells],
    today: NaiveDate,
) -> Result<String, duban_office::LedgerError> {
    write(path, records, None, Some(status), today)
}

/// Writes `records` as the official ledger workbook to `path`.
pub fn export(
    path: &std::path::Path,
    records: Vec<ItemRecord>,
    title: Option<String>,
    today: NaiveDate,
) -> Result<String, duban_office::LedgerError> {
    write(path, records, title, None, today)
}

/// The workbook of `records`, with their status cells when given; the title it has.
fn write(
    path: &std::path::Path,
    records: Vec<ItemRecord>,
    title: Option<String>,
    status: Option<&[duban_office::StatusCells]>,
    today: NaiveDate,
) -> Result<String, duban_office::LedgerError> {
    let title = title.unwrap_or_else(|| default_title(&records));
    let (items, milestones): (Vec<_>, Vec<_>) = records
        .into_iter()
        .map(|r| {
            let code = r.item.code.clone();
            (r.item, (code, r.milestones))
        })
        .unzip();
    let opts = duban_office::ExportOptions {
        title: title.clone(),
        exported_on: today.format("%Y-%m-%d").to_string(),
    };
    duban_office::write_ledger_with_status(path, &items, status, &milestones, &opts)?;
    Ok(title)
}

/// The rows of a filled-in reporting sheet as a batch for `Store::submit_reports`, each named
/// by its row ("第 5 行（XM1）"), submitted `today`.
pub fn report_batch(
    read: duban_office::ReadReports,
    today: NaiveDate,
) -> Vec<(String, duban_store::Submission)> {
    read.rows
        .into_iter()
        .map(|(row, code, report)| {
            (
                format!("第 {row} 行（{code}）"),
                duban_store::Submission {
                    code,
                    period: read.period,
                    report,
                    reason: None,
                    submitted_on: today,
                },
            )
        })
        .collect()
}

/// The reporting sheet of a unit for a period: its led items that report at the period's
/// cadence, each with the year-to-date before the period (and, with `show_reported`, what the
/// period already has), and the earliest due date among their kinds; `None` when it has no
/// such item.
pub async fn report_sheet(
    store: &duban_store::Store,
    unit: &str,
    period: duban_core::Period,
    show_reported: bool,
) -> Result<Option<(Vec<duban_office::TemplateRow>, NaiveDate)>, duban_store::StoreError> {
    let inputs = store.status_inputs(period.year(), Some(unit)).await?;
    let calendar = store.calendar().await?;
    let mut due: Option<NaiveDate> = None;
    let rows = inputs
        .into_iter()
        .filter(|i| {
            i.item.lead_unit == unit && calendar.schedule(i.item.kind).cadence == period.cadence()
        })
        .map(|i| {
            let d = calendar.schedule(i.item.kind).due(period);
            due = Some(due.map_or(d, |x| x.min(d)));
            let ytd = &i.trail.ytd;
            duban_office::TemplateRow {
                previous_ytd: ytd
                    .iter()
                    .rev()
                    .find(|(d, _)| *d < period.first_day())
                    .map(|(_, w)| *w),
                current: show_reported
                    .then(|| ytd.iter().find(|(d, _)| *d == period.last_day()))
                    .flatten()
                    .map(|(_, w)| duban_core::ReportDraft {
                        ytd: Some(*w),
                        ..Default::default()
                    }),
                code: i.item.code,
                name: i.item.name,
                annual_plan: i.item.annual_plan,
            }
        })
        .collect();
    Ok(due.map(|due| (rows, due)))
}
