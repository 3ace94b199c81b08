//! 读取数据行 — pass 2 reads the item rows on every core (at most four), each worker keeping
//! the first errors of its rows; pass 3 collects the items in order and refuses duplicates
//! within the file (the same code, or the same name and lead unit without a code).

use std::collections::HashMap;

use crate::columns::Field;
use crate::error::{ErrorList, LedgerError};

use super::LedgerRow;
use super::classify::Plan;
use super::item::{RowRead, RowReader};

/// A row as read in pass 2: its number (0-based), its item if it could be built, and
/// whether any of its cells had an error.
type Read = (u32, Option<RowRead>, bool);

/// Pass 2, on every core: reads the rows of `plan`, one part per worker, the parts in order.
/// The workers' errors are appended to `errors` in the order of their parts.
pub(super) fn read_rows(
    reader: &RowReader,
    plan: &Plan,
    errors: &mut ErrorList,
) -> Result<Vec<Vec<Read>>, LedgerError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = plan.jobs.len().div_ceil(threads).max(1);
    // Each worker keeps the first errors of its rows (see `ErrorList`) and marks the rows
    // that have some; its rows are kept apart, and freed as pass 3 takes their items.
    std::thread::scope(|scope| {
        let handles: Vec<_> = plan
            .jobs
            .chunks(chunk)
            .map(|part| {
                let sections = &plan.sections;
                scope.spawn(move || {
                    let mut kept = ErrorList::default();
                    let rows = part
                        .iter()
                        .map(|&(r, sec)| {
                            let mut errors = Vec::new();
                            let item = reader.read(r, &sections[sec], &mut errors);
                            let bad = !errors.is_empty();
                            for e in errors {
                                kept.push(e);
                            }
                            (r, item, bad)
                        })
                        .collect::<Vec<_>>();
                    (rows, kept)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(handles.len());
        for h in handles {
            // A worker that stopped must not leave rows silently unread.
            let (rows, kept) = h
                .join()
                .map_err(|_| LedgerError::Internal("读取数据行的线程意外中止".into()))?;
            all.push(rows);
            errors.append(kept);
        }
        Ok::<_, LedgerError>(all)
    })
}

/// Pass 3, in order: the rows read without errors, less the duplicates within the file
/// (each an error in `errors`). `count` is the number of item rows, to reserve for.
pub(super) fn collect_rows(
    reader: &RowReader,
    read: Vec<Vec<Read>>,
    count: usize,
    errors: &mut ErrorList,
) -> Vec<LedgerRow> {
    let code_col = reader.header.col_of(Field::Code);
    let name_col = reader.header.col_of(Field::Name);
    let mut seen_codes: HashMap<String, u32> = HashMap::new();
    let mut seen_names: HashMap<(String, String), u32> = HashMap::new();
    let mut rows = Vec::new();
    rows.reserve_exact(count);
    for (r, item, bad) in read.into_iter().flatten() {
        let excel_row = r + 1;
        if bad {
            continue;
        }
        let Some((item, done)) = item else { continue };
        let ctx = reader.row(r);
        if !item.code.is_empty() {
            if let Some(prev) = seen_codes.insert(item.code.clone(), excel_row) {
                errors.push(ctx.error(
                    code_col,
                    "项目编号",
                    &item.code,
                    format!("项目编号与第 {prev} 行重复；每个项目编号只能出现一次"),
                ));
                continue;
            }
        } else if let Some(prev) =
            seen_names.insert((item.name.clone(), item.lead_unit.clone()), excel_row)
        {
            errors.push(ctx.error(
                name_col,
                "项目名称",
                &item.name,
                format!(
                    "与第 {prev} 行的项目名称和责任单位相同；请填写项目编号加以区分或删除重复行"
                ),
            ));
            continue;
        }
        rows.push(LedgerRow {
            row: excel_row,
            item,
            milestones: None,
            done_to_month: done,
        });
    }
    rows
}
