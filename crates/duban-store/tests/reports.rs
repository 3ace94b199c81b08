//! Progress reports, every test on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use duban_core::{
    Cadence, Item, ItemKind, MilestoneReached, MilestoneTemplate, MoneyUnit, Period, ReportDraft,
    Wan,
};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, Submission};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn store_with_item(db: &TestDb) -> duban_store::Store {
    let store = db.open().await;
    let mut item = Item::new(2025, ItemKind::Project, "某产业园项目", "甲县");
    item.code = "XM202500001".into();
    item.total_investment = Some(wan("1000"));
    item.annual_plan = Some(wan("600"));
    let ms = MilestoneTemplate::Construction.schedule_back(d("2025-12-31"));
    store
        .import_ledger(
            vec![LedgerEntry::whole(item, Some(ms))],
            &ImportOptions {
                actor: "office".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    store
}

fn submission(period: &str, ytd: Option<&str>, this: Option<&str>) -> Submission {
    Submission {
        code: "XM202500001".into(),
        period: Period::parse(period).unwrap(),
        report: ReportDraft {
            ytd: ytd.map(wan),
            this_period: this.map(wan),
            ..Default::default()
        },
        reason: None,
        submitted_on: d("2025-07-03"),
    }
}

async fn reports_derive_figures_and_keep_every_revision(db: &TestDb) {
    let store = store_with_item(db).await;
    let may = store
        .submit_report("甲县", submission("2025-05", Some("200"), None))
        .await
        .unwrap();
    assert_eq!(
        (may.revision, may.report.this_period),
        (1, Some(wan("200")))
    );
    let mut june = submission("2025-06", None, Some("150"));
    june.report.milestones = vec![MilestoneReached {
        name: "开工".into(),
        date: d("2025-06-18"),
    }];
    let june = store.submit_report("甲县", june).await.unwrap();
    assert_eq!(
        june.report.ytd,
        Some(wan("350")),
        "this period plus May's year-to-date"
    );
    let item = store.item("XM202500001").await.unwrap().unwrap();
    assert_eq!(
        item.milestones[0].actual,
        Some(d("2025-06-18")),
        "the milestone reached is recorded"
    );

    // A submitted report is immutable: a correction needs a reason and adds a revision.
    let again = store
        .submit_report("甲县", submission("2025-06", Some("360"), None))
        .await
        .unwrap_err();
    assert!(again.to_string().contains("更正须说明原因"), "{again}");
    // Its words are shown on the web too: no command-line flag in them.
    assert!(!again.to_string().contains("--"), "{again}");
    let mut fix = submission("2025-06", Some("360"), None);
    fix.reason = Some("漏报一笔设备款".into());
    assert_eq!(store.submit_report("甲县", fix).await.unwrap().revision, 2);
    let history = store.report_history("XM202500001").await.unwrap();
    let shape: Vec<_> = history
        .iter()
        .map(|r| (r.period.to_string(), r.revision, r.report.ytd))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("2025-05".into(), 1, Some(wan("200"))),
            ("2025-06".into(), 1, Some(wan("350"))),
            ("2025-06".into(), 2, Some(wan("360")))
        ]
    );
    assert_eq!(history[2].reason.as_deref(), Some("漏报一笔设备款"));
    let inputs = store.status_inputs(2025, None).await.unwrap();
    let trail = &inputs[0].trail;
    assert_eq!(
        trail.ytd,
        vec![(d("2025-05-31"), wan("200")), (d("2025-06-30"), wan("360"))]
    );
    assert_eq!(
        trail.submitted(Period::parse("2025-06").unwrap()),
        Some(d("2025-07-03")),
        "first submission"
    );
    assert_eq!(inputs[0].milestones[0].actual, Some(d("2025-06-18")));
    assert_eq!(
        store
            .audit_trail("report", "XM202500001/2025-06")
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn invalid_reports_name_the_field_and_write_nothing(db: &TestDb) {
    let store = store_with_item(db).await;
    store
        .submit_report("甲县", submission("2025-05", Some("200"), None))
        .await
        .unwrap();
    let before = store.report_history("XM202500001").await.unwrap();
    let cases = [
        (submission("2025-06", Some("150"), None), "累计完成投资"),
        (submission("2025-06", Some("1200"), None), "超过总投资"),
        (
            submission("2025-06", Some("300"), Some("90")),
            "本期完成投资",
        ),
        (submission("2025-04", Some("250"), None), "以后月份"),
    ];
    for (s, needle) in cases {
        let e = store
            .submit_report("甲县", s)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{needle}: {e}");
    }
    let mut outside = submission("2025-06", Some("300"), None);
    outside.report.milestones = vec![MilestoneReached {
        name: "开工".into(),
        date: d("2025-07-01"),
    }];
    assert!(
        store
            .submit_report("甲县", outside)
            .await
            .unwrap_err()
            .to_string()
            .contains("节点完成时间")
    );
    let mut unknown = submission("2025-06", Some("300"), None);
    unknown.report.milestones = vec![MilestoneReached {
        name: "剪彩".into(),
        date: d("2025-06-01"),
    }];
    assert!(
        store
            .submit_report("甲县", unknown)
            .await
            .unwrap_err()
            .to_string()
            .contains("没有名为“剪彩”的节点")
    );
    assert_eq!(store.report_history("XM202500001").await.unwrap(), before);
    assert!(
        store
            .item("XM202500001")
            .await
            .unwrap()
            .unwrap()
            .milestones
            .iter()
            .all(|m| m.actual.is_none())
    );
}

/// A kind switched to weekly reports mid-year: the month-end figure reported before stays the
/// base of the first week after it, months are refused, and the status trail has every week.
async fn weekly_reports_follow_the_calendar(db: &TestDb) {
    let store = store_with_item(db).await;
    store
        .submit_report("甲县", submission("2025-05", Some("200"), None))
        .await
        .unwrap();
    let weekly = duban_store::Schedule {
        cadence: Cadence::Weekly,
        due_day: 2,
    };
    store
        .set_schedule("office", ItemKind::Project, weekly)
        .await
        .unwrap();
    let bad = duban_store::Schedule {
        cadence: Cadence::Weekly,
        due_day: 8,
    };
    let err = store
        .set_schedule("office", ItemKind::Project, bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 到 7"), "{err}");
    let err = store
        .submit_report("甲县", submission("2025-06", Some("300"), None))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("每周填报"), "{err}");
    let w23 = store
        .submit_report("甲县", submission("2025-W23", None, Some("50")))
        .await
        .unwrap();
    assert_eq!(
        w23.report.ytd,
        Some(wan("250")),
        "May's 200 plus this week's 50"
    );
    store
        .submit_report("甲县", submission("2025-W24", Some("280"), None))
        .await
        .unwrap();
    let input = store
        .status_inputs(2025, None)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(
        input.trail.ytd,
        vec![
            (d("2025-05-31"), wan("200")),
            (d("2025-06-08"), wan("250")),
            (d("2025-06-15"), wan("280"))
        ]
    );
    assert_eq!(
        input.trail.submitted(Period::parse("2025-W24").unwrap()),
        Some(d("2025-07-03"))
    );
    assert_eq!(
        store.calendar().await.unwrap().schedule(ItemKind::Project),
        weekly
    );
    assert_eq!(
        store.calendar().await.unwrap().schedule(ItemKind::Task),
        duban_store::Schedule::default(),
        "other kinds stay monthly"
    );
}

duban_store::both_backends!(
    reports_derive_figures_and_keep_every_revision,
    invalid_reports_name_the_field_and_write_nothing,
    weekly_reports_follow_the_calendar,
);
