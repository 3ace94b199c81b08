//! Test support (feature `test-support`): a fresh, isolated database per test on either
//! backend, removed afterwards, and a macro that runs one test body on both backends.
//!
//! PostgreSQL tests connect to `DUBAN_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), create a database with a unique name and
//! drop it when the test ends.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{Backend, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The PostgreSQL server tests use.
pub fn pg_admin_url() -> String {
    std::env::var("DUBAN_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// 示范市 with the counties 甲县 and 乙县 under it, and `departments`: the directory most
/// tests start from.
pub fn city_directory(departments: &[&str]) -> Vec<duban_core::Unit> {
    use duban_core::{Unit, UnitKind};
    let mut units = vec![Unit::new("示范市", UnitKind::Region)];
    for county in ["甲县", "乙县"] {
        let mut u = Unit::new(county, UnitKind::Region);
        u.parent = Some("示范市".into());
        units.push(u);
    }
    units.extend(
        departments
            .iter()
            .map(|d| Unit::new(*d, UnitKind::Department)),
    );
    units
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Dir(std::path::PathBuf),
    PgDatabase(String),
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    /// An SQLite file in a fresh temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("duban_test")
            .tempdir()
            .expect("create temp dir")
            .keep();
        let url = format!("sqlite://{}", dir.join("duban.db").display());
        TestDb {
            url,
            backend: Backend::Sqlite,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh database on the local PostgreSQL server.
    pub async fn postgres() -> TestDb {
        let admin = pg_admin_url();
        let name = unique("duban_test");
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is needed at {admin}: {e}"));
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create test database");
        conn.close().await.ok();
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        TestDb {
            url: format!("{base}/{name}"),
            backend: Backend::Postgres,
            cleanup: Cleanup::PgDatabase(name),
        }
    }

    /// Opens (and migrates) the store on this database.
    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open test store")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase(name) => {
                let name = name.clone();
                // Drop runs inside the test's runtime; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.ok()?;
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await
                        .ok()?;
                        conn.close().await.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Drops every status and every tallies kept in the database: the next store opened reads
/// and judges anew.
pub async fn forget_kept(store: &Store) {
    for sql in [
        "DELETE FROM kept_snapshot_parts",
        "DELETE FROM kept_snapshots",
    ] {
        sqlx::query(sql).execute(&store.pool).await.expect(sql);
    }
}

/// Writes `body` over the first part of what is kept of `kind` ("tallies", "escalated"), as a
/// damaged disk or another program might.
pub async fn damage_kept(store: &Store, kind: &str, body: &[u8]) {
    sqlx::query(
        "UPDATE kept_snapshot_parts SET body = $1 WHERE part = 0 AND snapshot_id IN \
         (SELECT id FROM kept_snapshots WHERE kind = $2)",
    )
    .bind(body)
    .bind(kind)
    .execute(&store.pool)
    .await
    .expect("damage what is kept");
}

/// Runs `sql` on the database behind duban's back, as another program might: the data
/// version does not move.
pub async fn unrecorded(store: &Store, sql: &'static str) {
    sqlx::query(sql).execute(&store.pool).await.expect(sql);
}

/// Whether the tallies `store` holds hold every item's part (`Some(false)`: only the head
/// kept in the database was read), if it holds any.
pub async fn tallies_whole(store: &Store) -> Option<bool> {
    store.tallies.whole().await
}

/// Runs each listed test body — an `async fn(&TestDb)` in the calling module — on SQLite and
/// on PostgreSQL (the latter `#[ignore]`d unless tests run with `--include-ignored`), as
/// `sqlite::NAME` and `postgres::NAME`.
///
/// ```ignore
/// async fn import_creates_items(db: &TestDb) { … }
/// duban_store::both_backends!(import_creates_items);
/// ```
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::testing::TestDb::new($crate::Backend::Sqlite).await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL"]
                async fn $name() {
                    let db = $crate::testing::TestDb::new($crate::Backend::Postgres).await;
                    super::$name(&db).await;
                }
            )*
        }
    };
}
