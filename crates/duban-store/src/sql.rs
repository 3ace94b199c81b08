//! SQL helpers shared by both backends: typed bind values and batched multi-row inserts.
//! Placeholders are `$1, $2, …`, which PostgreSQL and SQLite both accept — except in the
//! large batched inserts, where SQLite gets plain `?`: naming thousands of `$n` parameters
//! makes SQLite's parameter lookup quadratic.

use std::fmt::Write;
use std::sync::Arc;

use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::Result;

/// A value bound to a statement.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        Val::Int(v)
    }
}
/// Text as stored: every text value written through [`Val`] loses its control characters
/// (`duban_core::text::without_controls`).
pub(crate) fn stored_text(v: String) -> String {
    match duban_core::text::without_controls(&v) {
        std::borrow::Cow::Borrowed(_) => v,
        std::borrow::Cow::Owned(clean) => clean,
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(Some(stored_text(v)))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(Some(stored_text(v.to_string())))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::Text(v.map(stored_text))
    }
}

/// Binds one value to a query. Text is bound as a `String`, which sqlx's `Any` driver keeps
/// as it is; bound as an `Option<String>` it would be copied (that driver encodes an option by
/// reference): a province's import copied its 62 MB of audit trail once more so.
pub(crate) fn bind<'q>(
    q: Query<'q, sqlx::Any, AnyArguments>,
    v: Val,
) -> Query<'q, sqlx::Any, AnyArguments> {
    match v {
        Val::Int(i) => q.bind(i),
        Val::Text(Some(t)) => q.bind(t),
        Val::Text(None) => q.bind(None::<String>),
    }
}

/// How many bound values one statement carries at most (SQLite allows 32,766, PostgreSQL
/// 65,535); measured best with the province benchmark.
const MAX_PARAMS_SQLITE: usize = 8_000;
const MAX_PARAMS_POSTGRES: usize = 30_000;

/// Inserts many rows with as few statements as the parameter limits allow.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<()> {
    let numbered = conn.backend_name() != "SQLite";
    let max_params = if numbered {
        MAX_PARAMS_POSTGRES
    } else {
        MAX_PARAMS_SQLITE
    };
    let per_statement = (max_params / columns.len()).max(1);
    // Every full statement has the same text: made once, shared.
    let mut full: Option<Arc<str>> = None;
    let mut sql_for = |n: usize| -> Arc<str> {
        if n == per_statement {
            full.get_or_insert_with(|| insert_sql(table, columns, numbered, n).into())
                .clone()
        } else {
            insert_sql(table, columns, numbered, n).into()
        }
    };
    let mut rows = rows.into_iter();
    let mut next = build_insert(
        columns.len(),
        &mut sql_for,
        rows.by_ref().take(per_statement),
    );
    while let Some(query) = next.take() {
        // Build the next statement while the database runs this one.
        let (done, built) = tokio::join!(query.execute(&mut *conn), async {
            build_insert(
                columns.len(),
                &mut sql_for,
                rows.by_ref().take(per_statement),
            )
        });
        done?;
        next = built;
    }
    Ok(())
}

/// `count` parameters, comma-separated, as `conn`'s backend binds many of them best: `?` on
/// SQLite (which finds a numbered one by searching its names, so thousands of `$n` take
/// quadratic time to bind), `$1, $2, …` elsewhere.
pub(crate) fn placeholders(conn: &AnyConnection, count: usize) -> String {
    if conn.backend_name() == "SQLite" {
        vec!["?"; count].join(",")
    } else {
        (1..=count)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What makes `conn`'s backend order text by code point, as Rust compares strings:
/// PostgreSQL's `"C"` collation; SQLite's own order already is.
pub(crate) fn code_point_order(conn: &AnyConnection) -> &'static str {
    if conn.backend_name() == "SQLite" {
        ""
    } else {
        " COLLATE \"C\""
    }
}

/// The text of a multi-row INSERT of `rows` rows: `?` placeholders on SQLite, numbered ones
/// (`$1, $2, …`) elsewhere (`numbered`).
fn insert_sql(table: &str, columns: &[&str], numbered: bool, rows: usize) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            if numbered {
                // Written straight into the statement: no string a parameter.
                let _ = write!(sql, "${}", r * width + c + 1);
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// One multi-row INSERT of rows `width` values wide with its values bound, its text from
/// `sql_for` (given the number of rows), or None when there are no rows.
fn build_insert(
    width: usize,
    sql_for: &mut impl FnMut(usize) -> Arc<str>,
    rows: impl Iterator<Item = Vec<Val>>,
) -> Option<Query<'static, sqlx::Any, AnyArguments>> {
    // As many as the rows known to come (at most a statement's).
    let mut values: Vec<Val> = Vec::with_capacity(rows.size_hint().0 * width);
    for row in rows {
        debug_assert_eq!(row.len(), width);
        values.extend(row);
    }
    if values.is_empty() {
        return None;
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql_for(values.len() / width)));
    for v in values {
        q = bind(q, v);
    }
    Some(q)
}

/// Binds one value to a typed query.
pub(crate) fn bind_as<'q, T>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, T, AnyArguments>,
    v: Val,
) -> sqlx::query::QueryAs<'q, sqlx::Any, T, AnyArguments> {
    match v {
        Val::Int(i) => q.bind(i),
        Val::Text(Some(t)) => q.bind(t),
        Val::Text(None) => q.bind(None::<String>),
    }
}
