//! 台账记录 — items read with their milestone chains (what an export writes): each item gets
//! its own chain, whether the chains are read by id (a few items, or a small share of the
//! ledger) or all at once and only the listed ones kept (most of the ledger). On SQLite and
//! PostgreSQL.

use chrono::NaiveDate;
use duban_core::{Item, ItemKind, Milestone};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, ItemFilter, ItemRecord, LedgerEntry, Store};

/// The item's two milestones, named after its code so that a chain given to the wrong item
/// shows; the office's plan, so approved as written (the baseline is the plan).
fn chain(code: &str, n: u32) -> Vec<Milestone> {
    ["开工", "竣工"]
        .into_iter()
        .enumerate()
        .map(|(k, step)| {
            let planned = NaiveDate::from_ymd_opt(2026, 1 + k as u32 * 6, 1 + n % 28);
            Milestone {
                name: format!("{step}{code}"),
                planned,
                actual: None,
                baseline: planned,
            }
        })
        .collect()
}

/// The records of the items `unit` leads.
async fn led_by(store: &Store, unit: &str) -> Vec<ItemRecord> {
    let filter = ItemFilter {
        unit: Some(unit.into()),
        ..Default::default()
    };
    store.item_records(&filter).await.unwrap()
}

async fn each_item_has_its_own_chain(db: &TestDb) {
    let store = db.open().await;
    // 6,000 projects of 甲县, 3,000 tasks of 乙县; every tenth task has no milestones.
    let entries = (0..9_000u32)
        .map(|n| {
            let (kind, lead) = if n < 6_000 {
                (ItemKind::Project, "甲县")
            } else {
                (ItemKind::Task, "乙县")
            };
            let mut item = Item::new(2026, kind, format!("事项{n:05}"), lead);
            item.code = format!("XM{n:05}");
            let steps = (n < 6_000 || !n.is_multiple_of(10)).then(|| chain(&item.code, n));
            LedgerEntry::whole(item, Some(steps.unwrap_or_default()))
        })
        .collect();
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(entries, &options).await.unwrap();

    // 6,000 of 9,000 items (two thirds): every chain read, theirs kept; 3,000: read by id.
    let (most, few) = (led_by(&store, "甲县").await, led_by(&store, "乙县").await);
    assert_eq!((most.len(), few.len()), (6_000, 3_000));
    for r in most.iter().chain(&few) {
        let n: u32 = r.item.code[2..].parse().unwrap();
        let expected = if n >= 6_000 && n.is_multiple_of(10) {
            vec![]
        } else {
            chain(&r.item.code, n)
        };
        assert_eq!(r.milestones, expected, "{}", r.item.code);
    }
    assert_eq!(few.iter().filter(|r| r.milestones.is_empty()).count(), 300);
    store.close().await;
}

duban_store::both_backends!(each_item_has_its_own_chain);
