//! 写事务 — the one way a write begins. Every write transaction
//! - on SQLite, waits its turn in this process (one writer at a time) and then takes the
//!   database's write lock up front (`BEGIN IMMEDIATE`), so concurrent writers queue instead of
//!   failing with "database is locked" when a read lock cannot be upgraded; writers in other
//!   processes wait on the same lock through `busy_timeout`;
//! - bumps the one `data_version` row first: on PostgreSQL its row lock serialises writers, and
//!   on both backends the version a reader sees grows in commit order, so a cache of derived
//!   figures learns of every committed write (an audit id would not: sequences are handed out
//!   before commit);
//! - is the only place the audit chain is extended (`audit::record` runs inside it).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{Backend, Result, Store};

/// From how many rows a write counts as bulk (and the statistics are refreshed after it).
const BULK_ROWS: usize = 500;

/// The share of a table's rows that, written, moves its statistics: as PostgreSQL's autovacuum
/// judges it (`autovacuum_analyze_scale_factor`, 10 %).
const MOVES_STATISTICS: f64 = 0.1;

/// Of `tables`, those whose statistics `rows` rows written may have moved: never analysed
/// (an empty database's), or holding fewer than ten times `rows` rows as the planner last
/// counted them (`pg_class.reltuples`). A county's ledger written into a million items'
/// leaves them as they are; a province loaded into an empty database refreshes them all.
async fn stale_tables<'t>(
    pool: &sqlx::AnyPool,
    rows: usize,
    tables: &[&'t str],
) -> Result<Vec<&'t str>> {
    debug_assert!(
        tables
            .iter()
            .all(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
        "table names are the store's own"
    );
    let listed = tables
        .iter()
        .map(|t| format!("to_regclass('{t}')"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT relname::text FROM pg_class WHERE oid IN ({listed}) \
         AND (reltuples < 0 OR $1::float8 >= reltuples::float8 * {MOVES_STATISTICS})"
    );
    let stale: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(rows as i64)
        .fetch_all(pool)
        .await?;
    Ok(tables
        .iter()
        .copied()
        .filter(|t| stale.iter().any(|s| s == t))
        .collect())
}

/// The turn of this process's writers on SQLite.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriterQueue(Arc<Mutex<()>>);

/// A write transaction: dereferences to its connection; commit or roll back explicitly
/// (dropped, it rolls back).
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    /// Held until the transaction ends (declared after `tx`, so it is released after it).
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Store {
    /// Begins a write transaction (see the module's description).
    pub(crate) async fn write_tx(&self) -> Result<WriteTx> {
        self.begin_write(true).await
    }

    /// Begins a write transaction that changes no figure (a sign-in written to the audit
    /// trail): it queues like any writer, but leaves the data version, so caches of derived
    /// figures are not rebuilt for it.
    pub(crate) async fn write_tx_quiet(&self) -> Result<WriteTx> {
        self.begin_write(false).await
    }

    /// Begins a write of something derived (the kept status) that need not wait for the
    /// writers on PostgreSQL: there a plain transaction, their lock left alone; on SQLite,
    /// where there is one writer at a time anyway, a quiet one.
    pub(crate) async fn write_tx_beside(&self) -> Result<WriteTx> {
        match self.backend {
            Backend::Sqlite => self.write_tx_quiet().await,
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    async fn begin_write(&self, bump: bool) -> Result<WriteTx> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writers.0.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let first = if bump {
            "UPDATE data_version SET version = version + 1 WHERE id = 1"
        } else if self.backend == Backend::Postgres {
            "SELECT version FROM data_version WHERE id = 1 FOR UPDATE"
        } else {
            // BEGIN IMMEDIATE holds the lock already.
            "SELECT version FROM data_version WHERE id = 1"
        };
        sqlx::query(first).execute(&mut *tx).await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Brings the planner's statistics and the visibility map up to date after a bulk write
    /// of `rows` rows to `tables` (`VACUUM (ANALYZE)`). A server with autovacuum off (or before it wakes)
    /// otherwise plans a freshly loaded province as if each table held one row, and the
    /// status read runs for minutes; and without the visibility map no count is answered
    /// from an index alone (the unit list's item counts took 50 ms instead of 4).
    /// PostgreSQL only: SQLite plans these reads well without statistics. Only the `tables`
    /// the write wrote, and of those only the ones it may have moved (see [`stale_tables`]):
    /// the nine tables an import writes take 2.8 s at a million items even when nothing in
    /// them changed.
    pub(crate) async fn after_bulk_write_to(&self, rows: usize, tables: &[&str]) -> Result<()> {
        if self.backend == Backend::Postgres && rows >= BULK_ROWS {
            use sqlx::Executor;
            let stale = stale_tables(&self.pool, rows, tables).await?;
            if stale.is_empty() {
                return Ok(());
            }
            // The simple protocol: VACUUM cannot run as a prepared statement's transaction.
            // One table a connection, at once: the server's cores share them.
            futures_util::future::try_join_all(stale.iter().map(|table| {
                let sql = format!("VACUUM (ANALYZE) {table}");
                let pool = self.pool.clone();
                async move { pool.execute(sqlx::AssertSqlSafe(sql)).await }
            }))
            .await?;
        }
        Ok(())
    }

    /// The database's own check of its file ("ok" when sound): SQLite's `integrity_check`;
    /// PostgreSQL keeps its own and answers "ok".
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend {
            Backend::Sqlite => Ok(sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&self.pool)
                .await?),
            Backend::Postgres => Ok("ok".into()),
        }
    }

    /// A number that grows with every committed write: what a cache of derived figures
    /// compares to know it is stale.
    pub async fn data_version(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
