//! The two migration trees describe the same database: after migrating, SQLite and PostgreSQL
//! have the same tables, the same columns (and which may be null), and the same indexes on the
//! same columns. A change written into one tree only fails here.

use std::collections::{BTreeMap, BTreeSet};

use duban_store::testing::TestDb;
use sqlx::{Connection, Row};

/// table → {(column, nullable)}
type Columns = BTreeMap<String, BTreeSet<(String, bool)>>;
/// index → (table, {column})
type Indexes = BTreeMap<String, (String, BTreeSet<String>)>;

const OWN: &str = "_sqlx_migrations";

async fn sqlite_schema(url: &str) -> (Columns, Indexes) {
    let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $1",
    )
    .bind(OWN)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut columns = Columns::new();
    for t in &tables {
        let rows = sqlx::query("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
            .bind(t)
            .fetch_all(&mut c)
            .await
            .unwrap();
        let cols = rows
            .iter()
            .map(|r| {
                let notnull: i64 = r.get(1);
                let pk: i64 = r.get(2);
                (r.get::<String, _>(0), notnull == 0 && pk == 0)
            })
            .collect();
        columns.insert(t.clone(), cols);
    }
    // Indexes written in the migrations (a UNIQUE constraint's automatic index has no SQL).
    let rows = sqlx::query(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut indexes = Indexes::new();
    for r in rows {
        let name: String = r.get(0);
        let cols: Vec<Option<String>> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info($1)")
                .bind(&name)
                .fetch_all(&mut c)
                .await
                .unwrap();
        indexes.insert(name, (r.get(1), cols.into_iter().flatten().collect()));
    }
    (columns, indexes)
}

async fn postgres_schema(url: &str) -> (Columns, Indexes) {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, is_nullable = 'YES' FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> $1",
    )
    .bind(OWN)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut columns = Columns::new();
    for r in rows {
        columns
            .entry(r.get(0))
            .or_default()
            .insert((r.get(1), r.get(2)));
    }
    // Indexes written in the migrations, not those backing a primary key or UNIQUE constraint.
    let rows = sqlx::query(
        "SELECT i.relname::text, t.relname::text, \
                array_remove(array_agg(a.attname::text), NULL) \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey) AND a.attnum > 0 \
         WHERE n.nspname = 'public' AND t.relname <> $1 \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) \
         GROUP BY i.relname, t.relname",
    )
    .bind(OWN)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let indexes = rows
        .into_iter()
        .map(|r| {
            let cols: Vec<String> = r.get(2);
            (r.get(0), (r.get(1), cols.into_iter().collect()))
        })
        .collect();
    (columns, indexes)
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn sqlite_and_postgres_migrate_to_the_same_schema() {
    let lite = TestDb::sqlite();
    let pg = TestDb::postgres().await;
    lite.open().await.close().await;
    pg.open().await.close().await;
    let (lite_cols, lite_idx) = sqlite_schema(&lite.url).await;
    let (pg_cols, pg_idx) = postgres_schema(&pg.url).await;
    // Not vacuous: the ledger, reports, problems, accounts, bulletins… and their indexes.
    assert!(lite_cols.len() >= 15, "{:?}", lite_cols.keys());
    assert!(lite_cols["items"].len() >= 25, "{:?}", lite_cols["items"]);
    assert!(lite_idx.len() >= 10, "{lite_idx:?}");
    assert_eq!(
        lite_cols.keys().collect::<Vec<_>>(),
        pg_cols.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, cols) in &lite_cols {
        assert_eq!(
            cols, &pg_cols[table],
            "table {table}: the same columns, nullable alike (SQLite left, PostgreSQL right)"
        );
    }
    assert_eq!(lite_idx, pg_idx, "the same indexes on the same columns");
}
