//! 临时库 — a database of its own on a PostgreSQL server, for a benchmark that must not write
//! into the user's data: created empty under a unique name beside the database the URL names,
//! dropped afterwards.

use sqlx::{Connection, Executor};

use crate::{Result, StoreError};

/// A scratch database: its URL, and how to drop it.
#[derive(Debug)]
pub struct ScratchDatabase {
    pub url: String,
    server: String,
    name: String,
}

/// The URL with its database replaced by `name` (options after `?` kept).
fn with_database(url: &str, name: &str) -> Option<String> {
    let (base, options) = match url.split_once('?') {
        Some((b, o)) => (b, Some(o)),
        None => (url, None),
    };
    let (server, _) = base.rsplit_once('/').filter(|(s, _)| s.contains("//"))?;
    Some(match options {
        Some(o) => format!("{server}/{name}?{o}"),
        None => format!("{server}/{name}"),
    })
}

impl ScratchDatabase {
    /// Creates `PREFIX_<pid>_<random>` on the PostgreSQL server of `server_url`.
    pub async fn create(server_url: &str, prefix: &str) -> Result<ScratchDatabase> {
        let suffix: String = crate::secret().chars().take(10).collect();
        let name = format!("{prefix}_{}_{suffix}", std::process::id());
        let url = with_database(server_url, &name).ok_or_else(|| {
            StoreError::Invalid(format!(
                "数据库地址：应为 postgres://用户@主机:端口/库名，收到 {}",
                crate::redact(server_url)
            ))
        })?;
        let mut conn = sqlx::PgConnection::connect(server_url).await?;
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        conn.close().await?;
        Ok(ScratchDatabase {
            url,
            server: server_url.to_string(),
            name,
        })
    }

    /// Drops the database (its connections cut).
    pub async fn drop_now(self) -> Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.server).await?;
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .await?;
        conn.close().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_replaced_and_the_options_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/prod?sslmode=require", "x").as_deref(),
            Some("postgres://u@h:5432/x?sslmode=require")
        );
        assert_eq!(
            with_database("postgres://u@h/prod", "x").as_deref(),
            Some("postgres://u@h/x")
        );
        assert_eq!(with_database("nonsense", "x"), None);
    }
}
