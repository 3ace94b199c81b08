//! Rates, rankings, indicators and the issued bulletin, every test on SQLite and PostgreSQL.

use chrono::NaiveDate;
use duban_core::indicator::{Indicator, IndicatorValue};
use duban_core::rates::{Rate, Ratio};
use duban_core::{
    Item, ItemKind, MoneyUnit, Period, PlanDate, ReportDraft, Stage, Thresholds, Unit, UnitKind,
    Wan,
};
use duban_store::testing::TestDb;
use duban_store::{Grouping, ImportOptions, IndicatorRow, LedgerEntry, Submission};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn june() -> Period {
    Period::month(2025, 6).unwrap()
}

/// 示范市 with 甲县, 乙县 and 丙县 (no items); two whole-year projects in 甲县, one in 乙县.
async fn city(db: &TestDb) -> duban_store::Store {
    let store = db.open().await;
    let mut units = vec![Unit::new("示范市", UnitKind::Region)];
    for r in ["甲县", "乙县", "丙县"] {
        let mut u = Unit::new(r, UnitKind::Region);
        u.parent = Some("示范市".into());
        units.push(u);
    }
    store.ensure_units("office", &units).await.unwrap();
    let mut entries = Vec::new();
    for (code, region, annual) in [
        ("XM1", "甲县", "1000"),
        ("XM2", "甲县", "1000"),
        ("XM3", "乙县", "2000"),
    ] {
        let mut item = Item::new(
            2025,
            ItemKind::Project,
            format!("{region}{code}项目"),
            region,
        );
        item.code = code.into();
        item.region = Some(region.into());
        item.stage = Some(Stage::UnderConstruction);
        item.planned_start = PlanDate::month(2024, 3);
        item.planned_end = PlanDate::month(2026, 6);
        item.total_investment = Some(wan("9000"));
        item.annual_plan = Some(wan(annual));
        entries.push(LedgerEntry::whole(item, Some(Vec::new())));
    }
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(entries, &options).await.unwrap();
    for (code, unit, ytd, on) in [
        ("XM1", "甲县", "400", "2025-07-03"),
        ("XM2", "甲县", "364", "2025-07-09"),
        ("XM3", "乙县", "700", "2025-07-01"),
    ] {
        let s = Submission {
            code: code.into(),
            period: june(),
            report: ReportDraft {
                ytd: Some(wan(ytd)),
                ..Default::default()
            },
            reason: None,
            submitted_on: d(on),
        };
        store.submit_report(unit, s).await.unwrap();
    }
    store
}

async fn rates_count_every_region_and_keep_no_data_apart(db: &TestDb) {
    let store = city(db).await;
    let review = store
        .review(june(), 1, d("2025-07-10"), &Thresholds::default())
        .await
        .unwrap();
    let board = &review.boards(Grouping::Region)[0];
    let names: Vec<&str> = board.units.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(
        names,
        ["甲县", "乙县", "丙县"],
        "the city itself is not ranked; 丙县 has no items"
    );
    let of = |u: &str| &board.units.iter().find(|(n, _)| n == u).unwrap().1;
    assert_eq!(of("甲县").ratio(Rate::Investment), Ratio::new(764, 2000));
    assert_eq!(
        of("甲县").ratio(Rate::Investment).shown(),
        Some("38.2".parse().unwrap())
    );
    assert_eq!(
        of("乙县").ratio(Rate::Investment).shown(),
        Some("35.0".parse().unwrap())
    );
    assert_eq!(
        of("甲县").ratio(Rate::OnTime),
        Ratio::new(1, 2),
        "XM2 was late (due 5 July)"
    );
    assert_eq!(
        of("丙县").ratio(Rate::Investment).percent(),
        None,
        "no data, not 0%"
    );
    assert_eq!(
        board.overall.ratio(Rate::Investment),
        Ratio::new(1464, 4000)
    );
    // May had no reports: 0% of the plan, with its own board.
    let may = &review.boards(Grouping::Region)[1];
    assert_eq!(may.period, Period::month(2025, 5).unwrap());
    assert_eq!(may.units[0].1.ratio(Rate::Investment), Ratio::new(0, 2000));
    assert_eq!(
        may.units[0].1.ratio(Rate::OnTime),
        Ratio::new(0, 2),
        "May's reports are missing"
    );
}

async fn an_issued_bulletin_does_not_change_with_the_data(db: &TestDb) {
    let store = city(db).await;
    let th = Thresholds::default();
    store
        .set_bulletin_requirements("office", june(), "一要抓开工。\n二要抓投资。")
        .await
        .unwrap();
    let draft = store
        .draft_bulletin(june(), d("2025-07-10"), &th)
        .await
        .unwrap();
    let text = duban_app::bulletin::markdown(&draft);
    assert!(
        text.contains("投资完成率低于全市平均水平（36.6%）的有：乙县（35.0%）。"),
        "{text}"
    );
    assert!(text.contains("丙县本期无可计算投资完成率的项目"), "{text}");
    assert_eq!(draft.requirements(), "一要抓开工。\n二要抓投资。");
    let issued = store
        .issue_bulletin("office", june(), draft.clone())
        .await
        .unwrap();
    assert_eq!(issued.bulletin.number.as_deref(), Some("2025年第1期"));
    assert!(
        store
            .issue_bulletin("office", june(), draft.clone())
            .await
            .unwrap_err()
            .to_string()
            .contains("已印发")
    );
    // The data change: 乙县 reports a correction. The issued bulletin stays as it was.
    let s = Submission {
        code: "XM3".into(),
        period: june(),
        report: ReportDraft {
            ytd: Some(wan("1900")),
            ..Default::default()
        },
        reason: Some("更正".into()),
        submitted_on: d("2025-07-12"),
    };
    store.submit_report("乙县", s).await.unwrap();
    let again = store.bulletin(june(), d("2025-08-01"), &th).await.unwrap();
    assert_eq!(
        duban_app::bulletin::markdown(&again),
        duban_app::bulletin::markdown(&issued.bulletin)
    );
    let fresh = store
        .draft_bulletin(june(), d("2025-08-01"), &th)
        .await
        .unwrap();
    assert_ne!(
        duban_app::bulletin::markdown(&fresh),
        duban_app::bulletin::markdown(&again),
        "a new draft sees the correction"
    );
    assert_eq!(store.issued_bulletins().await.unwrap().len(), 1);
}

async fn indicators_import_all_or_nothing(db: &TestDb) {
    let store = city(db).await;
    let growth = Indicator {
        name: "规上工业增加值增速".into(),
        unit: "%".into(),
        higher_is_better: true,
    };
    let row = |region: &str, value: &str, target: &str| IndicatorRow {
        source: format!("指标.xlsx 第{}行", region.len()),
        value: IndicatorValue {
            indicator: growth.name.clone(),
            region: region.into(),
            period: june(),
            value: Some(value.parse().unwrap()),
            target: Some(target.parse().unwrap()),
        },
    };
    let bad = store
        .import_indicators(
            "office",
            std::slice::from_ref(&growth),
            &[row("甲县", "6.0", "6.5"), row("戊县", "7", "7")],
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("戊县") && bad.contains("不在单位名录中"),
        "{bad}"
    );
    assert!(
        store.indicators().await.unwrap().is_empty(),
        "nothing written"
    );
    let twice = store
        .import_indicators(
            "office",
            std::slice::from_ref(&growth),
            &[row("甲县", "6.0", "6.5"), row("甲县", "6.1", "6.5")],
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(twice.contains("重复"), "{twice}");
    let checked = store
        .import_indicators_checked(
            "office",
            std::slice::from_ref(&growth),
            &[row("甲县", "6.0", "6.5")],
            true,
        )
        .await
        .unwrap();
    assert_eq!(checked.values, 1, "a dry run says what it would write");
    assert!(
        store.indicators().await.unwrap().is_empty(),
        "and writes nothing"
    );
    let done = store
        .import_indicators(
            "office",
            std::slice::from_ref(&growth),
            &[row("甲县", "6.0", "6.5"), row("乙县", "8.0", "7.0")],
        )
        .await
        .unwrap();
    assert_eq!((done.new_indicators.len(), done.values), (1, 2));
    let c = store.indicator_comparisons(june(), "示范市").await.unwrap();
    assert_eq!(c[0].basis, "平均");
    assert_eq!(c[0].regions[0].region, "乙县");
    assert_eq!(c[0].regions.len(), 3, "丙县 listed without a figure");
    let b = store
        .draft_bulletin(june(), d("2025-07-10"), &Thresholds::default())
        .await
        .unwrap();
    assert!(duban_app::bulletin::markdown(&b).contains("规上工业增加值增速：各地区平均7.0%。未完成目标的有：甲县（6.0%，目标6.5%）；低于全市平均水平的有：甲县（6.0%）。"), "{}", duban_app::bulletin::markdown(&b));
}

/// An item led by a department counts for the region it is in and for the department.
async fn an_item_counts_where_it_is_and_for_who_leads_it(db: &TestDb) {
    let store = city(db).await;
    store
        .ensure_units("office", &[Unit::new("市财政局", UnitKind::Department)])
        .await
        .unwrap();
    let mut item = Item::new(2025, ItemKind::Project, "丙县财政支持项目", "市财政局");
    item.code = "XM4".into();
    item.region = Some("丙县".into());
    item.stage = Some(Stage::UnderConstruction);
    item.planned_start = PlanDate::month(2024, 3);
    item.annual_plan = Some(wan("500"));
    item.total_investment = Some(wan("900"));
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store
        .import_ledger(vec![LedgerEntry::whole(item, Some(Vec::new()))], &options)
        .await
        .unwrap();
    let s = Submission {
        code: "XM4".into(),
        period: june(),
        report: ReportDraft {
            ytd: Some(wan("100")),
            ..Default::default()
        },
        reason: None,
        submitted_on: d("2025-07-02"),
    };
    store.submit_report("市财政局", s).await.unwrap();
    let review = store
        .review(june(), 0, d("2025-07-10"), &Thresholds::default())
        .await
        .unwrap();
    let of = |g: Grouping, u: &str| {
        review.boards(g)[0]
            .units
            .iter()
            .find(|(n, _)| n == u)
            .unwrap()
            .1
            .ratio(Rate::Investment)
    };
    assert_eq!(
        of(Grouping::Region, "丙县"),
        Ratio::new(100, 500),
        "where it is"
    );
    assert_eq!(
        of(Grouping::Department, "市财政局"),
        Ratio::new(100, 500),
        "who leads it"
    );
    assert_eq!(
        of(Grouping::Region, "甲县"),
        Ratio::new(764, 2000),
        "the others unchanged"
    );
}

/// Movement is counted from the ranks the last bulletin published, not from May recomputed
/// after a late correction.
async fn movement_counts_from_the_published_ranks(db: &TestDb) {
    let store = city(db).await;
    let th = Thresholds::default();
    let may = Period::month(2025, 5).unwrap();
    // May as published: nobody had reported, 甲县 and 乙县 tie for first.
    store
        .issue_current("office", may, d("2025-06-10"), &th)
        .await
        .unwrap();
    // Then 乙县 reports May late: recomputed, May would have 乙县 first and 甲县 second.
    let s = Submission {
        code: "XM3".into(),
        period: may,
        report: ReportDraft {
            ytd: Some(wan("500")),
            ..Default::default()
        },
        reason: None,
        submitted_on: d("2025-06-20"),
    };
    store.submit_report("乙县", s).await.unwrap();
    let t = store
        .rank_table(june(), Grouping::Region, d("2025-07-10"), &th)
        .await
        .unwrap();
    let row = |u: &str| t.rows.iter().find(|r| r.unit == u).unwrap();
    assert_eq!(row("乙县").composite.rank, Some(1));
    assert_eq!(row("甲县").composite.rank, Some(2));
    assert_eq!(
        row("甲县").composite.previous,
        Some(1),
        "as May's bulletin published"
    );
    assert_eq!(row("甲县").movement, "↓1");
    assert_eq!(row("乙县").movement, "—");
    let b = store
        .draft_bulletin(june(), d("2025-07-10"), &th)
        .await
        .unwrap();
    assert!(b.ranks.contains(&("乙县".to_string(), Some(1))));
    let md = duban_app::bulletin::markdown(&b);
    assert!(
        md.contains("| 甲县 | 2 |") && md.contains(" | 2 | ↓1 |"),
        "{md}"
    );
}

/// A period still running (or not begun) is neither ranked nor bulletined: its reports are
/// not due, and a 约谈 list drawn from it would name every unit.
async fn a_period_not_over_is_not_ranked(db: &TestDb) {
    let store = city(db).await;
    let th = Thresholds::default();
    for today in ["2025-05-20", "2025-06-15", "2025-06-30"] {
        let e = store
            .rank_table(june(), Grouping::Region, d(today), &th)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("尚未结束"), "{today}: {e}");
        let e = store
            .draft_bulletin(june(), d(today), &th)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("不能排名或通报"), "{today}: {e}");
    }
    // The day after June it is ranked.
    assert!(
        store
            .rank_table(june(), Grouping::Region, d("2025-07-01"), &th)
            .await
            .is_ok()
    );
}

duban_store::both_backends!(
    a_period_not_over_is_not_ranked,
    an_item_counts_where_it_is_and_for_who_leads_it,
    movement_counts_from_the_published_ranks,
    rates_count_every_region_and_keep_no_data_apart,
    an_issued_bulletin_does_not_change_with_the_data,
    indicators_import_all_or_nothing
);
