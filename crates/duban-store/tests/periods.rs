//! Periods are history: an item counts from the period it was put on the ledger in, so a
//! period that is over keeps its figures when items are added later, and a new item is not
//! asked for the report of a period before it existed. And departments are ranked on the
//! items they lead and the problems assigned to them. Every test on SQLite and PostgreSQL.

use std::time::Duration;

use chrono::NaiveDate;
use duban_core::rates::{Rate, Ratio};
use duban_core::{
    Escalation, Flag, Item, ItemKind, Milestone, MoneyUnit, Move, Period, PlanDate,
    ProblemCategory, ReportDraft, Role, Stage, Thresholds, Wan,
};
use duban_store::testing::TestDb;
use duban_store::{Grouping, ImportOptions, LedgerEntry, NewProblem, Store, Submission};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn month(m: u32) -> Period {
    Period::month(2025, m).unwrap()
}

fn options() -> ImportOptions {
    ImportOptions {
        actor: "office".into(),
        dry_run: false,
    }
}

/// 示范市 with 甲县 and 乙县, and the departments 市发改委 and 市住建局.
async fn directory(db: &TestDb) -> Store {
    let store = db.open().await;
    let units = duban_store::testing::city_directory(&["市发改委", "市住建局"]);
    store.ensure_units("office", &units).await.unwrap();
    store
}

/// A whole-year project under construction with its annual plan (万元).
fn project(code: &str, lead: &str, region: &str, annual: &str) -> Item {
    let mut item = Item::new(2025, ItemKind::Project, format!("{region}{code}项目"), lead);
    item.code = code.into();
    item.region = Some(region.into());
    item.stage = Some(Stage::UnderConstruction);
    item.planned_start = PlanDate::month(2024, 3);
    item.total_investment = Some(wan("9000"));
    item.annual_plan = Some(wan(annual));
    item
}

fn task(code: &str, lead: &str, region: &str) -> Item {
    let mut item = Item::new(2025, ItemKind::Task, format!("{lead}{code}工作"), lead);
    item.code = code.into();
    item.region = Some(region.into());
    item
}

/// Another store on the database, with nothing kept to read: it reads and tallies anew.
async fn fresh_store(db: &TestDb) -> Store {
    let store = db.open().await;
    duban_store::testing::forget_kept(&store).await;
    store
}

fn listed(item: Item, on: &str) -> LedgerEntry {
    let mut e = LedgerEntry::whole(item, Some(Vec::new()));
    e.listed_on = Some(d(on));
    e
}

async fn report(
    store: &Store,
    unit: &str,
    code: &str,
    period: Period,
    ytd: Option<&str>,
    on: &str,
) {
    let s = Submission {
        code: code.into(),
        period,
        report: ReportDraft {
            ytd: ytd.map(wan),
            progress_text: ytd.is_none().then(|| "按计划推进".to_string()),
            ..Default::default()
        },
        reason: None,
        submitted_on: d(on),
    };
    store.submit_report(unit, s).await.unwrap();
}

/// September as the office saw it in October, and as it is seen after tasks and a project
/// (its plan dated back to March) were put on the ledger in November: the same figures.
async fn a_closed_period_keeps_its_figures_when_items_are_added_later(db: &TestDb) {
    let store = directory(db).await;
    let th = Thresholds::default();
    store
        .import_ledger(
            vec![
                listed(project("XM1", "甲县", "甲县", "1000"), "2024-12-20"),
                listed(project("XM2", "乙县", "乙县", "2000"), "2024-12-20"),
            ],
            &options(),
        )
        .await
        .unwrap();
    report(&store, "甲县", "XM1", month(9), Some("600"), "2025-10-03").await;
    report(&store, "乙县", "XM2", month(9), Some("1000"), "2025-10-08").await;
    let before = store
        .review(month(9), 0, d("2025-10-10"), &th)
        .await
        .unwrap();
    let overall = &before.by_region[0].overall;
    assert_eq!(overall.items, 2);
    assert_eq!(
        overall.ratio(Rate::OnTime),
        Ratio::new(1, 2),
        "XM2 was late"
    );
    assert_eq!(overall.ratio(Rate::Investment), Ratio::new(1600, 3000));
    let compliance = store.compliance(month(9), d("2025-10-10")).await.unwrap();

    // November: two tasks and a project whose plan starts in March are put on the ledger.
    let mut late = project("XM3", "甲县", "甲县", "500");
    late.planned_start = PlanDate::month(2025, 3);
    store
        .import_ledger(
            vec![
                listed(task("GZ1", "甲县", "甲县"), "2025-11-20"),
                listed(task("GZ2", "市发改委", "乙县"), "2025-11-20"),
                listed(late, "2025-11-20"),
            ],
            &options(),
        )
        .await
        .unwrap();
    let after = store
        .review(month(9), 1, d("2025-11-20"), &th)
        .await
        .unwrap();
    assert_eq!(
        after.by_region[0], before.by_region[0],
        "September by region"
    );
    assert_eq!(
        after.by_department[0], before.by_department[0],
        "September by department"
    );
    assert_eq!(after.by_region[1].overall.items, 2, "August too");
    assert_eq!(
        store.compliance(month(9), d("2025-11-20")).await.unwrap(),
        compliance,
        "September's 报送情况"
    );
    // November counts them: five items, none reported by 5 December.
    let nov = store
        .review(month(11), 0, d("2025-12-10"), &th)
        .await
        .unwrap();
    assert_eq!(nov.by_region[0].overall.items, 5);
    assert_eq!(
        nov.by_region[0].overall.ratio(Rate::OnTime),
        Ratio::new(0, 5)
    );
    assert_eq!(
        nov.by_region[0].overall.ratio(Rate::Investment),
        Ratio::new(1600, 3500),
        "XM3's plan counts from November; the year-to-date is September's"
    );
}

/// A task put on the ledger today is not "上一期进度未报送": the last period whose report is
/// due (October) was over before it existed. An older item without October's report is.
async fn a_new_item_is_not_asked_for_a_period_before_it_existed(db: &TestDb) {
    let store = directory(db).await;
    store
        .import_ledger(
            vec![
                listed(task("GZ1", "甲县", "甲县"), "2025-01-02"),
                // Put on the ledger on 3 November, before October's reports were due (5th).
                listed(task("GZ2", "甲县", "甲县"), "2025-11-03"),
                listed(task("GZ3", "甲县", "甲县"), "2025-11-20"),
            ],
            &options(),
        )
        .await
        .unwrap();
    let status = store
        .status(2025, None, d("2025-11-20"), &Thresholds::default())
        .await
        .unwrap();
    let flags = |code: &str| {
        let (_, s) = status.iter().find(|(i, _)| i.code == code).unwrap();
        (
            s.flags.contains(&Flag::NotReported),
            s.reasons.iter().any(|r| r.text == "上一期进度未报送"),
        )
    };
    assert_eq!(
        flags("GZ1"),
        (true, true),
        "listed in January, October missing"
    );
    assert_eq!(flags("GZ2"), (false, false), "listed in November");
    assert_eq!(flags("GZ3"), (false, false), "listed today");
    let october = store.compliance(month(10), d("2025-11-20")).await.unwrap();
    assert_eq!(october.len(), 1);
    assert_eq!((october[0].required, october[0].missing), (1, 1));
    assert_eq!(october[0].missing_items, ["GZ1"]);
}

async fn raise(store: &Store, code: &str, lead: &str, to: &str, due: &str, close: bool) {
    let p = store
        .raise_problem(
            "office",
            &Role::Office,
            NewProblem {
                code: code.into(),
                category: ProblemCategory::Approvals,
                escalation: Escalation::Department,
                description: format!("{code}的问题"),
                listed: false,
            },
        )
        .await
        .unwrap();
    let _ = lead;
    let assign = Move::Assign {
        unit: to.into(),
        due: d(due),
    };
    store
        .move_problem("office", &Role::Office, p.id, assign)
        .await
        .unwrap();
    if close {
        let unit = Role::Unit(to.into());
        store
            .move_problem("u", &unit, p.id, Move::Start)
            .await
            .unwrap();
        let ask = Move::RequestClosure {
            note: Some("已整改到位".into()),
        };
        store.move_problem("u", &unit, p.id, ask).await.unwrap();
        store
            .move_problem("office", &Role::Office, p.id, Move::Close)
            .await
            .unwrap();
    }
}

/// Departments are ranked on the items they lead and the problems assigned to them, with
/// figures computed by hand.
async fn departments_are_ranked_on_their_items_and_their_problems(db: &TestDb) {
    let store = directory(db).await;
    let mut gz1 = task("GZ1", "市发改委", "甲县");
    let ms = |name: &str, planned: &str, actual: Option<&str>| Milestone {
        name: name.into(),
        planned: Some(d(planned)),
        actual: actual.map(d),
        baseline: None,
    };
    let gz1_ms = vec![
        ms("制定方案", "2025-05-31", Some("2025-05-20")),
        ms("组织实施", "2025-08-31", None),
        ms("总结验收", "2025-12-31", None),
    ];
    gz1.planned_end = PlanDate::month(2025, 12);
    store
        .import_ledger(
            vec![
                LedgerEntry::whole(gz1, Some(gz1_ms)),
                LedgerEntry::whole(task("GZ2", "市发改委", "乙县"), Some(Vec::new())),
                LedgerEntry::whole(project("XM1", "市住建局", "乙县", "1000"), Some(Vec::new())),
                LedgerEntry::whole(project("XM2", "甲县", "甲县", "2000"), Some(Vec::new())),
            ],
            &options(),
        )
        .await
        .unwrap();
    report(&store, "市发改委", "GZ1", month(9), None, "2025-10-03").await;
    report(&store, "市发改委", "GZ2", month(9), None, "2025-10-08").await;
    report(
        &store,
        "市住建局",
        "XM1",
        month(9),
        Some("800"),
        "2025-10-02",
    )
    .await;
    report(&store, "甲县", "XM2", month(9), Some("1000"), "2025-10-04").await;
    // On 甲县's project, assigned to 市住建局 and closed: 市住建局's.
    raise(&store, "XM2", "甲县", "市住建局", "2025-09-15", true).await;
    // On 市发改委's task but handed to 甲县: 甲县's, not 市发改委's.
    raise(&store, "GZ1", "市发改委", "甲县", "2025-09-10", false).await;
    // On 市发改委's other task, assigned to it and overdue.
    raise(&store, "GZ2", "市发改委", "市发改委", "2025-09-20", false).await;

    let th = Thresholds::default();
    let review = store
        .review(month(9), 0, d("2025-10-10"), &th)
        .await
        .unwrap();
    let board = &review.by_department[0];
    let names: Vec<&str> = board.units.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(names, ["市发改委", "市住建局"]);
    let of = |u: &str| &board.units.iter().find(|(n, _)| n == u).unwrap().1;
    let fgw = of("市发改委");
    assert_eq!(fgw.items, 2);
    assert_eq!(fgw.ratio(Rate::OnTime), Ratio::new(1, 2), "GZ2 was late");
    assert_eq!(
        fgw.ratio(Rate::Milestone),
        Ratio::new(1, 2),
        "组织实施 overdue"
    );
    assert_eq!(
        fgw.ratio(Rate::ProblemClosure),
        Ratio::new(0, 1),
        "only GZ2's"
    );
    assert_eq!(
        fgw.ratio(Rate::Investment).percent(),
        None,
        "tasks have no money"
    );
    let zjj = of("市住建局");
    assert_eq!(zjj.items, 1);
    assert_eq!(zjj.ratio(Rate::Investment), Ratio::new(800, 1000));
    assert_eq!(zjj.ratio(Rate::OnTime), Ratio::new(1, 1));
    assert_eq!(
        zjj.ratio(Rate::ProblemClosure),
        Ratio::new(1, 1),
        "assigned to it"
    );

    let t = store
        .rank_table(month(9), Grouping::Department, d("2025-10-10"), &th)
        .await
        .unwrap();
    let row = |u: &str| t.rows.iter().find(|r| r.unit == u).unwrap();
    let points = |u: &str| row(u).composite.value.unwrap().round_dp(2);
    // 市住建局: (80×40 + 100×10 + 100×10) / 60 = 86.67; 市发改委: (50×10 + 50×10 + 0×10) / 30.
    assert_eq!(points("市住建局"), "86.67".parse().unwrap());
    assert_eq!(points("市发改委"), "33.33".parse().unwrap());
    assert_eq!(row("市住建局").composite.rank, Some(1));
    assert_eq!(row("市发改委").composite.rank, Some(2));
    let on_time = |u: &str| {
        let c = row(u)
            .rates
            .iter()
            .find(|c| c.rate == Rate::OnTime)
            .unwrap();
        (c.percent.map(|p| p.round_dp(1)), c.rank)
    };
    assert_eq!(
        on_time("市住建局"),
        (Some("100.0".parse().unwrap()), Some(1))
    );
    assert_eq!(
        on_time("市发改委"),
        (Some("50.0".parse().unwrap()), Some(2))
    );
}

/// The rankings, the bulletin and the assessment review a period from tallies kept between
/// reviews and refreshed for the items written since: after a report, a late correction, an
/// archived item, a new item, a milestone done, a project moved to another county and a
/// code changed, the review of the same store equals one read anew by another.
async fn a_kept_review_refreshed_after_writes_equals_one_read_anew(db: &TestDb) {
    let store = directory(db).await;
    let th = Thresholds::default();
    let today = d("2025-11-20");
    let mut with_plan = project("XM3", "市住建局", "乙县", "500");
    with_plan.kind = ItemKind::Investment;
    store
        .import_ledger(
            vec![
                listed(project("XM1", "甲县", "甲县", "1000"), "2024-12-20"),
                listed(project("XM2", "乙县", "乙县", "2000"), "2024-12-20"),
                LedgerEntry::whole(
                    with_plan,
                    Some(vec![
                        planned("签约", "2025-03-31"),
                        planned("开工", "2025-06-30"),
                    ]),
                ),
                listed(task("GZ1", "市发改委", "甲县"), "2024-12-20"),
            ],
            &options(),
        )
        .await
        .unwrap();
    report(&store, "甲县", "XM1", month(9), Some("600"), "2025-10-05").await;
    report(&store, "乙县", "XM2", month(9), Some("900"), "2025-10-20").await;
    let review = |s: &Store| {
        let (s, th) = (s.clone(), th.clone());
        async move { s.review(month(10), 2, today, &th).await.unwrap() }
    };
    let first = review(&store).await;
    assert_eq!(first.by_region[0].overall.items, 4);

    // Writes of every kind the tallies read.
    report(&store, "甲县", "XM1", month(10), Some("700"), "2025-11-03").await;
    report(&store, "甲县", "GZ1", month(10), None, "2025-11-15").await;
    let mut plan = store.milestones_of("XM3").await.unwrap();
    plan[0].actual = Some(d("2025-03-20"));
    store
        .set_milestones("office", "XM3", plan, duban_store::PlanAuthority::Office)
        .await
        .unwrap();
    store
        .archive_item("office", "XM2", duban_store::Archiving::Archive, "项目取消")
        .await
        .unwrap();
    let mut moved = project("XM1", "甲县", "乙县", "1200");
    moved.name = "甲县XM1项目".into();
    store
        .import_ledger(
            vec![
                listed(moved, "2024-12-20"),
                listed(project("XM4", "甲县", "甲县", "300"), "2025-10-10"),
            ],
            &options(),
        )
        .await
        .unwrap();
    let refreshed = review(&store).await;
    let anew = review(&fresh_store(db).await).await;
    assert_eq!(refreshed.by_region, anew.by_region);
    assert_eq!(refreshed.by_department, anew.by_department);
    assert_eq!(refreshed.red_items, anew.red_items);
    // XM2 archived, XM4 new (counted from October only): four in October, three in August.
    assert_eq!(refreshed.by_region[0].overall.items, 4);
    assert_eq!(refreshed.by_region[2].overall.items, 3);
    let yi = |r: &duban_store::Review| {
        r.by_region[0]
            .units
            .iter()
            .find(|(u, _)| u == "乙县")
            .map(|(_, t)| t.items)
    };
    // 乙县 now has XM1 (moved there) and XM3; XM2 is archived.
    assert_eq!(yi(&refreshed), Some(2));
    assert_ne!(first.by_region, refreshed.by_region);

    // A code changed (the same task, matched by its name): another item to whatever keeps
    // items by code, so everything is read again.
    let mut renamed = task("GZ1", "市发改委", "甲县");
    renamed.code = "GZ9".into();
    report(
        &store,
        "市住建局",
        "XM3",
        month(10),
        Some("100"),
        "2025-11-18",
    )
    .await;
    store
        .import_ledger(vec![listed(renamed, "2024-12-20")], &options())
        .await
        .unwrap();
    let refreshed = review(&store).await;
    let anew = review(&fresh_store(db).await).await;
    assert_eq!(refreshed.by_region, anew.by_region);
    assert_eq!(refreshed.by_region[0].overall.items, 4);

    // A quarter asked after the months is read with them; both are then served as read anew.
    let q3 = Period::quarter(2025, 3).unwrap();
    let quarter = store.review(q3, 0, today, &th).await.unwrap();
    let fresh = fresh_store(db).await;
    assert_eq!(
        quarter.by_region,
        fresh.review(q3, 0, today, &th).await.unwrap().by_region
    );
    assert_eq!(quarter.by_region[0].overall.items, 3, "XM4 came in October");
    assert_eq!(
        review(&store).await.by_region,
        review(&fresh).await.by_region
    );

    // A report alone (no item new or gone): the item's part replaced where it stands.
    let before = review(&store).await;
    report(&store, "甲县", "XM4", month(10), Some("100"), "2025-11-19").await;
    let refreshed = review(&store).await;
    assert_eq!(
        refreshed.by_region,
        review(&fresh_store(db).await).await.by_region
    );
    assert_ne!(refreshed.by_region, before.by_region);
    let invested = |r: &duban_store::Review| r.by_region[0].overall.invested();
    assert_eq!(
        invested(&refreshed) - invested(&before),
        wan("100").as_decimal(),
        "XM4's first 100 万"
    );
}

/// A server starting reviews from the tallies another kept in the database: the groups' sums
/// and the red items, from the head alone. After a write it makes them whole from the kept
/// parts and tallies again only the items written. Each time the review equals one read
/// anew. A damaged head is not trusted: the year is read anew.
async fn a_server_starting_reviews_from_the_kept_tallies(db: &TestDb) {
    use duban_store::testing::{damage_kept, tallies_whole};
    let store = directory(db).await;
    let th = Thresholds::default();
    let today = d("2025-11-20");
    store
        .import_ledger(
            vec![
                listed(project("XM1", "甲县", "甲县", "1000"), "2024-12-20"),
                listed(project("XM2", "乙县", "乙县", "2000"), "2024-12-20"),
                listed(task("GZ1", "市发改委", "甲县"), "2024-12-20"),
            ],
            &options(),
        )
        .await
        .unwrap();
    report(&store, "甲县", "XM1", month(10), Some("900"), "2025-11-03").await;
    let review = |s: &Store| {
        let (s, th) = (s.clone(), th.clone());
        async move { s.review(month(10), 2, today, &th).await.unwrap() }
    };
    let same = |a: &duban_store::Review, b: &duban_store::Review| {
        assert_eq!(a.by_region, b.by_region);
        assert_eq!(a.by_department, b.by_department);
        assert_eq!((a.red_count, &a.red_items), (b.red_count, &b.red_items));
    };
    let first = review(&store).await;
    assert_eq!(tallies_whole(&store).await, Some(true), "read and tallied");
    // XM2 has reported nothing by the end of October: red, and named.
    assert!(first.red_items.iter().any(|r| r.name == "乙县XM2项目"));

    // Meanwhile another costly computation (a ledger's status judged) holds the process's
    // one turn: a review from the head alone does not wait for it.
    let second = db.open().await;
    let turn = duban_store::one_at_a_time().await;
    let from_head = tokio::time::timeout(Duration::from_secs(30), review(&second))
        .await
        .expect("a review from the kept head waits for no turn");
    drop(turn);
    same(&from_head, &first);
    assert_eq!(tallies_whole(&second).await, Some(false), "the head alone");

    // A write: XM2 reports. The next server and the one started before both see it.
    report(&store, "乙县", "XM2", month(10), Some("1900"), "2025-11-10").await;
    let third = db.open().await;
    let after = review(&third).await;
    assert_eq!(tallies_whole(&third).await, Some(true), "made whole");
    same(&review(&second).await, &after);
    assert_eq!(tallies_whole(&second).await, Some(true));
    assert_ne!(after.by_region, first.by_region);
    assert_eq!(
        after.by_region[0].overall.invested() - first.by_region[0].overall.invested(),
        wan("1900").as_decimal(),
        "XM2's 1,900 万"
    );
    let fresh = fresh_store(db).await;
    same(&review(&fresh).await, &after);
    assert_eq!(tallies_whole(&fresh).await, Some(true));

    // A damaged head: read anew, the same review. Reading the year anew is costly: it waits
    // for the turn.
    damage_kept(&store, "tallies", b"not a part").await;
    let fourth = db.open().await;
    let turn = duban_store::one_at_a_time().await;
    let waited = tokio::time::timeout(Duration::from_millis(300), review(&fourth)).await;
    assert!(waited.is_err(), "reading the year anew waits for the turn");
    drop(turn);
    same(&review(&fourth).await, &after);
    assert_eq!(tallies_whole(&fourth).await, Some(true), "read anew");
}

fn planned(name: &str, on: &str) -> Milestone {
    Milestone {
        name: name.into(),
        planned: Some(d(on)),
        actual: None,
        baseline: None,
    }
}

duban_store::both_backends!(
    a_kept_review_refreshed_after_writes_equals_one_read_anew,
    a_server_starting_reviews_from_the_kept_tallies,
    a_closed_period_keeps_its_figures_when_items_are_added_later,
    a_new_item_is_not_asked_for_a_period_before_it_existed,
    departments_are_ranked_on_their_items_and_their_problems,
);
