//! Store behaviour, every test on SQLite and on PostgreSQL.

use duban_core::{
    Item, ItemKind, Leader, MilestoneTemplate, MoneyUnit, PlanDate, Stage, Unit, UnitKind, Wan,
};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, ItemFilter, LedgerEntry, StoreError};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn opts(dry_run: bool) -> ImportOptions {
    ImportOptions {
        actor: "tester".into(),
        dry_run,
    }
}

fn project(code: &str, name: &str, lead: &str) -> Item {
    let mut i = Item::new(2025, ItemKind::Project, name, lead);
    i.code = code.into();
    i.total_investment = Some(wan("12345.6789"));
    i.annual_plan = Some(wan("5000"));
    i.stage = Some(Stage::UnderConstruction);
    i.planned_start = Some(PlanDate::parse("2025-03").unwrap());
    i.planned_end = Some(PlanDate::parse("2026-06-30").unwrap());
    i.leader = Some(Leader::new("王某", Some("副市长")));
    i
}

/// A plan as the office's ledger approves it: each date its own baseline.
fn as_approved(plan: &[duban_core::Milestone]) -> Vec<duban_core::Milestone> {
    plan.iter()
        .map(|m| duban_core::Milestone {
            baseline: m.planned,
            ..m.clone()
        })
        .collect()
}

fn entries(items: Vec<Item>) -> Vec<LedgerEntry> {
    items
        .into_iter()
        .map(|item| LedgerEntry::whole(item, None))
        .collect()
}

async fn import_creates_items_units_and_leaders(db: &TestDb) {
    let store = db.open().await;
    let mut a = project("XM202500001", "甲县新材料产业园项目", "甲县");
    a.co_units = vec!["市发改委".into(), "市财政局".into()];
    a.tags = vec!["专项债".into()];
    a.extra.insert("资金来源".into(), "专项债".into());
    let b = project("XM202500002", "乙区污水处理厂提标改造工程", "乙区");
    let s = store
        .import_ledger(entries(vec![a.clone(), b]), &opts(false))
        .await
        .unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (2, 0, 0));
    assert_eq!(s.new_units, vec!["甲县", "市发改委", "市财政局", "乙区"]);
    assert_eq!(s.new_leaders, vec!["王某（副市长）"]);

    let got = store.item("XM202500001").await.unwrap().unwrap();
    assert_eq!(got.item, a, "the item comes back exactly as written");
    assert_eq!(got.item.total_investment.unwrap().to_string(), "12345.6789");

    let units = store.units().await.unwrap();
    let jia = units.iter().find(|u| u.unit.name == "甲县").unwrap();
    assert_eq!((jia.unit.kind, jia.lead_items), (UnitKind::Region, 1));
    assert_eq!(
        units
            .iter()
            .find(|u| u.unit.name == "市财政局")
            .unwrap()
            .unit
            .kind,
        UnitKind::Department
    );

    // Filters: a co-operating unit sees the item; stage and kind filter.
    let f = ItemFilter {
        unit: Some("市财政局".into()),
        ..Default::default()
    };
    assert_eq!(store.items(&f).await.unwrap().len(), 1);
    let f = ItemFilter {
        kind: Some(ItemKind::Task),
        ..Default::default()
    };
    assert!(store.items(&f).await.unwrap().is_empty());
    let f = ItemFilter {
        search: Some("污水".into()),
        ..Default::default()
    };
    assert_eq!(store.items(&f).await.unwrap()[0].code, "XM202500002");
    // A page of the ledger carries its own items' co-operating units, and only theirs.
    let page = |offset| ItemFilter {
        limit: Some(1),
        offset: Some(offset),
        ..Default::default()
    };
    let first = store.items(&page(0)).await.unwrap();
    assert_eq!(first[0].co_units, ["市发改委", "市财政局"]);
    let second = store.items(&page(1)).await.unwrap();
    assert_eq!(second[0].code, "XM202500002");
    assert!(second[0].co_units.is_empty());
    assert!(store.items(&page(2)).await.unwrap().is_empty());
    assert_eq!(
        store.count_filtered(&page(1)).await.unwrap(),
        2,
        "the page aside"
    );

    // What the status snapshot reads beside the items: each one's co-operating units in
    // their order, its leader and tags; and of the items written since a version, only those.
    let refs = store.item_refs(2025, None).await.unwrap();
    let first = &refs["XM202500001"];
    assert_eq!(first.co_units, ["市发改委", "市财政局"]);
    assert_eq!(first.leader, Some(Leader::new("王某", Some("副市长"))));
    assert_eq!(first.tags, ["专项债"]);
    assert!(refs["XM202500002"].co_units.is_empty());
    let version = store.data_version().await.unwrap();
    let mut b = project("XM202500002", "乙区污水处理厂提标改造工程", "乙区");
    b.co_units = vec!["市财政局".into(), "甲县".into()];
    store
        .import_ledger(entries(vec![b]), &opts(false))
        .await
        .unwrap();
    let since = store.item_refs(2025, Some(version)).await.unwrap();
    assert_eq!(since.len(), 1, "only the item written since");
    assert_eq!(since["XM202500002"].co_units, ["市财政局", "甲县"]);

    let trail = store.audit_trail("item", "XM202500001").await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].action.as_str(), trail[0].actor.as_str()),
        ("create", "tester")
    );
    assert_eq!(
        trail[0].after.as_ref().unwrap()["name"],
        "甲县新材料产业园项目"
    );
    assert_eq!(store.audit_trail("unit", "甲县").await.unwrap().len(), 1);
}

async fn reimport_updates_instead_of_duplicating(db: &TestDb) {
    let store = db.open().await;
    let a = project("XM202500001", "甲县新材料产业园项目", "甲县");
    let b = project("XM202500002", "乙区污水处理厂提标改造工程", "乙区");
    store
        .import_ledger(entries(vec![a.clone(), b.clone()]), &opts(false))
        .await
        .unwrap();

    let mut a2 = a.clone();
    a2.annual_plan = Some(wan("6000.5"));
    a2.stage = Some(Stage::Completed);
    let s = store
        .import_ledger(entries(vec![a2.clone(), b]), &opts(false))
        .await
        .unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (0, 1, 1));
    assert_eq!(store.count_items().await.unwrap(), 2);
    assert_eq!(store.item("XM202500001").await.unwrap().unwrap().item, a2);

    let trail = store.audit_trail("item", "XM202500001").await.unwrap();
    assert_eq!(trail.len(), 2);
    let (before, after) = (
        trail[1].before.as_ref().unwrap(),
        trail[1].after.as_ref().unwrap(),
    );
    assert_eq!(before["annual_plan"], "5000");
    assert_eq!(after["annual_plan"], "6000.5");
    assert_eq!(before["stage"], "under_construction");
    assert_eq!(after["stage"], "completed");
    assert!(
        after.get("name").is_none(),
        "only changed fields are recorded: {after}"
    );
}

async fn items_without_code_match_by_name_and_lead_unit(db: &TestDb) {
    let store = db.open().await;
    store
        .ensure_units(
            "tester",
            &[{
                let mut u = Unit::new("市发展和改革委员会", UnitKind::Department);
                u.aliases = vec!["市发改委".into()];
                u
            }],
        )
        .await
        .unwrap();
    let a = project("", "全市重点项目审批提速", "市发改委");
    let s = store
        .import_ledger(entries(vec![a.clone()]), &opts(false))
        .await
        .unwrap();
    assert_eq!((s.created, s.codes_assigned), (1, 1));
    assert!(
        s.new_units.is_empty(),
        "the alias resolved to the known unit"
    );
    let listed = store.items(&ItemFilter::default()).await.unwrap();
    assert_eq!(listed[0].code, "XM202500001");
    assert_eq!(listed[0].lead_unit, "市发展和改革委员会");

    // The same row again, by alias or full name, updates the same item.
    let mut again = a.clone();
    again.lead_unit = "市发展和改革委员会".into();
    again.notes = Some("已召开专题会".into());
    let s = store
        .import_ledger(entries(vec![again]), &opts(false))
        .await
        .unwrap();
    assert_eq!((s.created, s.updated), (0, 1));
    assert_eq!(store.count_items().await.unwrap(), 1);
}

async fn dry_run_writes_nothing(db: &TestDb) {
    let store = db.open().await;
    let s = store
        .import_ledger(
            entries(vec![project("XM202500001", "某项目", "丙县")]),
            &opts(true),
        )
        .await
        .unwrap();
    assert_eq!((s.created, s.dry_run), (1, true));
    assert_eq!(s.new_units, vec!["丙县"]);
    assert_eq!(store.count_items().await.unwrap(), 0);
    assert!(store.units().await.unwrap().is_empty());
    assert_eq!(store.audit_count().await.unwrap(), 0);
}

async fn invalid_batch_leaves_database_unchanged(db: &TestDb) {
    let store = db.open().await;
    store
        .import_ledger(
            entries(vec![project("XM202500001", "已有项目", "甲县")]),
            &opts(false),
        )
        .await
        .unwrap();
    let audit_before = store.audit_count().await.unwrap();
    let good = project("XM202500002", "新项目", "新县");
    let mut bad = project("XM202500003", "坏项目", "另一个新县");
    bad.annual_plan = Some(wan("999999"));
    let err = store
        .import_ledger(entries(vec![good, bad]), &opts(false))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("年度计划投资")),
        "{err}"
    );
    let dup = store
        .import_ledger(
            entries(vec![
                project("XM9", "a", "甲县"),
                project("XM9", "b", "甲县"),
            ]),
            &opts(false),
        )
        .await
        .unwrap_err();
    assert!(dup.to_string().contains("XM9"), "{dup}");
    assert_eq!(store.count_items().await.unwrap(), 1);
    assert_eq!(store.units().await.unwrap().len(), 1);
    assert_eq!(store.audit_count().await.unwrap(), audit_before);
}

async fn milestones_are_kept_and_rescheduled_with_audit(db: &TestDb) {
    let store = db.open().await;
    let target = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let plan = MilestoneTemplate::Construction.schedule_back(target);
    let item = project("XM202500001", "某项目", "甲县");
    store
        .import_ledger(
            vec![LedgerEntry::whole(item.clone(), Some(plan.clone()))],
            &opts(false),
        )
        .await
        .unwrap();
    // The office's ledger is the approved plan: each date is its own baseline.
    let approved = as_approved(&plan);
    assert_eq!(
        store.item("XM202500001").await.unwrap().unwrap().milestones,
        approved
    );
    // A ledger without milestones leaves them alone.
    let s = store
        .import_ledger(entries(vec![item]), &opts(false))
        .await
        .unwrap();
    assert_eq!(s.unchanged, 1);
    assert_eq!(
        store
            .item("XM202500001")
            .await
            .unwrap()
            .unwrap()
            .milestones
            .len(),
        7
    );

    let mut done = MilestoneTemplate::Construction
        .schedule_back(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    done[0].actual = Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 10).unwrap());
    store
        .set_milestones(
            "office",
            "XM202500001",
            done.clone(),
            duban_store::PlanAuthority::Office,
        )
        .await
        .unwrap();
    // The office's plan is approved as written: each date is its own baseline.
    let approved = as_approved(&done);
    assert_eq!(
        store.item("XM202500001").await.unwrap().unwrap().milestones,
        approved
    );
    let trail = store.audit_trail("item", "XM202500001").await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("office", "update")
    );
    assert_eq!(
        last.after.as_ref().unwrap()["milestones"][0]["actual"],
        "2025-01-10"
    );
}

async fn same_name_leaders_with_different_posts_stay_apart(db: &TestDb) {
    let store = db.open().await;
    let mut a = project("XM1", "甲项目", "甲县");
    a.leader = Some(Leader::new("王伟", Some("副市长")));
    let mut b = project("XM2", "乙项目", "乙县");
    b.leader = Some(Leader::new("王伟", Some("县长")));
    let s = store
        .import_ledger(entries(vec![a.clone(), b.clone()]), &opts(false))
        .await
        .unwrap();
    assert_eq!(s.new_leaders, vec!["王伟（副市长）", "王伟（县长）"]);
    // Again, in the other order: nobody's title flips, nothing changes.
    let s = store
        .import_ledger(entries(vec![b, a]), &opts(false))
        .await
        .unwrap();
    assert_eq!((s.unchanged, s.new_leaders.len()), (2, 0));
    assert_eq!(
        store.item("XM1").await.unwrap().unwrap().item.leader,
        Some(Leader::new("王伟", Some("副市长")))
    );
    // A cell without a title takes the only leader of that name.
    let c = project("XM3", "丙项目", "丙县"); // 王某（副市长）
    store
        .import_ledger(entries(vec![c]), &opts(false))
        .await
        .unwrap();
    let mut d = project("XM4", "丁项目", "丙县");
    d.leader = Some(Leader::new("王某", None));
    let s = store
        .import_ledger(entries(vec![d]), &opts(false))
        .await
        .unwrap();
    assert_eq!(s.new_leaders, Vec::<String>::new());
    assert_eq!(
        store.item("XM4").await.unwrap().unwrap().item.leader,
        Some(Leader::new("王某", Some("副市长")))
    );
}

async fn a_partial_update_must_fit_the_fields_it_keeps(db: &TestDb) {
    let store = db.open().await;
    store
        .import_ledger(
            entries(vec![project("XM1", "甲项目", "甲县")]),
            &opts(false),
        )
        .await
        .unwrap();
    let before = store.item("XM1").await.unwrap().unwrap();
    // A sheet with only 年度计划投资: 20,000 against the stored 总投资 of 12,345.6789.
    let mut narrow = project("XM1", "甲项目", "甲县");
    narrow.total_investment = None;
    narrow.annual_plan = Some(wan("20000"));
    let stated = duban_core::StatedFields {
        fields: [duban_core::ItemField::AnnualPlan].into_iter().collect(),
        extra: Default::default(),
    };
    let entry = LedgerEntry {
        item: narrow,
        milestones: None,
        stated: Some(std::sync::Arc::new(stated)),
        source: Some("工作表“进度”第 3 行".into()),
        reported: None,
        reason: None,
        listed_on: None,
    };
    let err = store
        .import_ledger(vec![entry], &opts(false))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("工作表“进度”第 3 行") && err.contains("超过总投资"),
        "{err}"
    );
    assert_eq!(store.item("XM1").await.unwrap().unwrap(), before);
}

/// The export reads every item's milestones packed a chain a row: names holding the packing's
/// own marks, missing dates, a unit's draft without baselines, and the chain order all come
/// back as written.
async fn the_ledger_reads_each_chain_whole_and_in_order(db: &TestDb) {
    let store = db.open().await;
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2025, m, d);
    let m = |name: &str, planned, actual| duban_core::Milestone {
        name: name.into(),
        planned,
        actual,
        baseline: None,
    };
    let first = vec![
        m("12:开工", day(3, 1), day(3, 5)),
        m("主体：3层", day(6, 30), None),
        m("3", None, None),
        m("竣工验收", day(12, 31), None),
    ];
    let second = vec![m("招标", day(2, 28), None), m("开工", day(4, 30), None)];
    store
        .import_ledger(
            vec![
                LedgerEntry::whole(project("XM2", "乙项目", "乙县"), Some(second.clone())),
                LedgerEntry::whole(project("XM1", "甲项目", "甲县"), Some(first.clone())),
                LedgerEntry::whole(project("XM3", "丙项目", "甲县"), None),
            ],
            &opts(false),
        )
        .await
        .unwrap();
    // A unit's plan is a draft: no baselines.
    store
        .set_milestones(
            "unit",
            "XM2",
            second.clone(),
            duban_store::PlanAuthority::Unit,
        )
        .await
        .unwrap();
    let read: Vec<(String, Vec<duban_core::Milestone>)> = store
        .item_records(&ItemFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.item.code, r.milestones))
        .collect();
    // The office's ledger approves its plan: each date its own baseline.
    let approved = as_approved(&first);
    assert_eq!(
        read,
        vec![
            ("XM1".to_string(), approved),
            ("XM2".to_string(), second),
            ("XM3".to_string(), vec![]),
        ]
    );
}

/// An import reads only the stored items its rows may match, and still matches them all: by
/// code, by name and lead unit among items of other years and units of the same name, an
/// archived item by its code; a row without a code gets the next one after the highest
/// stored, though no row names it.
async fn a_few_rows_match_among_many_stored_items(db: &TestDb) {
    let store = db.open().await;
    let mut stored = Vec::new();
    for n in 1..=12u32 {
        stored.push(project(
            &format!("XM2025{n:05}"),
            &format!("存量项目{n}"),
            "甲县",
        ));
    }
    // The same name in another unit, and in another year.
    stored.push(project("XM202500020", "城区供水管网改造", "乙区"));
    let mut last_year = project("XM202400001", "城区供水管网改造", "甲县");
    last_year.year = 2024;
    stored.push(last_year);
    let mut archived = project("XM202500030", "已归档项目", "甲县");
    archived.notes = Some("停建".into());
    stored.push(archived);
    stored.push(project("XM202500040", "存量项目40", "丙县"));
    store
        .import_ledger(entries(stored), &opts(false))
        .await
        .unwrap();
    store
        .archive_item(
            "tester",
            "XM202500030",
            duban_store::Archiving::Archive,
            "停建",
        )
        .await
        .unwrap();

    let mut by_code = project("XM202500005", "存量项目5", "甲县");
    by_code.notes = Some("按编号更新".into());
    let mut by_name = project("", "存量项目7", "甲县");
    by_name.notes = Some("按名称更新".into());
    let same_name_here = project("", "城区供水管网改造", "甲县");
    let mut archived_again = project("XM202500030", "已归档项目", "甲县");
    archived_again.notes = Some("复工".into());
    let s = store
        .import_ledger(
            entries(vec![by_code, by_name, same_name_here, archived_again]),
            &opts(false),
        )
        .await
        .unwrap();
    // Updated: 5 by code, 7 by name, the archived one by code; created: the 2025 item of 甲县
    // (the 2024 one and 乙区's are other items).
    assert_eq!(
        (s.created, s.updated, s.unchanged, s.codes_assigned),
        (1, 3, 0, 1)
    );
    let notes = |code: &'static str| {
        let store = &store;
        async move { store.item(code).await.unwrap().unwrap().item.notes }
    };
    assert_eq!(notes("XM202500005").await.as_deref(), Some("按编号更新"));
    assert_eq!(notes("XM202500007").await.as_deref(), Some("按名称更新"));
    assert_eq!(notes("XM202500030").await.as_deref(), Some("复工"));
    // The highest stored 2025 project code is XM202500040: the new item comes after it.
    let created = store.item("XM202500041").await.unwrap().unwrap().item;
    assert_eq!(
        (created.name.as_str(), created.lead_unit.as_str()),
        ("城区供水管网改造", "甲县")
    );
    assert_eq!(store.count_items().await.unwrap(), 17);
}

/// An import's trail reads in the order things came to be: the units and leaders it created,
/// then its items (each with its milestones and the reason given), then the reports its
/// year-to-date column made; and the chain over them holds.
async fn an_imports_trail_reads_units_items_then_reports(db: &TestDb) {
    let store = db.open().await;
    let a = project("XM202500001", "甲县新材料产业园项目", "甲县");
    let mut first = LedgerEntry::whole(a, Some(vec![]));
    first.reason = Some("年初台账".into());
    let steps = vec![duban_core::Milestone {
        name: "开工".into(),
        planned: chrono::NaiveDate::from_ymd_opt(2025, 3, 31),
        actual: None,
        baseline: None,
    }];
    let mut second = LedgerEntry::whole(
        project("XM202500002", "乙区污水处理厂提标改造工程", "乙区"),
        Some(steps),
    );
    second.reported = Some((
        duban_core::Period::month(2025, 3).unwrap(),
        wan("300"),
        chrono::NaiveDate::from_ymd_opt(2025, 4, 2).unwrap(),
    ));
    let s = store
        .import_ledger(vec![first, second], &opts(false))
        .await
        .unwrap();
    assert_eq!((s.created, s.reports), (2, 1));

    let query = duban_store::AuditQuery {
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let page = store.audit_log(&query).await.unwrap();
    // Newest first: read it oldest first.
    let trail: Vec<(String, String, String)> = page
        .entries
        .iter()
        .rev()
        .map(|e| (e.action.clone(), e.entity.clone(), e.entity_key.clone()))
        .collect();
    let t = |a: &str, e: &str, k: &str| (a.to_string(), e.to_string(), k.to_string());
    assert_eq!(
        trail,
        vec![
            t("create", "unit", "甲县"),
            t("create", "leader", "王某（副市长）"),
            t("create", "unit", "乙区"),
            t("create", "item", "XM202500001"),
            t("create", "item", "XM202500002"),
            t("submit", "report", "XM202500002/2025-03"),
        ]
    );
    let created: Vec<&serde_json::Value> = page.entries[1..3]
        .iter()
        .rev()
        .map(|e| e.after.as_ref().unwrap())
        .collect();
    assert_eq!(page.entries[2].reason.as_deref(), Some("年初台账"));
    assert_eq!(page.entries[1].reason, None);
    assert_eq!(created[0]["milestones"], serde_json::json!([]));
    assert_eq!(created[1]["milestones"][0]["name"], "开工");
    let chain = store.verify_audit().await.unwrap();
    assert_eq!((chain.first_break, chain.checked), (None, 6));
}

duban_store::both_backends!(
    same_name_leaders_with_different_posts_stay_apart,
    a_partial_update_must_fit_the_fields_it_keeps,
    import_creates_items_units_and_leaders,
    reimport_updates_instead_of_duplicating,
    items_without_code_match_by_name_and_lead_unit,
    dry_run_writes_nothing,
    invalid_batch_leaves_database_unchanged,
    milestones_are_kept_and_rescheduled_with_audit,
    the_ledger_reads_each_chain_whole_and_in_order,
    a_few_rows_match_among_many_stored_items,
    an_imports_trail_reads_units_items_then_reports,
);
