//! 催办升级事项 as the bulletin lists them: counted in full, and the longest overdue read, with
//! reports and milestones counted by due date. Every test on SQLite and PostgreSQL.

use chrono::NaiveDate;
use duban_core::calendar::DayCount;
use duban_core::reminder::{ReminderLevel, ReminderRule, ReminderRules, reminders_due};
use duban_core::{Item, ItemKind, Milestone, MoneyUnit, PlanDate, Stage, Wan};
use duban_store::testing::{TestDb, damage_kept, forget_kept, unrecorded};
use duban_store::{ImportOptions, LedgerEntry, MatterScope, REMINDER_RULES_KEY, Store};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The lead units in turn: project 1 is 乙县's, 2 XY管委会's, 3 xy中心's, 4 甲县's, and so on.
/// By code point "XY管委会" < "xy中心" < "乙县" < "甲县" (a collation that ignores case would
/// put xy中心 first).
const LEADS: [&str; 4] = ["甲县", "乙县", "XY管委会", "xy中心"];

/// 36 projects of 2025, none reporting; projects 1–4 have a milestone planned 20 May,
/// 5–12 one planned 5 June (the day the May report was due), 13–14 one planned 1 July.
async fn ledger(db: &TestDb) -> Store {
    let store = db.open().await;
    let units = duban_store::testing::city_directory(&["XY管委会", "xy中心"]);
    store.ensure_units("office", &units).await.unwrap();
    let entries = (1..=36)
        .map(|n: usize| {
            let lead = LEADS[n % 4];
            let mut item = Item::new(2025, ItemKind::Project, format!("项目{n:02}"), lead);
            item.code = format!("XM{n:02}");
            item.region = Some(
                if n.is_multiple_of(2) {
                    "甲县"
                } else {
                    "乙县"
                }
                .into(),
            );
            item.stage = Some(Stage::UnderConstruction);
            item.planned_start = PlanDate::month(2024, 3);
            item.annual_plan = Some(Wan::parse("1000", MoneyUnit::Wan).unwrap());
            let planned = match n {
                1..=4 => Some("2025-05-20"),
                5..=12 => Some("2025-06-05"),
                13..=14 => Some("2025-07-01"),
                _ => None,
            };
            let milestones = planned
                .map(|on| Milestone {
                    name: "主体完工".into(),
                    planned: Some(d(on)),
                    actual: None,
                    baseline: None,
                })
                .into_iter()
                .collect();
            let mut e = LedgerEntry::whole(item, Some(milestones));
            e.listed_on = Some(d("2024-12-20"));
            e
        })
        .collect();
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(entries, &options).await.unwrap();
    store
}

/// (kind, owner, days late, item code) of each matter listed; the count checked against
/// reading every matter due and judging each one.
async fn listed(store: &Store, as_of: NaiveDate) -> (usize, Vec<(String, String, i64, String)>) {
    let e = store.escalated_matters(as_of).await.unwrap();
    let rules = store.reminder_rules().await.unwrap();
    let calendar = store.work_calendar().await.unwrap();
    let every = store
        .due_matters(as_of, as_of, &calendar, &rules, &MatterScope::All)
        .await
        .unwrap();
    let escalated = reminders_due(&every, &rules, &calendar, as_of)
        .into_iter()
        .filter(|r| r.rule.escalate)
        .count();
    assert_eq!(
        e.count, escalated,
        "every matter judged gives the same count"
    );
    let rows = e
        .longest_overdue
        .into_iter()
        .map(|m| {
            let code = m.title.split(' ').next().unwrap_or_default().to_string();
            (m.kind, m.owner, m.days_late, code)
        })
        .collect();
    (e.count, rows)
}

/// The office saves the default reminder rules (a write: the data version moves).
async fn default_rules(store: &Store) {
    store
        .set_setting(
            "office",
            REMINDER_RULES_KEY,
            &ReminderRules::default().to_toml(),
        )
        .await
        .unwrap();
}

fn row(kind: &str, owner: &str, late: i64, n: u32) -> (String, String, i64, String) {
    (kind.into(), owner.into(), late, format!("XM{n:02}"))
}

/// On Thursday 3 July 2025 under the default rules (升级 five working days after the due
/// date): the 36 May reports (due 5 June, 28 days late) and the 12 milestones planned 20 May
/// (44 days) and 5 June (28 days) have escalated; those planned 1 July (2 days) have not. 48
/// in all. The bulletin lists 30: the four 44 days late by unit, then those 28 days late by
/// unit, reports before milestones, each by code — XY管委会's 9 reports and 2 milestones,
/// xy中心's 9 and 2, and the first 4 of 乙县's reports.
async fn the_longest_overdue_are_listed_and_every_one_counted(db: &TestDb) {
    let store = ledger(db).await;
    let (count, rows) = listed(&store, d("2025-07-03")).await;
    assert_eq!(count, 48);
    let (r, m) = ("进度报送", "项目节点");
    let mut expected = vec![
        row(m, "XY管委会", 44, 2),
        row(m, "xy中心", 44, 3),
        row(m, "乙县", 44, 1),
        row(m, "甲县", 44, 4),
    ];
    expected.extend((0..9).map(|k| row(r, "XY管委会", 28, 2 + 4 * k)));
    expected.extend([row(m, "XY管委会", 28, 6), row(m, "XY管委会", 28, 10)]);
    expected.extend((0..9).map(|k| row(r, "xy中心", 28, 3 + 4 * k)));
    expected.extend([row(m, "xy中心", 28, 7), row(m, "xy中心", 28, 11)]);
    expected.extend((0..4).map(|k| row(r, "乙县", 28, 1 + 4 * k)));
    assert_eq!(rows, expected);

    // With a later stage that does not tell the leader (再次催办 forty days after), the
    // milestones planned 20 May have passed beyond 升级: 44 remain, reports first.
    let mut rules = ReminderRules::default();
    rules.rules.push(ReminderRule {
        name: "再次催办".into(),
        kinds: Vec::new(),
        offset: 40,
        count: DayCount::Calendar,
        level: ReminderLevel::Press,
        escalate: false,
    });
    store
        .set_setting("office", REMINDER_RULES_KEY, &rules.to_toml())
        .await
        .unwrap();
    let (count, rows) = listed(&store, d("2025-07-03")).await;
    assert_eq!(count, 44);
    assert_eq!(rows[..11], expected[4..15]);
    assert_eq!(rows.len(), 30);

    // Fewer than the list holds: on 11 June only the milestones planned 20 May have escalated
    // (the May reports and the 5 June milestones are 6 days late, 4 working days); all four
    // are listed, 22 days late.
    default_rules(&store).await;
    let (count, rows) = listed(&store, d("2025-06-11")).await;
    assert_eq!(count, 4);
    let early: Vec<_> = expected[..4]
        .iter()
        .map(|(kind, owner, _, code)| (kind.clone(), owner.clone(), 22, code.clone()))
        .collect();
    assert_eq!(rows, early);
}

/// What was counted is kept for the day and the data version. Milestones taken out behind
/// duban's back (the data version unmoved) are not seen by a store opened afresh: it reads
/// what was kept. With nothing kept it counts again; after a write it counts again; what is
/// kept damaged is counted again.
async fn the_counts_are_kept_for_the_day_and_the_data_version(db: &TestDb) {
    let store = ledger(db).await;
    let july = d("2025-07-03");
    let counted = store.escalated_matters(july).await.unwrap();
    assert_eq!(counted.count, 48);

    // The four planned 20 May, gone: the 48 kept are read back.
    unrecorded(
        &store,
        "DELETE FROM milestones WHERE planned = '2025-05-20'",
    )
    .await;
    let again = db.open().await;
    assert_eq!(again.escalated_matters(july).await.unwrap(), counted);
    // Another day is counted: on 11 June only those four had escalated.
    assert_eq!(
        again
            .escalated_matters(d("2025-06-11"))
            .await
            .unwrap()
            .count,
        0
    );

    // Nothing kept: 48 − 4 counted, and kept.
    forget_kept(&store).await;
    let (count, _) = listed(&again, july).await;
    assert_eq!(count, 44);
    // The eight planned 5 June, gone: still the 44 kept.
    unrecorded(
        &store,
        "DELETE FROM milestones WHERE planned = '2025-06-05'",
    )
    .await;
    assert_eq!(again.escalated_matters(july).await.unwrap().count, 44);
    // A write (the rules saved as they were) moves the data version: 44 − 8 counted.
    default_rules(&store).await;
    let (count, rows) = listed(&again, july).await;
    assert_eq!(count, 36);

    // What is kept, damaged: counted again, the same.
    damage_kept(&store, "escalated", b"not a part").await;
    let third = db.open().await;
    let (count, again_rows) = listed(&third, july).await;
    assert_eq!((count, again_rows), (36, rows));
}

duban_store::both_backends!(
    the_longest_overdue_are_listed_and_every_one_counted,
    the_counts_are_kept_for_the_day_and_the_data_version
);
