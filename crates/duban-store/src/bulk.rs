//! 大批写入 — a write that brings at least as many rows into a table as it holds builds the
//! table's lookup indexes (and, on PostgreSQL, checks its foreign keys) once, after the rows
//! are in, as a database restore does, instead of once a row. It happens inside the write's
//! transaction: a write that fails or is rolled back leaves the table as it was.
//!
//! Only plain indexes are set aside; unique ones (and the primary key) keep guarding every
//! row. A foreign key set aside is checked again for every row when it is put back, in one
//! query, so nothing unchecked is ever committed.

use sqlx::AnyConnection;

use crate::Result;

/// Rows below which a write goes row by row: the catalogue reads and the rebuild cost more
/// than they save.
const LEAST_ROWS: usize = 10_000;

/// How long PostgreSQL waits for the table's lock (a reader may hold it) before the write
/// goes row by row after all.
const LOCK_WAIT: &str = "1s";

/// Tables whose indexes SQLite keeps up row by row even in a bulk write. The audit trail's
/// rows are wide (a created item's entry is about 1 KB of JSON) and come in the order of its
/// indexes (one actor, one entity, rising `seq`, codes mostly rising), so each row costs its
/// indexes an append; made again afterwards, each of its four indexes reads the whole table
/// (86 MB at a province) through SQLite's 2 MB page cache. A province's import: its write
/// 4.09 → 3.86 s with them kept (PostgreSQL, which makes them again faster than it keeps
/// them, went 6.02 → 6.40 s kept, and still sets them aside).
const SQLITE_KEEPS_INDEXES: &[&str] = &["audit_log"];

/// What was set aside for a bulk write, put back by [`SetAside::restore`].
#[must_use = "what is set aside must be put back before the write commits"]
pub(crate) struct SetAside {
    /// The statements that make them again, in order.
    restore: Vec<String>,
}

/// Sets aside `table`'s plain indexes and foreign keys when `incoming` rows are at least
/// [`LEAST_ROWS`] and at least as many as the table holds; with them the triggers named in
/// `idle_triggers` (either backend's names) — triggers the caller knows change nothing for
/// these rows, or whose work it does itself.
pub(crate) async fn set_aside(
    conn: &mut AnyConnection,
    table: &'static str,
    incoming: usize,
    idle_triggers: &[&str],
) -> Result<SetAside> {
    let nothing = SetAside {
        restore: Vec::new(),
    };
    if incoming < LEAST_ROWS || holds_more(conn, table, incoming).await? {
        return Ok(nothing);
    }
    if conn.backend_name() == "SQLite" {
        let indexes = !SQLITE_KEEPS_INDEXES.contains(&table);
        set_aside_sqlite(conn, table, indexes, idle_triggers).await
    } else {
        // A reader holding the table makes the write wait at most LOCK_WAIT, then go row by
        // row: the savepoint undoes whatever was dropped.
        let wait = format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'");
        run(conn, &["SAVEPOINT duban_bulk", wait.as_str()]).await?;
        match set_aside_postgres(conn, table, idle_triggers).await {
            Ok(set) => {
                let done = [
                    "SET LOCAL lock_timeout = DEFAULT",
                    "RELEASE SAVEPOINT duban_bulk",
                ];
                run(conn, &done).await?;
                Ok(set)
            }
            Err(e) => {
                tracing::info!(table, error = %e, "bulk write goes row by row");
                let undo = [
                    "ROLLBACK TO SAVEPOINT duban_bulk",
                    "RELEASE SAVEPOINT duban_bulk",
                ];
                run(conn, &undo).await?;
                Ok(nothing)
            }
        }
    }
}

/// Plans each statement of a bulk write of `incoming` rows once (PostgreSQL, to the end of
/// the transaction). Such a write sends a few statements, each thousands of values long, over
/// and over; planned for its values every time (as PostgreSQL does for a prepared statement's
/// first five runs, and whenever that looks no dearer), each run first walks all of its
/// values, which cost the server a third as much as the insert itself (the province's audit
/// trail: 0.21 s of 0.52 s). None of these statements' plans depend on the values.
pub(crate) async fn plan_once(conn: &mut AnyConnection, incoming: usize) -> Result<()> {
    if incoming >= LEAST_ROWS && conn.backend_name() != "SQLite" {
        run(conn, &["SET LOCAL plan_cache_mode = force_generic_plan"]).await?;
    }
    Ok(())
}

/// Runs `statements` in turn.
async fn run<S: AsRef<str>>(conn: &mut AnyConnection, statements: &[S]) -> Result<()> {
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_ref()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl SetAside {
    /// Makes again what was set aside (PostgreSQL checks each foreign key over the table).
    pub(crate) async fn restore(self, conn: &mut AnyConnection) -> Result<()> {
        run(conn, &self.restore).await
    }
}

/// Whether `table` holds more than `rows` rows (counted no further than that).
async fn holds_more(conn: &mut AnyConnection, table: &str, rows: usize) -> Result<bool> {
    let counted: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {}) s",
        rows + 1
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(counted as usize > rows)
}

/// A name as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn set_aside_sqlite(
    conn: &mut AnyConnection,
    table: &str,
    indexes: bool,
    idle_triggers: &[&str],
) -> Result<SetAside> {
    // Indexes made by a constraint have no SQL of their own and stay.
    let found: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = $1 AND sql IS NOT NULL \
         AND (type = 'index' OR type = 'trigger')",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let (mut drop, mut restore) = (Vec::new(), Vec::new());
    for (kind, name, sql) in found {
        let unique = sql.split_whitespace().nth(1).map(str::to_ascii_uppercase);
        if indexes && kind == "index" && unique.as_deref() != Some("UNIQUE") {
            drop.push(format!("DROP INDEX {}", quoted(&name)));
        } else if kind == "trigger" && idle_triggers.contains(&name.as_str()) {
            drop.push(format!("DROP TRIGGER {}", quoted(&name)));
        } else {
            continue;
        }
        restore.push(sql);
    }
    run(conn, &drop).await?;
    Ok(SetAside { restore })
}

async fn set_aside_postgres(
    conn: &mut AnyConnection,
    table: &str,
    idle_triggers: &[&str],
) -> Result<SetAside> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND NOT x.indisprimary",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = $1::regclass AND contype = 'f'",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let triggers: Vec<String> = sqlx::query_scalar(
        "SELECT tgname::text FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let (mut drop, mut restore) = (Vec::new(), Vec::new());
    for (name, def) in indexes {
        drop.push(format!("DROP INDEX {}", quoted(&name)));
        restore.push(def);
    }
    for (name, def) in keys {
        let name = quoted(&name);
        drop.push(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"));
        restore.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"));
    }
    for name in triggers
        .iter()
        .filter(|t| idle_triggers.contains(&t.as_str()))
    {
        let name = quoted(name);
        drop.push(format!("ALTER TABLE {table} DISABLE TRIGGER {name}"));
        restore.push(format!("ALTER TABLE {table} ENABLE TRIGGER {name}"));
    }
    run(conn, &drop).await?;
    Ok(SetAside { restore })
}
