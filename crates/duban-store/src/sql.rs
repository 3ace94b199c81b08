//! SQL helpers shared by both backends: typed bind values and batched multi-row inserts.
//! Placeholders are `$1, $2, …`, which PostgreSQL and SQLite both accept — except in the
//! large batched inserts, where SQLite gets plain `?`: naming thousands of `$n` parameters
//! makes SQLite's parameter lookup quadratic.

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
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::Text(v)
    }
}

pub(crate) fn bind<'q>(
    q: Query<'q, sqlx::Any, AnyArguments>,
    v: Val,
) -> Query<'q, sqlx::Any, AnyArguments> {
    match v {
        Val::Int(i) => q.bind(i),
        Val::Text(t) => q.bind(t),
    }
}

/// How many bound values one statement carries at most (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 8_000;

/// Inserts many rows with as few statements as the parameter limits allow.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<()> {
    let numbered = conn.backend_name() != "SQLite";
    let width = columns.len();
    let per_statement = (MAX_PARAMS / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), width);
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                n += 1;
                if c > 0 {
                    sql.push(',');
                }
                if numbered {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for v in chunk.into_iter().flatten() {
            q = bind(q, v);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
