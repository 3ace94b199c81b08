//! 指标导入 — region × period indicator figures and targets from .xlsx, read as tolerantly as
//! the ledger: the header found by name below any title rows, the indicator named by a column
//! or by the sheet, the period by a column, the title or the caller, numbers with "%" or
//! thousands separators, subtotal and footnote rows skipped; every bad cell named.

use std::path::Path;

use duban_core::Period;
use duban_core::indicator::{Indicator, IndicatorValue};
use duban_core::text::compact;
use rust_decimal::Decimal;

use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::column_letter;
use crate::workbook::{Workbook, thousands};

/// Indicator values one file may hold (regions × indicators × periods: a few thousand).
const MAX_VALUES: usize = 100_000;

/// What an indicator file holds: the indicators met and every figure with where it was.
#[derive(Debug, Clone, Default)]
pub struct ReadIndicators {
    pub indicators: Vec<Indicator>,
    /// (where, value): "指标.xlsx 工作表“增速” 第5行".
    pub rows: Vec<(String, IndicatorValue)>,
}

/// The columns an indicator sheet may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Region,
    Indicator,
    Period,
    Value,
    Target,
    Unit,
    Direction,
}

const ALIASES: &[(Col, &[&str])] = &[
    (
        Col::Region,
        &[
            "地区",
            "县区",
            "县(市、区)",
            "县(市区)",
            "县市区",
            "区县",
            "区域",
            "地方",
            "县(区)",
            "单位名称",
        ],
    ),
    (Col::Indicator, &["指标", "指标名称", "指标项"]),
    (
        Col::Period,
        &["期间", "时期", "统计期", "月份", "期别", "填报期", "时间"],
    ),
    (
        Col::Value,
        &[
            "完成值",
            "完成",
            "实际值",
            "实绩",
            "数值",
            "本期值",
            "累计值",
            "累计",
            "增速",
            "完成情况",
        ],
    ),
    (
        Col::Target,
        &["目标值", "目标", "年度目标", "计划值", "计划", "目标任务"],
    ),
    (Col::Unit, &["计量单位", "单位"]),
    (
        Col::Direction,
        &["越高越好", "方向", "指标方向", "正向指标"],
    ),
];

fn column_of(header: &str) -> Option<(Col, Option<String>)> {
    let c = compact(header);
    // "增速(%)": the unit in parentheses goes with the value column.
    let (base, unit) = match c.find('(') {
        Some(i) if c.ends_with(')') => {
            (c[..i].to_string(), Some(c[i + 1..c.len() - 1].to_string()))
        }
        _ => (c.clone(), None),
    };
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&base.as_str()) || names.contains(&c.as_str()))
        .map(|(col, _)| (*col, unit))
}

/// Rows that are not a region's figures: subtotals, notes, the sheet's footers.
fn is_skipped(region: &str) -> bool {
    region.is_empty()
        || [
            "注",
            "备注",
            "说明",
            "资料来源",
            "数据来源",
            "填报",
            "制表",
            "审核",
            "小计",
        ]
        .iter()
        .any(|p| region.starts_with(p))
}

/// Names the city's own row: "全市", "合计", "总计".
const CITY_ROWS: &[&str] = &["全市", "合计", "总计", "全市合计", "全市总计"];

/// Reads "6.5", "6.5%", "1,234.5", "-0.3"; blank is none.
fn number(text: &str) -> Result<Option<Decimal>, String> {
    let t = compact(text).replace([',', '，'], "");
    let t = t.trim_end_matches('%');
    if t.is_empty() || t == "-" || t == "—" || t == "/" {
        return Ok(None);
    }
    t.parse::<Decimal>()
        .map(Some)
        .map_err(|_| format!("“{text}”不是数字（应为如 6.5、6.5%、1,234 的数值，或留空）"))
}

/// A period in a cell or a title: "2025-06", "2025年6月", "2025年1-6月", "2025年1—6月".
fn period_in(text: &str) -> Option<Period> {
    let t = compact(text);
    if let Ok(p) = Period::parse(&t) {
        return Some(p);
    }
    let y = t.find('年')?;
    let year: i32 = t[..y]
        .chars()
        .rev()
        .take(4)
        .collect::<String>()
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .ok()?;
    let rest = &t[y + '年'.len_utf8()..];
    let m = rest.find('月')?;
    let months = &rest[..m];
    let last: String = months
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Period::month(year, last.parse().ok()?)
}

/// Whether lower is better, guessed from the name when the sheet does not say: a level of
/// energy use or unemployment is better low; its fall (能耗下降率) is better high.
fn lower_is_better(name: &str) -> bool {
    if name.contains("下降") || name.contains("降低") {
        return false;
    }
    ["能耗", "失业率", "PM2.5", "PM10", "事故", "投诉"]
        .iter()
        .any(|w| name.contains(w))
}

fn direction(text: &str) -> Option<bool> {
    match compact(text).as_str() {
        "是" | "正向" | "越高越好" | "高" | "1" | "true" => Some(true),
        "否" | "逆向" | "反向" | "越低越好" | "低" | "0" | "false" => Some(false),
        _ => None,
    }
}

/// Reads every sheet of `path` that has an indicator header. `period` is used for rows whose
/// sheet gives none; `city` names the city's own row (全市, 合计).
pub fn read_indicators(
    path: &Path,
    period: Option<Period>,
    city: &str,
) -> Result<ReadIndicators, LedgerError> {
    let mut book = Workbook::open(path)?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut out = ReadIndicators::default();
    let mut errors = ErrorList::default();
    let mut found = false;
    // Indicator names already listed, for the rows of every sheet.
    let mut named: std::collections::HashSet<String> = std::collections::HashSet::new();
    for sheet in book.sheet_names().to_vec() {
        let grid = book.grid(&sheet, false)?;
        let Some((first, _)) = grid.rows() else {
            continue;
        };
        let Some(header) = (first..first + 15).find(|r| {
            let cols: Vec<Col> = grid
                .row_texts(*r)
                .iter()
                .filter_map(|(_, t)| column_of(t))
                .map(|c| c.0)
                .collect();
            cols.contains(&Col::Region) && cols.contains(&Col::Value)
        }) else {
            continue;
        };
        found = true;
        let columns: Vec<(u32, Col, Option<String>)> = grid
            .row_texts(header)
            .iter()
            .filter_map(|(c, t)| column_of(t).map(|(col, unit)| (*c, col, unit)))
            .fold(Vec::new(), |mut v, (c, col, unit)| {
                if !v.iter().any(|(_, k, _)| *k == col) {
                    v.push((c, col, unit));
                }
                v
            });
        let at = |col: Col| {
            columns
                .iter()
                .find(|(_, k, _)| *k == col)
                .map(|(c, _, _)| *c)
        };
        let title: String = (first..header)
            .flat_map(|r| grid.row_texts(r).into_iter().map(|(_, t)| t.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        // A period given by the caller wins over the title's; a 期间 column over both.
        let sheet_period = period.or_else(|| period_in(&title));
        let value_unit = columns
            .iter()
            .find(|(_, k, _)| *k == Col::Value)
            .and_then(|(_, _, u)| u.clone());
        let Some((_, last)) = grid.rows() else {
            continue;
        };
        for r in header + 1..=last {
            let text = |col: Col| {
                at(col)
                    .map(|c| grid.text(r, c).trim().to_string())
                    .unwrap_or_default()
            };
            let mut region = text(Col::Region);
            if is_skipped(&region) {
                continue;
            }
            if CITY_ROWS.contains(&compact(&region).as_str()) {
                region = city.to_string();
            }
            let cell_error = |col: Col, field: &str, value: String, message: String| CellError {
                sheet: sheet.clone(),
                row: r + 1,
                column: at(col).map(column_letter).unwrap_or_default(),
                field: field.into(),
                value,
                message,
            };
            let name = match text(Col::Indicator) {
                n if !n.is_empty() => n,
                _ if at(Col::Indicator).is_some() => continue,
                _ if sheet.to_lowercase().starts_with("sheet") => {
                    errors.push(cell_error(
                        Col::Region,
                        "指标",
                        String::new(),
                        "没有指标名称：加一列“指标名称”，或把工作表命名为指标名称".into(),
                    ));
                    continue;
                }
                _ => sheet.clone(),
            };
            let mut figure = |col: Col, field: &str| match number(&text(col)) {
                Ok(v) => v,
                Err(m) => {
                    errors.push(cell_error(col, field, text(col), m));
                    None
                }
            };
            let value = figure(Col::Value, "完成值");
            let target = figure(Col::Target, "目标值");
            let p = match text(Col::Period) {
                t if !t.is_empty() => period_in(&t).ok_or_else(|| format!("无法识别的期间“{t}”（应为如 2025-06、2025年6月、2025年1-6月）")),
                _ => sheet_period.ok_or_else(|| "没有期间：加一列“期间”、在标题中写明（如“2025年1-6月”），或导入时用 --period 指定".to_string()),
            };
            let p = match p {
                Ok(p) => p,
                Err(m) => {
                    errors.push(cell_error(Col::Period, "期间", text(Col::Period), m));
                    continue;
                }
            };
            if out.rows.len() >= MAX_VALUES {
                return Err(LedgerError::TooLarge {
                    path: path.to_path_buf(),
                    sheet: sheet.clone(),
                    detail: format!(
                        "指标数据超过 {} 行（读到第 {} 行时）。请把指标表拆成几个文件分别导入",
                        thousands(MAX_VALUES as u64),
                        r + 1
                    ),
                });
            }
            if !named.contains(&name) {
                named.insert(name.clone());
                let unit = Some(text(Col::Unit))
                    .filter(|u| !u.is_empty())
                    .or(value_unit.clone())
                    .unwrap_or_else(|| {
                        if ["增速", "增长", "率"].iter().any(|w| name.contains(w)) {
                            "%".into()
                        } else {
                            String::new()
                        }
                    });
                let higher = direction(&text(Col::Direction)).unwrap_or(!lower_is_better(&name));
                out.indicators.push(Indicator {
                    name: name.clone(),
                    unit,
                    higher_is_better: higher,
                });
            }
            if value.is_none() && target.is_none() {
                continue;
            }
            out.rows.push((
                format!("{file} 工作表“{sheet}”第{}行", r + 1),
                IndicatorValue {
                    indicator: name,
                    region,
                    period: p,
                    value,
                    target,
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(LedgerError::Rows(errors.finish()));
    }
    if !found {
        return Err(LedgerError::NoIndicatorHeader {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn write(path: &Path, sheets: &[(&str, Vec<Vec<&str>>)]) {
        let mut wb = Workbook::new();
        for (name, rows) in sheets {
            let ws = wb.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, *v).unwrap();
                    }
                }
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn reads_a_sheet_per_indicator_and_a_long_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("指标.xlsx");
        write(
            &path,
            &[
                (
                    "规上工业增加值增速",
                    vec![
                        vec!["2025年1-6月各县区规上工业增加值增速"],
                        vec!["单位：%"],
                        vec!["序号", "县（市、区）", "增速(%)", "目标"],
                        vec!["", "全市", "6.8", "7.0"],
                        vec!["1", "甲县", "6.5%", "7"],
                        vec!["2", "乙县", "8.1", ""],
                        vec!["注：数据来源于市统计局。"],
                    ],
                ),
                (
                    "Sheet2",
                    vec![
                        vec![
                            "指标名称",
                            "地区",
                            "期间",
                            "完成值",
                            "目标值",
                            "计量单位",
                            "越高越好",
                        ],
                        vec![
                            "新增四上企业",
                            "甲县",
                            "2025年6月",
                            "1,204",
                            "1,000",
                            "家",
                            "是",
                        ],
                        vec!["单位GDP能耗下降", "乙县", "2025-06", "-0.3", "", "%", ""],
                    ],
                ),
            ],
        );
        let read = read_indicators(&path, None, "示范市").unwrap();
        let names: Vec<(&str, &str, bool)> = read
            .indicators
            .iter()
            .map(|i| (i.name.as_str(), i.unit.as_str(), i.higher_is_better))
            .collect();
        assert_eq!(
            names,
            [
                ("规上工业增加值增速", "%", true),
                ("新增四上企业", "家", true),
                ("单位GDP能耗下降", "%", true)
            ]
        );
        assert!(
            lower_is_better("单位GDP能耗")
                && lower_is_better("城镇调查失业率")
                && !lower_is_better("能耗下降率")
        );
        let june = Period::month(2025, 6).unwrap();
        let rows: Vec<(&str, Option<String>, Option<String>)> = read
            .rows
            .iter()
            .map(|(_, v)| {
                (
                    v.region.as_str(),
                    v.value.map(|d| d.to_string()),
                    v.target.map(|d| d.to_string()),
                )
            })
            .collect();
        assert_eq!(
            rows[0],
            ("示范市", Some("6.8".into()), Some("7.0".into())),
            "全市 is the city's own row"
        );
        assert_eq!(rows[1], ("甲县", Some("6.5".into()), Some("7".into())));
        assert_eq!(rows[2], ("乙县", Some("8.1".into()), None));
        assert_eq!(rows[3], ("甲县", Some("1204".into()), Some("1000".into())));
        assert!(read.rows.iter().all(|(_, v)| v.period == june));
        assert_eq!(read.rows.len(), 5, "the footnote is skipped");
        assert_eq!(read.rows[1].0, "指标.xlsx 工作表“规上工业增加值增速”第5行");
    }

    #[test]
    fn bad_cells_are_named_and_nothing_is_returned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xlsx");
        write(
            &path,
            &[(
                "Sheet1",
                vec![
                    vec!["指标名称", "地区", "完成值"],
                    vec!["增速", "甲县", "六点五"],
                    vec!["增速", "乙县", "7"],
                ],
            )],
        );
        let err = read_indicators(&path, None, "示范市")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("工作表“Sheet1”第 2 行 C 列（完成值）"),
            "{err}"
        );
        assert!(err.contains("第 2 行") && err.contains("没有期间"), "{err}");
        let ok = read_indicators(&path, Period::month(2025, 6), "示范市");
        assert!(
            ok.unwrap_err().to_string().contains("六点五"),
            "the period given, the number is still wrong"
        );
    }
}
