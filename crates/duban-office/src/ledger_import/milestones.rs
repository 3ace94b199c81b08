//! 节点计划 — the milestone sheet (as the export writes it) read into the ledger rows it names
//! by code; codes the ledger does not have are errors.

use std::collections::HashMap;

use duban_core::text::{compact, non_blank};
use duban_core::{Milestone, PlanDate};

use crate::error::{CellError, ErrorList};
use crate::grid::{Grid, column_letter};
use crate::ledger_export::{MILESTONE_HEADERS, MILESTONE_SHEET};

use super::values::date;
use super::{ReadLedger, SCAN_ROWS};

/// Reads the milestone sheet (as `export` writes it) into the rows it names by code.
pub(super) fn read_milestones(grid: &Grid, ledger: &mut ReadLedger) {
    let Some((r0, r1)) = grid.rows() else { return };
    let Some(header) = (r0..=(r0 + SCAN_ROWS).min(r1)).find(|r| {
        let texts: Vec<String> = grid
            .row_texts(*r)
            .into_iter()
            .map(|(_, t)| compact(&t))
            .collect();
        texts.iter().any(|t| t == MILESTONE_HEADERS[0])
            && texts.iter().any(|t| t == MILESTONE_HEADERS[3])
    }) else {
        return;
    };
    let col = |h: &str| {
        grid.row_texts(header)
            .into_iter()
            .find(|(_, t)| compact(t) == h)
            .map(|(c, _)| c)
    };
    let (Some(c_code), Some(c_name)) = (col(MILESTONE_HEADERS[0]), col(MILESTONE_HEADERS[3]))
    else {
        return;
    };
    let (c_plan, c_done) = (col(MILESTONE_HEADERS[4]), col(MILESTONE_HEADERS[5]));
    let mut by_code: HashMap<String, Vec<Milestone>> = HashMap::new();
    let mut first_row: HashMap<String, u32> = HashMap::new();
    let mut errors = ErrorList::default();
    for r in header + 1..=r1 {
        let code = grid.text(r, c_code);
        let name = grid.text(r, c_name);
        if code.is_empty() && name.is_empty() {
            continue;
        }
        let mut day = |c: Option<u32>, field: &str| -> Option<chrono::NaiveDate> {
            let c = c?;
            let text = grid.text(r, c);
            non_blank(&text)?;
            match date(grid.cell(r, c), &text) {
                Ok(PlanDate::Day(d)) => Some(d),
                Ok(month) => Some(month.last_day()),
                Err(message) => {
                    errors.push(CellError {
                        sheet: MILESTONE_SHEET.into(),
                        row: r + 1,
                        column: column_letter(c),
                        field: field.into(),
                        value: text.into_owned(),
                        message,
                    });
                    None
                }
            }
        };
        let planned = day(c_plan, MILESTONE_HEADERS[4]);
        let actual = day(c_done, MILESTONE_HEADERS[5]);
        first_row.entry(code.to_string()).or_insert(r + 1);
        by_code
            .entry(code.into_owned())
            .or_default()
            .push(Milestone {
                baseline: None,
                name: name.into_owned(),
                planned,
                actual,
            });
    }
    for row in ledger.rows.iter_mut().filter(|r| !r.item.code.is_empty()) {
        row.milestones = Some(by_code.remove(&row.item.code).unwrap_or_default());
    }
    let mut unknown: Vec<String> = by_code.into_keys().collect();
    unknown.sort_by_key(|c| first_row.get(c).copied().unwrap_or(0));
    for code in unknown {
        errors.push(CellError {
            sheet: MILESTONE_SHEET.into(),
            row: first_row.get(&code).copied().unwrap_or(0),
            column: column_letter(c_code),
            field: MILESTONE_HEADERS[0].into(),
            value: code.clone(),
            message: format!("节点计划中的项目编号“{code}”在台账中不存在"),
        });
    }
    ledger.errors.extend(errors.finish());
}
