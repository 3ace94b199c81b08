//! A speech's directives matched to the directory and confirmed as 重点工作 items, on SQLite
//! and PostgreSQL.

use chrono::NaiveDate;
use duban_core::{ItemKind, PlanDate};
use duban_store::testing::TestDb;
use duban_store::{ItemFilter, MeetingTask, MeetingTasks};

async fn city(db: &TestDb) -> duban_store::Store {
    let store = db.open().await;
    let units = duban_store::testing::city_directory(&[
        "市发展和改革委员会",
        "市财政局",
        "市自然资源和规划局",
    ]);
    store.ensure_units("office", &units).await.unwrap();
    store
}

async fn speech_becomes_items(db: &TestDb) {
    let store = city(db).await;
    let text = "会议要求：\n由市发改委牵头，国土、财政等部门配合，10月底前完成储备项目梳理；各县（市、区）要在×月×日前上报开工计划；市考核办要按月通报。";
    let proposals = duban_app::meetings::propose(&store, duban_extract::extract(text, 2025))
        .await
        .unwrap();
    assert_eq!(proposals.len(), 3);
    let units = |p: usize| -> Vec<(String, Vec<String>)> {
        proposals[p]
            .matched
            .iter()
            .map(|m| (m.name.clone(), m.units.clone()))
            .collect()
    };
    assert_eq!(
        units(0),
        [
            (
                "市发改委".to_string(),
                vec!["市发展和改革委员会".to_string()]
            ),
            ("国土".to_string(), vec!["市自然资源和规划局".to_string()]),
            ("财政".to_string(), vec!["市财政局".to_string()]),
        ]
    );
    assert_eq!(
        units(1),
        [(
            "各县（市、区）".to_string(),
            vec!["甲县".to_string(), "乙县".to_string()]
        )]
    );
    assert_eq!(
        units(2),
        [("市考核办".to_string(), vec![])],
        "unmatched, shown, not dropped"
    );

    let task = |p: usize, lead: &[&str], co: &[&str]| MeetingTask {
        text: proposals[p].directive.plain.clone(),
        name: None,
        lead_units: lead.iter().map(|s| s.to_string()).collect(),
        co_units: co.iter().map(|s| s.to_string()).collect(),
        deadline: proposals[p].directive.deadline,
        deadline_text: proposals[p].directive.deadline_text.clone(),
    };
    let meeting = MeetingTasks {
        meeting: "2025年全市重点工作推进会".into(),
        year: 2025,
        tasks: vec![
            task(
                0,
                &["市发展和改革委员会"],
                &["市自然资源和规划局", "市财政局"],
            ),
            task(1, &["甲县", "乙县"], &[]),
        ],
    };
    // A unit not in the directory is refused and nothing is written.
    let mut bad = meeting.clone();
    bad.tasks.push(task(2, &["市考核办"], &[]));
    bad.tasks.push(task(2, &[], &["市督查室"]));
    let err = duban_app::meetings::confirm(&store, bad.clone(), "office")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("第 3 条：单位“市考核办”不在单位名录中")
            && err.contains("第 4 条：未指定牵头/责任单位")
            && err.contains("“市督查室”"),
        "every row's problem named at once: {err}"
    );
    assert_eq!(store.count_items().await.unwrap(), 0);

    let done = duban_app::meetings::confirm(&store, meeting.clone(), "office")
        .await
        .unwrap();
    assert_eq!(done.created, 3, "one item for the lead, one per region");
    assert_eq!(done.codes.len(), 3);
    // Each confirmed item is handed down as a task (会议交办) to its lead unit, linked to it.
    let tasks = store.tasks(&Default::default()).await.unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(
        tasks
            .iter()
            .all(|t| t.source == duban_core::TaskSource::Meeting
                && t.state == duban_core::TaskState::Assigned
                && t.item_code.as_ref().is_some_and(|c| done.codes.contains(c)))
    );
    let items = store.items(&ItemFilter::default()).await.unwrap();
    let lead = items
        .iter()
        .find(|i| i.lead_unit == "市发展和改革委员会")
        .unwrap();
    assert_eq!(lead.kind, ItemKind::Task);
    assert!(lead.code.starts_with("GZ2025"));
    assert_eq!(lead.co_units, ["市自然资源和规划局", "市财政局"]);
    assert_eq!(
        lead.planned_end,
        Some(PlanDate::Day(
            NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()
        ))
    );
    assert_eq!(lead.name, "完成储备项目梳理", "named by what is to be done");
    let county = items.iter().find(|i| i.lead_unit == "甲县").unwrap();
    assert_eq!(
        county.name, "上报开工计划",
        "the subject is in the lead column"
    );
    assert_eq!(
        lead.extra.get("会议来源").map(String::as_str),
        Some("2025年全市重点工作推进会")
    );
    // The deadline is a milestone: past it and not done, the item turns red.
    let record = store.item(&lead.code).await.unwrap().unwrap();
    assert_eq!(record.milestones.len(), 1);
    assert_eq!(record.milestones[0].name, "完成");
    assert_eq!(
        record.milestones[0].planned,
        NaiveDate::from_ymd_opt(2025, 10, 31)
    );
    let county = items.iter().find(|i| i.lead_unit == "乙县").unwrap();
    assert_eq!(county.region.as_deref(), Some("乙县"));
    assert_eq!(county.planned_end, None);
    assert_eq!(
        county.extra.get("时限").map(String::as_str),
        Some("×月×日前"),
        "a blanked date is kept as written"
    );
    // The unit reports the task done; confirming the meeting again updates the same items
    // and loses nothing reported since.
    let mut done_ms = record.milestones.clone();
    done_ms[0].actual = NaiveDate::from_ymd_opt(2025, 10, 20);
    store
        .set_milestones(
            "白水县",
            &lead.code,
            done_ms,
            duban_store::PlanAuthority::Office,
        )
        .await
        .unwrap();
    let again = duban_app::meetings::confirm(&store, meeting.clone(), "office")
        .await
        .unwrap();
    assert_eq!((again.created, again.codes.len()), (0, 3));
    assert_eq!(
        store.tasks(&Default::default()).await.unwrap().len(),
        3,
        "not handed down twice"
    );
    let record = store.item(&lead.code).await.unwrap().unwrap();
    assert_eq!(
        record.milestones[0].actual,
        NaiveDate::from_ymd_opt(2025, 10, 20),
        "the completion reported is kept"
    );

    // Two tasks not from a meeting, each with its completion done: one plain, one whose other
    // column holds the words 会议来源 as a value. Neither is any meeting's.
    let others = ["普通工作", "备注写着会议来源的工作"].map(|name| {
        let mut item = duban_core::Item::new(2025, ItemKind::Task, name, "市财政局");
        if name.starts_with("备注") {
            item.extra.insert("备注".into(), "会议来源".into());
        }
        let done = duban_core::Milestone {
            name: "完成".into(),
            planned: NaiveDate::from_ymd_opt(2025, 9, 30),
            actual: NaiveDate::from_ymd_opt(2025, 9, 20),
            baseline: None,
        };
        duban_store::LedgerEntry::whole(item, Some(vec![done]))
    });
    let options = duban_store::ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(others.into(), &options).await.unwrap();

    // The meeting's 督办清单: the lead's task done on 10-20; the counties' have no date.
    let today = NaiveDate::from_ymd_opt(2025, 11, 5).unwrap();
    let list = store.meetings(today).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].meeting.as_str(),
            list[0].items,
            list[0].done,
            list[0].overdue
        ),
        ("2025年全市重点工作推进会", 3, 1, 0)
    );

    // The deadline edited and confirmed again: the milestone moves with it.
    let mut later = meeting.clone();
    later.tasks[0].deadline = NaiveDate::from_ymd_opt(2025, 11, 30);
    duban_app::meetings::confirm(&store, later.clone(), "office")
        .await
        .unwrap();
    // A county's task given a date already past and not done is overdue.
    let mut dated = later.clone();
    dated.tasks[1].deadline = NaiveDate::from_ymd_opt(2025, 10, 31);
    duban_app::meetings::confirm(&store, dated.clone(), "office")
        .await
        .unwrap();
    let items = store.meeting_items(today).await.unwrap();
    let overdue: Vec<&str> = items
        .iter()
        .filter(|i| i.overdue)
        .map(|i| i.lead_unit.as_str())
        .collect();
    assert_eq!(overdue, ["甲县", "乙县"]);
    assert_eq!(store.meetings(today).await.unwrap()[0].overdue, 2);
    let record = store.item(&lead.code).await.unwrap().unwrap();
    assert_eq!(
        (record.milestones[0].planned, record.milestones[0].actual),
        (
            NaiveDate::from_ymd_opt(2025, 11, 30),
            NaiveDate::from_ymd_opt(2025, 10, 20)
        )
    );

    // Two rows making one item, and a task named like a key project of the same unit: refused,
    // both named, nothing written.
    let mut project = duban_core::Item::new(2025, ItemKind::Project, "城北污水处理厂", "市财政局");
    project.code = "XM1".into();
    store
        .import_ledger(
            vec![duban_store::LedgerEntry::whole(project, None)],
            &duban_store::ImportOptions {
                actor: "office".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    let before = store.count_items().await.unwrap();
    let twice = MeetingTasks {
        meeting: "专题会".into(),
        year: 2025,
        tasks: vec![
            task(1, &["甲县"], &[]),
            task(1, &["甲县", "甲县"], &[]),
            MeetingTask {
                name: Some("城北污水处理厂".into()),
                ..task(0, &["市财政局"], &[])
            },
        ],
    };
    let err = duban_app::meetings::confirm(&store, twice.clone(), "office")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("第 2 条与第 1 条生成同一项重点工作")
            && err.contains("第 3 条：市财政局已有重点项目“城北污水处理厂”（XM1）"),
        "{err}"
    );
    assert_eq!(store.count_items().await.unwrap(), before);
}

duban_store::both_backends!(speech_becomes_items);
