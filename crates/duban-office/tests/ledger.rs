//! Reading real-shaped ledgers and writing them back.

mod support;

use std::path::Path;

use duban_core::{ItemKind, Leader, MoneyUnit, Nature, PlanDate, Stage, Wan};
use duban_demo::{Scale, generate};
use duban_office::{
    CellError, ExportOptions, LedgerError, ReadLedger, ReadOptions, read_ledger, write_ledger,
};

fn read(path: &Path) -> Result<ReadLedger, LedgerError> {
    let opts = ReadOptions {
        fallback_year: 2030,
        ..Default::default()
    };
    read_ledger(path, &opts, &mut |_, _| {})
}

/// (Excel row, item name) of every row read.
fn row_names(l: &ReadLedger) -> Vec<(u32, &str)> {
    l.rows
        .iter()
        .map(|r| (r.row, r.item.name.as_str()))
        .collect()
}

/// (Excel row, why) of every row skipped.
fn skipped_reasons(l: &ReadLedger) -> Vec<(u32, &'static str)> {
    l.skipped.iter().map(|s| (s.row, s.reason)).collect()
}

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

#[test]
fn wan_ledger_with_merged_two_row_header_sections_and_subtotals() {
    let dir = tempfile::tempdir().unwrap();
    let l = read(&support::wan_ledger(dir.path())).unwrap();
    assert!(l.errors.is_empty(), "{:#?}", l.errors);
    assert_eq!(l.sheet, "重点项目");
    assert_eq!(l.header_rows, (3, 4));
    assert_eq!(l.money_unit, "万元");
    let names = row_names(&l);
    assert_eq!(
        names,
        vec![
            (6, "白水县新型建材产业园项目"),
            (7, "白水县城区污水处理厂提标改造工程"),
            (8, "白水县人民医院新院区建设项目"),
            (11, "云台县农村公路提质改造工程"),
            (12, "云台县光伏储能一体化项目"),
        ]
    );
    let reasons = skipped_reasons(&l);
    assert_eq!(
        reasons,
        vec![
            (5, "分组行"),
            (9, "小计行"),
            (10, "分组行"),
            (13, "小计行"),
            (14, "小计行"),
            (16, "注释行"),
            (17, "注释行")
        ]
    );

    let a = &l.rows[0].item;
    assert_eq!(a.code, "XM2025001");
    assert_eq!((a.year, a.kind), (2025, ItemKind::Project));
    assert_eq!(a.owner.as_deref(), Some("白水建材有限公司"));
    assert_eq!(a.nature, Some(Nature::New));
    assert_eq!(a.total_investment, Some(wan("52000")));
    assert_eq!(a.annual_plan, Some(wan("18000.5")));
    assert_eq!(
        a.planned_start,
        Some(PlanDate::parse("2025-03-15").unwrap())
    );
    assert_eq!(
        a.planned_end,
        Some(PlanDate::Month {
            year: 2026,
            month: 10
        })
    );
    assert_eq!(a.lead_unit, "白水县");
    assert_eq!(a.co_units, vec!["市发改委", "市工信局"]);
    assert_eq!(a.region.as_deref(), Some("白水县"));
    assert_eq!(a.leader, Some(Leader::new("王某", Some("副市长"))));
    assert_eq!(a.stage, Some(Stage::UnderConstruction));
    assert_eq!(a.in_statistics, Some(true));
    assert_eq!(
        a.extra.get("资金来源").map(String::as_str),
        Some("企业自筹")
    );

    let b = &l.rows[1].item;
    assert_eq!(b.total_investment, Some(wan("12345.67")));
    assert_eq!(b.annual_plan, Some(wan("6000")));
    assert_eq!(
        b.planned_start,
        Some(PlanDate::Month {
            year: 2025,
            month: 4
        })
    );
    assert_eq!(
        b.planned_end,
        Some(PlanDate::Month {
            year: 2025,
            month: 12
        })
    );
    assert_eq!(b.nature, Some(Nature::Renovation));
    assert_eq!(b.stage, Some(Stage::ToStart));
    assert_eq!(b.in_statistics, Some(false));
    assert_eq!(b.leader, Some(Leader::new("李某", Some("副市长"))));

    let c = &l.rows[2].item;
    assert_eq!(
        c.planned_start,
        Some(PlanDate::Month {
            year: 2024,
            month: 3
        }),
        "2024.3 typed as a number"
    );
    assert_eq!(c.planned_end, Some(PlanDate::parse("2025-12-31").unwrap()));

    let d = &l.rows[3].item;
    assert_eq!(d.code, "", "no code: the store assigns one");
    assert_eq!(
        (d.lead_unit.as_str(), d.region.as_deref()),
        ("云台县", Some("云台县"))
    );
    assert_eq!(d.co_units, vec!["市交通运输局"]);
    assert_eq!(d.total_investment, Some(wan("3600")));
    assert_eq!(
        d.planned_start,
        Some(PlanDate::Month {
            year: 2025,
            month: 5
        })
    );
    assert_eq!(l.rows[4].item.stage, Some(Stage::Preparation));
}

#[test]
fn yi_ledger_converts_exactly_and_reads_other_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let l = read(&support::yi_ledger(dir.path())).unwrap();
    assert!(l.errors.is_empty(), "{:#?}", l.errors);
    assert_eq!(l.money_unit, "亿元");
    assert_eq!(l.rows.len(), 2);
    let a = &l.rows[0].item;
    assert_eq!(
        a.kind,
        ItemKind::Livelihood,
        "the kind comes from the title"
    );
    assert_eq!(a.total_investment, Some(wan("12500")));
    assert_eq!(a.annual_plan, Some(wan("3000")));
    assert_eq!(a.lead_unit, "市教育局");
    assert_eq!(a.co_units, vec!["市财政局", "市自然资源和规划局"]);
    assert_eq!(a.leader, Some(Leader::new("李某", Some("副市长"))));
    assert_eq!(
        a.planned_start,
        Some(PlanDate::parse("2025-04-01").unwrap())
    );
    assert_eq!(
        a.planned_end,
        Some(PlanDate::Month {
            year: 2025,
            month: 12
        })
    );
    assert_eq!(a.notes.as_deref(), Some("新增学位1080个"));
    let b = &l.rows[1].item;
    assert_eq!(b.total_investment, Some(wan("875")));
    assert_eq!(
        b.annual_plan,
        Some(wan("875")),
        "0.0875 亿元 as a float is exactly 875 万元"
    );
}

fn only_error(l: &ReadLedger) -> &CellError {
    assert_eq!(l.errors.len(), 1, "{:#?}", l.errors);
    &l.errors[0]
}

#[test]
fn bad_cells_are_named_by_sheet_row_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let headers = [
        "项目编号",
        "项目名称",
        "责任单位",
        "总投资（万元）",
        "年度计划投资（万元）",
        "开工时间",
    ];
    let p = support::simple_ledger(
        dir.path(),
        "date.xlsx",
        &headers,
        &[
            &["A1", "甲项目", "甲县", "100", "50", "2025-03"],
            &["A2", "乙项目", "甲县", "100", "50", "明年春天"],
        ],
    );
    let l = read(&p).unwrap();
    let e = only_error(&l);
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str(), e.field.as_str()),
        ("Sheet1", 4, "F", "开工时间")
    );
    assert!(
        e.message.contains("2025年3月"),
        "says what would be valid: {}",
        e.message
    );
    assert!(
        e.to_string()
            .starts_with("工作表“Sheet1”第 4 行 F 列（开工时间）"),
        "{e}"
    );
    assert_eq!(l.rows.len(), 1);

    let p = support::simple_ledger(
        dir.path(),
        "neg.xlsx",
        &headers,
        &[&["A1", "甲项目", "甲县", "-100", "", ""]],
    );
    let e = only_error(&read(&p).unwrap()).clone();
    assert_eq!((e.row, e.column.as_str()), (3, "D"));
    assert!(e.message.contains("负数"), "{}", e.message);

    let p = support::simple_ledger(
        dir.path(),
        "dup.xlsx",
        &headers,
        &[
            &["A1", "甲项目", "甲县", "", "", ""],
            &["A1", "乙项目", "甲县", "", "", ""],
        ],
    );
    let e = only_error(&read(&p).unwrap()).clone();
    assert_eq!((e.row, e.column.as_str()), (4, "A"));
    assert!(e.message.contains("第 3 行重复"), "{}", e.message);

    let p = support::simple_ledger(
        dir.path(),
        "over.xlsx",
        &headers,
        &[&["A1", "甲项目", "甲县", "100", "150", ""]],
    );
    let e = only_error(&read(&p).unwrap()).clone();
    assert_eq!(
        (e.row, e.column.as_str(), e.field.as_str()),
        (3, "E", "年度计划投资（万元）")
    );
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    // A required column missing: no unit at all.
    let p = support::simple_ledger(
        dir.path(),
        "nounit.xlsx",
        &["项目名称", "总投资"],
        &[&["甲项目", "100"]],
    );
    let e = read(&p).unwrap_err();
    assert!(
        matches!(e, LedgerError::MissingColumn { ref field, header_row: 2, .. } if field.contains("责任单位")),
        "{e}"
    );
    assert!(e.to_string().contains("牵头单位、责任单位"), "{e}");
    // No header at all.
    let p = support::simple_ledger(dir.path(), "noheader.xlsx", &["甲", "乙"], &[&["1", "2"]]);
    assert!(matches!(
        read(&p).unwrap_err(),
        LedgerError::NoHeader { .. }
    ));
    // Not an xlsx.
    let csv = dir.path().join("ledger.xlsx");
    std::fs::write(&csv, "项目名称,责任单位\n甲项目,甲县\n").unwrap();
    let e = read(&csv).unwrap_err();
    assert!(matches!(e, LedgerError::NotXlsx { .. }), "{e}");
    assert!(e.to_string().contains("另存为"), "{e}");
    // A truncated xlsx.
    let good = support::wan_ledger(dir.path());
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = read(&cut).unwrap_err();
    assert!(matches!(e, LedgerError::Unreadable { .. }), "{e}");
    assert!(e.to_string().contains("损坏或不完整"), "{e}");
    // A sheet that does not exist.
    let opts = ReadOptions {
        sheet: Some("台账2".into()),
        fallback_year: 2025,
        ..Default::default()
    };
    let e = read_ledger(&good, &opts, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("现有：重点项目"), "{e}");
    assert!(matches!(
        read(&dir.path().join("nope.xlsx")).unwrap_err(),
        LedgerError::NotFound(_)
    ));
}

#[test]
fn export_then_import_gives_back_the_same_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let demo = generate(Scale::City, 11, 2025);
    let mut items: Vec<_> = demo.items.iter().map(|(i, _)| i.clone()).collect();
    items[0].extra.insert("资金来源".into(), "专项债".into());
    items[1].notes = Some("含“引号”、顿号，和\n换行".into());
    let milestones: Vec<_> = demo
        .items
        .iter()
        .map(|(i, m)| (i.code.clone(), m.clone()))
        .collect();
    let path = dir.path().join("export.xlsx");
    let opts = ExportOptions {
        title: "2025年示范市重点项目台账".into(),
        exported_on: "2025-07-01".into(),
    };
    write_ledger(&path, &items, &milestones, &opts).unwrap();
    let l = read(&path).unwrap();
    assert!(
        l.errors.is_empty(),
        "{:#?}",
        &l.errors[..l.errors.len().min(5)]
    );
    assert_eq!(l.rows.len(), items.len());
    for (row, (item, (_, ms))) in l.rows.iter().zip(items.iter().zip(&milestones)) {
        assert_eq!(&row.item, item, "row {}", row.row);
        assert_eq!(
            row.milestones.as_ref(),
            Some(ms),
            "milestones of {}",
            item.code
        );
    }
}

/// The ledger as officials print it: the status columns last; read back, the computed ones
/// (灯, 序时进度, 累计完成, 完成率) are not taken for ledger columns, what was reported in
/// words is kept as an extra column.
#[test]
fn status_columns_are_written_last_and_not_read_back_as_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let demo = generate(Scale::City, 11, 2025);
    let items: Vec<_> = demo.items.iter().take(3).map(|(i, _)| i.clone()).collect();
    let cells = duban_office::StatusCells {
        lamp: "红".into(),
        time_progress: "88.9%".into(),
        done: Some(Wan::parse("600", MoneyUnit::Wan).unwrap()),
        completion: "50.0%".into(),
        progress: "主体结构完工".into(),
        problems: "用地手续未办结".into(),
    };
    let status = vec![cells.clone(), Default::default(), Default::default()];
    let path = dir.path().join("export.xlsx");
    let opts = ExportOptions {
        title: "2025年示范市重点项目台账".into(),
        exported_on: "2025-11-20".into(),
    };
    duban_office::write_ledger_with_status(&path, &items, Some(&status), &[], &opts).unwrap();
    let l = read(&path).unwrap();
    assert!(l.errors.is_empty(), "{:#?}", l.errors);
    assert_eq!(l.rows.len(), 3);
    let first = &l.rows[0].item;
    let extra: Vec<&str> = first.extra.keys().map(String::as_str).collect();
    assert_eq!(extra, ["存在问题", "形象进度"], "only the words reported");
    assert_eq!(first.extra["形象进度"], "主体结构完工");
    let mut back = first.clone();
    back.extra.clear();
    assert_eq!(back, items[0], "the ledger itself unchanged");
}

#[test]
fn awkward_shapes_of_real_ledgers() {
    let dir = tempfile::tempdir().unwrap();
    let l = read(&support::tricky_ledger(dir.path())).unwrap();
    assert!(l.errors.is_empty(), "{:#?}", l.errors);
    assert_eq!(l.money_unit, "万元", "the unit note, not 亿元 in the title");
    assert_eq!(
        l.title.as_deref(),
        Some("2025年全市亿元以上重点项目台账（单位：万元）")
    );
    assert!(l.year_source.contains("2025"), "{}", l.year_source);
    let names = row_names(&l);
    assert_eq!(
        names,
        vec![
            (4, "第二污水处理厂提标改造工程"),
            (5, "城区公共卫生服务中心")
        ]
    );
    let reasons = skipped_reasons(&l);
    assert_eq!(reasons, vec![(3, "分组行"), (6, "小计行")]);

    let a = &l.rows[0].item;
    assert_eq!(a.total_investment, Some(wan("10000")));
    assert_eq!(
        a.region.as_deref(),
        Some("城区"),
        "the section row gave the region"
    );
    assert_eq!(
        a.lead_unit, "城区",
        "padding inside a name is not a separator"
    );
    assert_eq!(a.leader, Some(Leader::new("王伟", Some("副市长"))));
    assert_eq!(
        a.category.as_deref(),
        Some("基础设施类"),
        "a 类型 column of categories"
    );
    assert_eq!(a.kind, ItemKind::Project);
    assert_eq!(a.scale.as_deref(), Some("日处理污水5万吨"));
    assert_eq!(a.extra.get("资金来源").map(String::as_str), Some("专项债"));
    assert_eq!(
        a.extra.get("资金来源（2）").map(String::as_str),
        Some("中央预算内")
    );
    assert_eq!(a.extra.get("K列").map(String::as_str), Some("已完成招标"));
    let b = &l.rows[1].item;
    assert_eq!(b.co_units, vec!["各县（市、区）人民政府"]);
}

#[test]
fn date_spans_and_ambiguous_numbers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let headers = ["项目名称", "责任单位", "开工时间"];
    let p = support::simple_ledger(
        dir.path(),
        "span.xlsx",
        &headers,
        &[&["甲项目", "甲县", "2025年3-6月"]],
    );
    let e = only_error(&read(&p).unwrap()).clone();
    assert!(e.message.contains("时间段"), "{}", e.message);
}
