//! 账号 — accounts with argon2id password hashes, browser sessions (with their CSRF token) and
//! API tokens. Secrets are random 32-byte values handed out once; only their SHA-256 hashes
//! are stored.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use duban_core::{Account, AccountRole, Leader};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, AuditRecord};
use crate::units::{LeaderBook, UnitDirectory};
use crate::{Result, Store, StoreError};

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: AccountRole,
    /// 所属单位 (name or alias) — required for a reporter.
    pub unit: Option<String>,
    /// The leader this account is — required for a leader.
    pub leader: Option<Leader>,
    pub password: String,
}

/// A signed-in browser: the cookie's secret and the token every form must carry.
#[derive(Debug, Clone)]
pub struct SessionKeys {
    pub token: String,
    pub csrf: String,
}

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

const COLUMNS: &str = "a.id, a.username, a.display_name, a.role, un.name AS unit, \
    l.name AS leader_name, l.title AS leader_title";
const FROM: &str = "FROM users a \
    LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN leaders l ON l.id = a.leader_id";

fn from_row(r: &AnyRow) -> Result<Account> {
    let leader = r
        .try_get::<Option<String>, _>("leader_name")?
        .map(|name| {
            let title: Option<String> = r.try_get("leader_title")?;
            Ok::<_, StoreError>(Leader::new(
                name,
                title.as_deref().filter(|t| !t.is_empty()),
            ))
        })
        .transpose()?;
    Ok(Account {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: AccountRole::parse(&r.try_get::<String, _>("role")?)
            .map_err(|e| StoreError::corrupt("users.role", e))?,
        unit: r.try_get("unit")?,
        leader,
    })
}

/// A fresh random secret, as 64 hex digits.
pub fn secret() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the system's random source");
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Invalid(format!(
            "密码：至少 {MIN_PASSWORD} 个字符"
        )));
    }
    Ok(())
}

async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(format!("密码无法处理：{e}")))
    })
    .await
    .map_err(|e| StoreError::Invalid(e.to_string()))?
}

async fn account_by(conn: &mut AnyConnection, cond: &str, key: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE {cond}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// The account of `username`, or NotFound.
async fn existing(conn: &mut AnyConnection, username: &str) -> Result<Account> {
    account_by(conn, "a.username = $1", username.trim())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "用户",
            key: username.to_string(),
        })
}

impl Store {
    /// Creates an account. A reporter needs a known unit, a leader a known leader.
    pub async fn add_account(&self, actor: &str, a: NewAccount) -> Result<Account> {
        let username = a.username.trim().to_string();
        if username.is_empty()
            || !username
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(StoreError::Invalid(format!(
                "用户名“{username}”：只能用字母、数字、汉字和 _ - ."
            )));
        }
        check_password(&a.password)?;
        let hash = hash_password(a.password.clone()).await?;
        let mut tx = self.pool.begin().await?;
        if account_by(&mut tx, "a.username = $1", &username)
            .await?
            .is_some()
        {
            return Err(StoreError::Invalid(format!("用户名“{username}”已存在")));
        }
        let unit_id = match a.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let dir = UnitDirectory::load(&mut tx).await?;
                let name = dir.canonical(u).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "所属单位：没有名为“{u}”的单位（duban units list 可查看）"
                    ))
                })?;
                dir.id(name)
            }
            None if a.role == AccountRole::Reporter => {
                return Err(StoreError::Invalid(
                    "所属单位：责任单位填报员必须属于一个单位（--unit）".into(),
                ));
            }
            None => None,
        };
        let leader_id = match &a.leader {
            Some(l) => Some(
                LeaderBook::load(&mut tx)
                    .await?
                    .id(l)
                    .ok_or_else(|| StoreError::Invalid(format!("包抓领导：台账中没有“{l}”")))?,
            ),
            None if a.role == AccountRole::Leader => {
                return Err(StoreError::Invalid(
                    "包抓领导：领导账号须对应台账中的一位包抓领导（--leader）".into(),
                ));
            }
            None => None,
        };
        let at = audit::now();
        sqlx::query(
            "INSERT INTO users (username, display_name, role, unit_id, leader_id, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&username)
        .bind(a.display_name.trim())
        .bind(a.role.code())
        .bind(unit_id)
        .bind(leader_id)
        .bind(hash)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let account = account_by(&mut tx, "a.username = $1", &username)
            .await?
            .ok_or_else(|| StoreError::corrupt("users", "inserted row not found"))?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "create",
                "user",
                &username,
                None,
                serde_json::to_value(&account).ok(),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Sets a new password; every session of the account ends.
    pub async fn set_password(&self, actor: &str, username: &str, password: &str) -> Result<()> {
        check_password(password)?;
        let hash = hash_password(password.to_string()).await?;
        let mut tx = self.pool.begin().await?;
        let account = existing(&mut tx, username).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(account.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(account.id)
            .execute(&mut *tx)
            .await?;
        let at = audit::now();
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "password",
                "user",
                &account.username,
                None,
                None,
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {COLUMNS} {FROM} ORDER BY a.username");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The account if the password is right (argon2id, checked off the async threads).
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<Account>> {
        let mut conn = self.pool.acquire().await?;
        let Some(account) = account_by(&mut conn, "a.username = $1", username.trim()).await? else {
            return Ok(None);
        };
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(account.id)
            .fetch_one(&mut *conn)
            .await?;
        drop(conn);
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        Ok(ok.then_some(account))
    }

    /// Opens a browser session for `ttl`.
    pub async fn open_session(&self, account: &Account, ttl: Duration) -> Result<SessionKeys> {
        let keys = SessionKeys {
            token: secret(),
            csrf: secret(),
        };
        let expires = chrono::Utc::now()
            + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(8));
        // Sessions past their time go when a new one opens.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(audit::now())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest(&keys.token))
        .bind(account.id)
        .bind(&keys.csrf)
        .bind(expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .execute(&self.pool)
        .await?;
        Ok(keys)
    }

    /// The account and CSRF token of a live session.
    pub async fn session(&self, token: &str) -> Result<Option<(Account, String)>> {
        let sql = format!(
            "SELECT s.csrf, {COLUMNS} {FROM} JOIN sessions s ON s.user_id = a.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest(token))
            .bind(audit::now())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((from_row(&row)?, row.try_get("csrf")?)))
    }

    /// Ends a session (sign out).
    pub async fn close_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(digest(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Issues an API token for scripts; the secret is shown once.
    pub async fn issue_token(&self, actor: &str, username: &str, name: &str) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let account = existing(&mut tx, username).await?;
        let token = secret();
        let at = audit::now();
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(digest(&token))
            .bind(account.id)
            .bind(name)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "token",
                "user",
                &account.username,
                None,
                Some(serde_json::json!({ "token_name": name })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account an API token belongs to.
    pub async fn token_account(&self, token: &str) -> Result<Option<Account>> {
        let mut conn = self.pool.acquire().await?;
        account_by(
            &mut conn,
            "a.id = (SELECT t.user_id FROM api_tokens t WHERE t.token_hash = $1)",
            &digest(token),
        )
        .await
    }
}
