//! 统计信息 — after a bulk write on PostgreSQL the store refreshes the planner's statistics of
//! the tables it wrote (autovacuum may be off), but only of those the write may have moved:
//! a tenth of a table's rows or more, as autovacuum judges.

use duban_core::{Item, ItemKind, Milestone};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, Store};
use sqlx::Connection;

/// `count` new projects of 白水县 numbered from `first`, each with one milestone.
fn projects(first: usize, count: usize) -> Vec<LedgerEntry> {
    (first..first + count)
        .map(|n| {
            let mut item = Item::new(2026, ItemKind::Project, format!("项目{n:05}"), "白水县");
            item.code = format!("XM{n:05}");
            let step = Milestone {
                name: "开工".into(),
                planned: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
                actual: None,
                baseline: None,
            };
            LedgerEntry::whole(item, Some(vec![step]))
        })
        .collect()
}

async fn import(store: &Store, entries: Vec<LedgerEntry>) {
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(entries, &options).await.unwrap();
}

/// How many times `table` was analysed by hand (not by autovacuum), as the server counts.
async fn analysed(c: &mut sqlx::PgConnection, table: &str) -> i64 {
    sqlx::query_scalar("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = $1")
        .bind(table)
        .fetch_one(c)
        .await
        .unwrap()
}

/// Sets the rows the planner believes `table` holds (what its last ANALYZE counted).
async fn believed(c: &mut sqlx::PgConnection, table: &str, rows: f32) {
    sqlx::query("UPDATE pg_class SET reltuples = $1 WHERE oid = to_regclass($2)")
        .bind(rows)
        .bind(table)
        .execute(c)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_bulk_write_refreshes_the_statistics_of_the_tables_it_moved() {
    let db = TestDb::postgres().await;
    let store = db.open().await;
    let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let (items, milestones) = (
        analysed(&mut c, "items").await,
        analysed(&mut c, "milestones").await,
    );

    // 600 items into an empty ledger: every table written is analysed.
    import(&store, projects(1, 600)).await;
    assert_eq!(analysed(&mut c, "items").await, items + 1);
    assert_eq!(analysed(&mut c, "milestones").await, milestones + 1);
    let counted: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'items'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(counted, 600.0, "the planner knows the ledger's 600 items");

    // 600 more into what the planner believes is 100,000 items and 100,000 milestones (0.6 %):
    // left alone.
    believed(&mut c, "items", 100_000.0).await;
    believed(&mut c, "milestones", 100_000.0).await;
    import(&store, projects(601, 600)).await;
    assert_eq!(analysed(&mut c, "items").await, items + 1);
    assert_eq!(analysed(&mut c, "milestones").await, milestones + 1);

    // 600 more into 5,000 milestones (12 %) but 100,000 items: the milestones alone.
    believed(&mut c, "milestones", 5_000.0).await;
    import(&store, projects(1201, 600)).await;
    assert_eq!(analysed(&mut c, "items").await, items + 1);
    assert_eq!(analysed(&mut c, "milestones").await, milestones + 2);

    // Below the bulk size nothing is analysed, whatever the tables hold.
    believed(&mut c, "milestones", 10.0).await;
    import(&store, projects(1801, 400)).await;
    assert_eq!(analysed(&mut c, "milestones").await, milestones + 2);
    c.close().await.ok();
    store.close().await;
}
