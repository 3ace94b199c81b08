//! 评分表导入 — a tour scored on paper: one row per judge and project (评委, 项目), and a
//! column per criterion of the score sheet (by its name) or only the 总分. The header is found
//! by name below any title rows; blank and note rows are skipped; every bad cell is named.

use std::collections::BTreeMap;
use std::path::Path;

use duban_core::text::compact;
use rust_decimal::Decimal;

use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::column_letter;
use crate::workbook::Workbook;

/// Most rows one file may hold.
const MAX_ROWS: usize = 20_000;

/// One judge's scores of one project, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadScore {
    /// "评分.xlsx 工作表“Sheet1”第3行"
    pub place: String,
    pub judge: String,
    /// 项目 as written: a code or a name, matched by the caller.
    pub project: String,
    /// Scores by criterion name (the columns named after the criteria).
    pub scores: BTreeMap<String, Decimal>,
    /// 总分 when the sheet has that column.
    pub total: Option<Decimal>,
}

const JUDGE: &[&str] = &["评委", "评委姓名", "评分人", "打分人", "评审专家", "专家"];
const PROJECT: &[&str] = &["项目", "项目编号", "项目名称", "编号", "观摩项目"];
const TOTAL: &[&str] = &["总分", "得分", "合计", "合计得分", "评分"];

fn is(header: &str, names: &[&str]) -> bool {
    names.contains(&compact(header).as_str())
}

/// Reads the first sheet of `path` with a score header, against the tour's `criteria` names.
pub fn read_scores(path: &Path, criteria: &[String]) -> Result<Vec<ReadScore>, LedgerError> {
    let mut book = Workbook::open(path)?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut errors = ErrorList::default();
    for sheet in book.sheet_names().to_vec() {
        let grid = book.grid(&sheet, false)?;
        let Some((first, last)) = grid.rows() else {
            continue;
        };
        let header = (first..(first + 15).min(last + 1)).find(|r| {
            let texts = grid.row_texts(*r);
            texts.iter().any(|(_, t)| is(t, JUDGE)) && texts.iter().any(|(_, t)| is(t, PROJECT))
        });
        let Some(header) = header else {
            continue;
        };
        let (mut judge, mut project, mut total) = (None, None, None);
        let mut by_criterion: Vec<(u32, String)> = Vec::new();
        for (c, t) in grid.row_texts(header) {
            let name = compact(&t);
            if judge.is_none() && is(&t, JUDGE) {
                judge = Some(c);
            } else if project.is_none() && is(&t, PROJECT) {
                project = Some(c);
            } else if total.is_none() && is(&t, TOTAL) {
                total = Some(c);
            } else if let Some(k) = criteria.iter().find(|k| compact(k) == name)
                && !by_criterion.iter().any(|(_, n)| n == k)
            {
                by_criterion.push((c, k.clone()));
            }
        }
        let (Some(judge), Some(project)) = (judge, project) else {
            continue;
        };
        if total.is_none() && by_criterion.is_empty() {
            continue;
        }
        let mut out = Vec::new();
        for r in header + 1..=last {
            let text = |c: u32| grid.text(r, c).trim().to_string();
            let (who, what) = (text(judge), text(project));
            if who.is_empty() && what.is_empty() {
                continue;
            }
            if ["注", "备注", "说明", "合计", "平均"]
                .iter()
                .any(|p| who.starts_with(p))
            {
                continue;
            }
            if out.len() >= MAX_ROWS {
                return Err(LedgerError::TooLarge {
                    path: path.to_path_buf(),
                    sheet: sheet.clone(),
                    detail: format!("评分表超过 {MAX_ROWS} 行，请拆分后分别导入"),
                });
            }
            let mut bad = |c: u32, field: &str, value: String, message: &str| {
                errors.push(CellError {
                    sheet: sheet.clone(),
                    row: r + 1,
                    column: column_letter(c),
                    field: field.into(),
                    value,
                    message: message.into(),
                })
            };
            if who.is_empty() {
                bad(judge, "评委", who.clone(), "评委不能为空");
            }
            if what.is_empty() {
                bad(
                    project,
                    "项目",
                    what.clone(),
                    "项目不能为空（填项目编号或名称）",
                );
            }
            let mut number = |c: u32, field: &str| -> Option<Decimal> {
                let t = text(c);
                if t.is_empty() {
                    return None;
                }
                match t.parse::<Decimal>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        let message = format!("“{t}”不是分数（应为如 92 或 88.5 的数）");
                        bad(c, field, t, &message);
                        None
                    }
                }
            };
            let scores: BTreeMap<String, Decimal> = by_criterion
                .iter()
                .filter_map(|(c, k)| number(*c, k).map(|v| (k.clone(), v)))
                .collect();
            let total = total.and_then(|c| number(c, "总分"));
            out.push(ReadScore {
                place: format!("{file} 工作表“{sheet}”第{}行", r + 1),
                judge: who,
                project: what,
                scores,
                total,
            });
        }
        if !errors.is_empty() {
            return Err(LedgerError::Rows(errors.finish()));
        }
        return Ok(out);
    }
    Err(LedgerError::NoScoreHeader {
        path: path.to_path_buf(),
        criteria: criteria.join("、"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, rows: &[Vec<&str>]) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if let Ok(n) = v.parse::<f64>() {
                    ws.write_number(r as u32, c as u16, n).unwrap();
                } else if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn criteria_columns_and_totals_read_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("评分.xlsx");
        write(
            &path,
            &[
                vec!["上半年重点项目观摩评分汇总表"],
                vec![
                    "序号",
                    "评委姓名",
                    "项目编号",
                    "形象进度",
                    "投资完成",
                    "备注",
                ],
                vec!["1", "张三", "XM1", "38", "55.5", ""],
                vec!["2", "李四", "XM1", "36", "", ""],
                vec!["", "", "", "", "", ""],
                vec!["注：满分100分"],
            ],
        );
        let criteria = ["形象进度".to_string(), "投资完成".to_string()];
        let rows = read_scores(&path, &criteria).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].judge, "张三");
        assert_eq!(rows[0].project, "XM1");
        assert_eq!(rows[0].scores["投资完成"], "55.5".parse().unwrap());
        assert_eq!(rows[1].scores.len(), 1);
        assert!(rows[0].place.ends_with("第3行"));

        write(
            &path,
            &[
                vec!["评委", "项目名称", "总分"],
                vec!["王五", "白水县光伏项目", "九十"],
            ],
        );
        let e = read_scores(&path, &criteria).unwrap_err().to_string();
        assert!(e.contains("第 2 行 C 列（总分）：“九十”不是分数"), "{e}");

        write(&path, &[vec!["姓名", "得分"], vec!["王五", "90"]]);
        let e = read_scores(&path, &criteria).unwrap_err().to_string();
        assert!(
            e.contains("找不到评分表头") && e.contains("形象进度、投资完成"),
            "{e}"
        );
    }
}
