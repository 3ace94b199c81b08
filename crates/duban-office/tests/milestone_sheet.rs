//! The milestone sheet (节点计划) read beside the ledger sheet: below a title, past the first
//! rows, with blank rows, a bad date and a code the ledger does not have; and the same sheet
//! with its rows written out of order, which is read the same.

#[path = "support/forge.rs"]
mod forge;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use duban_office::{ReadLedger, ReadOptions, read_ledger};
use forge::{Cell, sheet, workbook};

fn day(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

/// Cells with owned addresses and texts, as the forge takes them.
type Cells = Vec<(String, String)>;

fn ledger_sheet() -> Cells {
    let mut c = Vec::new();
    for (row, values) in [
        ["项目编号", "项目名称", "责任单位"],
        ["XM1", "白水县新型建材产业园项目", "白水县"],
        ["XM2", "城区污水处理厂提标改造工程", "市住建局"],
        ["XM3", "东环路改造工程", "市交通局"],
    ]
    .iter()
    .enumerate()
    {
        for (col, v) in values.iter().enumerate() {
            c.push((
                format!("{}{}", ["A", "B", "C"][col], row + 1),
                v.to_string(),
            ));
        }
    }
    c
}

/// The milestone sheet's rows from row 1, its columns in an order of its own (序号, 项目编号,
/// 节点名称, 项目名称, 实际完成时间, 计划完成时间): a title, a blank row, the header, then
/// XM1's two milestones, XM2's first with a month for a date and a second with an impossible
/// one, a blank row, 40 more of XM2's, and one of XM9, which the ledger does not have.
fn milestone_rows() -> Vec<Vec<&'static str>> {
    let mut rows: Vec<Vec<&str>> = vec![
        vec!["2026年重点项目节点计划"],
        vec![],
        vec![
            "序号",
            "项目编号",
            "节点名称",
            "项目名称",
            "实际完成时间",
            "计划完成时间",
        ],
        vec![
            "1",
            "XM1",
            "开工",
            "白水县新型建材产业园项目",
            "2026-03-28",
            "2026-03-31",
        ],
        vec![
            "2",
            "XM1",
            "竣工",
            "白水县新型建材产业园项目",
            "",
            "2026-11-30",
        ],
        vec![
            "1",
            "XM2",
            "方案批复",
            "城区污水处理厂提标改造工程",
            "",
            "2026年5月",
        ],
        vec![
            "2",
            "XM2",
            "设备招标",
            "城区污水处理厂提标改造工程",
            "",
            "2026-13-45",
        ],
        vec![],
    ];
    for _ in 0..40 {
        rows.push(vec![
            "",
            "XM2",
            "调试",
            "城区污水处理厂提标改造工程",
            "",
            "2026-12-20",
        ]);
    }
    rows.push(vec!["1", "XM9", "开工", "不存在的项目", "", "2026-06-30"]);
    rows
}

/// The milestone sheet's cells, its rows in `order` (row numbers from 1).
fn milestone_sheet(order: &[usize]) -> Cells {
    let rows = milestone_rows();
    let mut c = Vec::new();
    for &r in order {
        for (col, v) in rows[r - 1].iter().enumerate() {
            if !v.is_empty() {
                c.push((
                    format!("{}{r}", ["A", "B", "C", "D", "E", "F"][col]),
                    v.to_string(),
                ));
            }
        }
    }
    c
}

fn write(dir: &Path, name: &str, milestones: Cells) -> PathBuf {
    let part = |cells: &Cells| {
        let cells: Vec<(&str, Cell)> = cells
            .iter()
            .map(|(a, v)| (a.as_str(), Cell::Text(v)))
            .collect();
        sheet(None, &cells, &[])
    };
    let bytes = workbook(
        vec![
            ("台账", part(&ledger_sheet())),
            ("节点计划", part(&milestones)),
        ],
        Vec::new(),
    );
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn read(path: &Path) -> ReadLedger {
    let opts = ReadOptions {
        fallback_year: 2026,
        ..Default::default()
    };
    read_ledger(path, &opts, &mut |_, _| {}).unwrap()
}

/// A milestone as (name, planned, actual).
type Plain = (String, Option<NaiveDate>, Option<NaiveDate>);

/// Each item's code and chain.
fn chains(l: &ReadLedger) -> Vec<(String, Option<Vec<Plain>>)> {
    l.rows
        .iter()
        .map(|r| {
            (
                r.item.code.clone(),
                r.milestones.as_ref().map(|ms| {
                    ms.iter()
                        .map(|m| (m.name.clone(), m.planned, m.actual))
                        .collect()
                }),
            )
        })
        .collect()
}

#[test]
fn the_milestone_sheet_is_read_past_its_title_with_every_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let rows = milestone_rows().len();
    let in_order: Vec<usize> = (1..=rows).collect();
    let ledger = read(&write(
        dir.path(),
        "in-order.xlsx",
        milestone_sheet(&in_order),
    ));

    let chains = chains(&ledger);
    assert_eq!(chains.len(), 3);
    let (code, xm1) = &chains[0];
    assert_eq!(code, "XM1");
    assert_eq!(
        xm1.as_deref().unwrap(),
        [
            ("开工".to_string(), day("2026-03-31"), day("2026-03-28")),
            ("竣工".to_string(), day("2026-11-30"), None),
        ]
    );
    let xm2 = chains[1].1.as_deref().unwrap();
    // 2 + 40 rows; a month is its last day; the impossible date is left empty.
    assert_eq!(xm2.len(), 42);
    assert_eq!(xm2[0], ("方案批复".to_string(), day("2026-05-31"), None));
    assert_eq!(xm2[1], ("设备招标".to_string(), None, None));
    assert!(
        xm2[2..]
            .iter()
            .all(|m| m.0 == "调试" && m.1 == day("2026-12-20"))
    );
    assert_eq!(
        chains[2],
        ("XM3".to_string(), Some(Vec::new())),
        "no milestones: none"
    );

    // The bad date (row 7, column F) and the unknown code (the last row, column B).
    let errors: Vec<(String, u32, String, String)> = ledger
        .errors
        .iter()
        .map(|e| (e.sheet.clone(), e.row, e.column.clone(), e.field.clone()))
        .collect();
    assert_eq!(
        errors,
        [
            ("节点计划".into(), 7, "F".into(), "计划完成时间".into()),
            (
                "节点计划".into(),
                rows as u32,
                "B".into(),
                "项目编号".into()
            ),
        ]
    );
    assert!(
        ledger.errors[1].message.contains("XM9"),
        "{}",
        ledger.errors[1].message
    );

    // The same sheet with its rows written last to first: read the same.
    let reversed: Vec<usize> = (1..=rows).rev().collect();
    let again = read(&write(
        dir.path(),
        "reversed.xlsx",
        milestone_sheet(&reversed),
    ));
    assert_eq!(self::chains(&again), chains);
    assert_eq!(again.errors, ledger.errors);
}
