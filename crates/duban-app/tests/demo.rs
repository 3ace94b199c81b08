//! The demo ledger through the ledger's one write path, on SQLite and PostgreSQL.

use duban_store::testing::TestDb;
use duban_store::{ImportOptions, ItemFilter, LedgerEntry};

fn opts(dry_run: bool) -> ImportOptions {
    ImportOptions {
        actor: "tester".into(),
        dry_run,
    }
}

async fn demo_scale_import_round_trips(db: &TestDb) {
    let store = db.open().await;
    let demo = duban_demo::generate(duban_demo::Scale::City, 3, 2025);
    store.ensure_units("demo", &demo.units).await.unwrap();
    let entries: Vec<LedgerEntry> = demo
        .items
        .iter()
        .map(|(item, ms)| LedgerEntry::whole(item.clone(), Some(ms.clone())))
        .collect();
    let s = store
        .import_ledger(entries.clone(), &opts(false))
        .await
        .unwrap();
    assert_eq!(s.created, 2_000);
    assert!(s.new_units.is_empty());
    let records = store.item_records(&ItemFilter::default()).await.unwrap();
    let mut expected: Vec<_> = demo.items.clone();
    expected.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    for (r, (item, ms)) in records.iter().zip(&expected) {
        assert_eq!(&r.item, item);
        // The office's ledger is the approved plan: each date is its own baseline.
        let approved: Vec<_> = ms
            .iter()
            .map(|m| duban_core::Milestone {
                baseline: m.planned,
                ..m.clone()
            })
            .collect();
        assert_eq!(r.milestones, approved);
    }
    // Running the demo again changes nothing.
    let s = store.import_ledger(entries, &opts(false)).await.unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (0, 0, 2_000));
}

duban_store::both_backends!(demo_scale_import_round_trips);
