//! 账号 — accounts with argon2id password hashes, browser sessions (with their CSRF token) and
//! API tokens. Secrets are random 32-byte values handed out once; only their SHA-256 hashes
//! are stored.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use duban_core::{Account, AccountRole, Leader};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

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

pub use crate::password::{
    MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD, check_password, fresh_password, username_key,
};

/// How long an API token lives unless told otherwise.
pub const TOKEN_DAYS: i64 = 90;
/// The longest life an API token may be given.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// What became of a sign-in, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// 登录
    Succeeded,
    /// 登录失败
    Failed,
    /// 退出
    SignedOut,
    /// 登录被拒 — the right password for a disabled account.
    Refused,
}

impl SignIn {
    fn action(self) -> &'static str {
        match self {
            SignIn::Succeeded => "login",
            SignIn::Failed => "login_failed",
            SignIn::SignedOut => "logout",
            SignIn::Refused => "login_refused",
        }
    }
}

/// What a sign-in attempt meets ([`Store::check_sign_in`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PasswordCheck {
    /// The account, signed in.
    Valid(Account),
    /// No such name, or a wrong password (not told apart).
    Wrong,
    /// 已停用 — the right password for a disabled account.
    Disabled(Account),
}

/// 用户 — an account as the office's 用户管理 lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UserListing {
    #[serde(flatten)]
    pub account: Account,
    /// 已停用 — cannot sign in; its sessions and tokens have ended.
    pub disabled: bool,
    /// 创建时间 — UTC, RFC 3339.
    pub created_at: String,
}

/// 用户修改 — what the office may change about an account (not its name: the audit trail
/// and the sign-in throttle know accounts by it).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountEdit {
    pub display_name: String,
    pub role: AccountRole,
    /// 所属单位 (name or alias) — required for a reporter.
    pub unit: Option<String>,
    /// The leader this account is — required for a leader.
    pub leader: Option<Leader>,
}

/// An account as its audit rows show it.
fn account_json(a: &Account) -> serde_json::Value {
    serde_json::json!({
        "display_name": a.display_name,
        "role": a.role.code(),
        "unit": a.unit,
        "leader": a.leader.as_ref().map(|l| l.to_string()),
    })
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TokenListing {
    pub username: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
    /// 已撤销 — when, if it was revoked (by hand or by a password change).
    pub revoked_at: Option<String>,
}

/// The API tokens with their accounts' names.
const TOKENS: &str = "SELECT a.username, t.name, t.created_at, t.expires_at, t.revoked_at \
    FROM api_tokens t JOIN users a ON a.id = t.user_id";

/// A row of [`TOKENS`], as stored.
#[derive(sqlx::FromRow)]
struct TokenRow {
    username: String,
    name: String,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

/// A token issued before tokens had an end lives [`TOKEN_DAYS`] from its issue.
impl From<TokenRow> for TokenListing {
    fn from(r: TokenRow) -> TokenListing {
        let expires_at = match r.expires_at {
            Some(e) => e,
            None => chrono::DateTime::parse_from_rfc3339(&r.created_at)
                .map(|c| {
                    (c + chrono::Duration::days(TOKEN_DAYS))
                        .to_utc()
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                })
                .unwrap_or_default(),
        };
        TokenListing {
            username: r.username,
            name: r.name,
            created_at: r.created_at,
            expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

const COLUMNS: &str = "a.id, a.username, a.display_name, a.role, un.name AS unit, \
    l.name AS leader_name, l.title AS leader_title, a.disabled_at, a.created_at";
const FROM: &str = "FROM users a \
    LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN leaders l ON l.id = a.leader_id";

/// A row of [`COLUMNS`] [`FROM`], as stored.
#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    unit: Option<String>,
    leader_name: Option<String>,
    leader_title: Option<String>,
    disabled_at: Option<String>,
    created_at: String,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;

    fn try_from(r: AccountRow) -> Result<Account> {
        let leader_title = r.leader_title;
        Ok(Account {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: AccountRole::parse(&r.role).map_err(|e| StoreError::corrupt("users.role", e))?,
            unit: r.unit,
            leader: r
                .leader_name
                .map(|name| Leader::new(name, leader_title.as_deref().filter(|t| !t.is_empty()))),
        })
    }
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

/// A hash of no account's password, checked when the name is unknown so that the refusal
/// takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        Argon2::default()
            .hash_password(secret().as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
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
    sqlx::query_as::<_, AccountRow>(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .map(Account::try_from)
        .transpose()
}

/// The listing of `username`, or NotFound.
async fn listing(conn: &mut AnyConnection, username: &str) -> Result<UserListing> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.username_key = $1");
    let row = sqlx::query_as::<_, AccountRow>(sqlx::AssertSqlSafe(sql))
        .bind(username_key(username))
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "用户",
            key: username.to_string(),
        })?;
    UserListing::try_from(row)
}

impl TryFrom<AccountRow> for UserListing {
    type Error = StoreError;

    fn try_from(mut r: AccountRow) -> Result<UserListing> {
        let disabled = r.disabled_at.take().is_some();
        let created_at = std::mem::take(&mut r.created_at);
        Ok(UserListing {
            account: r.try_into()?,
            disabled,
            created_at,
        })
    }
}

/// Refuses to leave no administrator who can sign in: `id` is about to stop being one.
async fn keep_an_admin(conn: &mut AnyConnection, id: i64, username: &str) -> Result<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if others == 0 {
        return Err(StoreError::Invalid(format!(
            "“{username}”是唯一在用的督查室管理员：请先为另一位用户设置管理员角色，否则将无人能管理系统"
        )));
    }
    Ok(())
}

/// Ends every session and API token of an account at once.
async fn end_sessions_and_tokens(conn: &mut AnyConnection, id: i64, at: &str) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The account of `username`, or NotFound.
async fn existing(conn: &mut AnyConnection, username: &str) -> Result<Account> {
    account_by(conn, "a.username_key = $1", &username_key(username))
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "用户",
            key: username.to_string(),
        })
}

impl Store {
    /// Creates an account. A reporter needs a known unit, a leader a known leader.
    pub async fn add_account(&self, actor: &str, a: NewAccount) -> Result<Account> {
        let username = duban_core::text::name(&a.username);
        if username.is_empty()
            || !username
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(StoreError::Invalid(
                "用户名：只能用字母、数字、汉字和 _ - .".into(),
            ));
        }
        if username.chars().count() > MAX_USERNAME {
            return Err(StoreError::Invalid(format!(
                "用户名：不能超过 {MAX_USERNAME} 个字符"
            )));
        }
        let display_name = duban_core::text::without_controls(a.display_name.trim()).to_string();
        if display_name.chars().count() > 64 {
            return Err(StoreError::Invalid("姓名：不能超过 64 个字符".into()));
        }
        check_password(&username, &a.password)?;
        let hash = hash_password(a.password.clone()).await?;
        let mut tx = self.write_tx().await?;
        let key = username_key(&username);
        if let Some(other) = account_by(&mut tx, "a.username_key = $1", &key).await? {
            return Err(StoreError::Invalid(format!(
                "用户名“{username}”已存在（与“{}”视为同一用户名，不区分大小写）",
                other.username
            )));
        }
        let unit_id = match a.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let dir = UnitDirectory::load(&mut tx).await?;
                let name = dir.canonical(u).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "所属单位：没有名为“{u}”的单位（可在单位名录中查看）"
                    ))
                })?;
                if dir.is_disabled(name) {
                    return Err(StoreError::Invalid(format!(
                        "所属单位：“{name}”已停用，请选择在用的单位"
                    )));
                }
                dir.id(name)
            }
            None if a.role == AccountRole::Reporter => {
                return Err(StoreError::Invalid(
                    "所属单位：责任单位填报员必须属于一个单位".into(),
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
                    "包抓领导：领导账号须对应台账中的一位包抓领导".into(),
                ));
            }
            None => None,
        };
        let at = audit::now();
        sqlx::query(
            "INSERT INTO users (username, display_name, role, unit_id, leader_id, password_hash, created_at, username_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&username)
        .bind(&display_name)
        .bind(a.role.code())
        .bind(unit_id)
        .bind(leader_id)
        .bind(hash)
        .bind(&at)
        .bind(&key)
        .execute(&mut *tx)
        .await?;
        let account = account_by(&mut tx, "a.username_key = $1", &key)
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

    /// Sets a new password; every session and API token of the account ends.
    pub async fn set_password(&self, actor: &str, username: &str, password: &str) -> Result<()> {
        self.write_password(actor, username, password, None).await
    }

    /// The office resets a password (the reason goes into the audit trail); every session and
    /// API token of the account ends. A disabled account stays disabled.
    pub async fn reset_password(
        &self,
        actor: &str,
        username: &str,
        password: &str,
        reason: &str,
    ) -> Result<()> {
        let reason = audit::required_reason(reason)?;
        self.write_password(actor, username, password, Some(&reason))
            .await
    }

    async fn write_password(
        &self,
        actor: &str,
        username: &str,
        password: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        check_password(username, password)?;
        let hash = hash_password(password.to_string()).await?;
        let mut tx = self.write_tx().await?;
        let account = existing(&mut tx, username).await?;
        let at = audit::now();
        end_sessions_and_tokens(&mut tx, account.id, &at).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(account.id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            vec![
                AuditRecord::values(
                    actor,
                    &at,
                    "password",
                    "user",
                    &account.username,
                    None,
                    None,
                )
                .with_reason(reason.unwrap_or_default()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account with whether it is disabled, by username.
    pub async fn users(&self) -> Result<Vec<UserListing>> {
        let sql = format!("SELECT {COLUMNS} {FROM} ORDER BY a.username");
        sqlx::query_as::<_, AccountRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(UserListing::try_from)
            .collect()
    }

    /// One account as 用户管理 lists it.
    pub async fn user(&self, username: &str) -> Result<UserListing> {
        let mut conn = self.pool.acquire().await?;
        listing(&mut conn, username).await
    }

    /// Changes an account's name shown, role, unit and leader, with the reason in the audit
    /// trail. The unit is one of the directory in use (a unit already disabled may stay the
    /// account's unit); the last administrator in use stays one. Nothing is written when
    /// nothing changes (the account, false).
    pub async fn update_account(
        &self,
        actor: &str,
        username: &str,
        edit: AccountEdit,
        reason: &str,
    ) -> Result<(Account, bool)> {
        let reason = audit::required_reason(reason)?;
        let display_name = duban_core::text::without_controls(edit.display_name.trim()).to_string();
        if display_name.is_empty() {
            return Err(StoreError::Invalid("姓名：不能为空".into()));
        }
        if display_name.chars().count() > 64 {
            return Err(StoreError::Invalid("姓名：不能超过 64 个字符".into()));
        }
        let mut tx = self.write_tx().await?;
        let current = listing(&mut tx, username).await?;
        let old = current.account;
        let dir = UnitDirectory::load(&mut tx).await?;
        let unit = match edit
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(u) => {
                let name = dir.canonical(u).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "所属单位：没有名为“{u}”的单位（请从单位名录中选择）"
                    ))
                })?;
                if dir.is_disabled(name) && old.unit.as_deref() != Some(name) {
                    return Err(StoreError::Invalid(format!(
                        "所属单位：“{name}”已停用，请选择在用的单位"
                    )));
                }
                Some((name.to_string(), dir.id(name)))
            }
            None if edit.role == AccountRole::Reporter => {
                return Err(StoreError::Invalid(
                    "所属单位：责任单位填报员必须属于一个单位".into(),
                ));
            }
            None => None,
        };
        let leader = match &edit.leader {
            Some(l) => {
                let id = LeaderBook::load(&mut tx)
                    .await?
                    .id(l)
                    .ok_or_else(|| StoreError::Invalid(format!("包抓领导：台账中没有“{l}”")))?;
                Some((l.clone(), id))
            }
            None if edit.role == AccountRole::Leader => {
                return Err(StoreError::Invalid(
                    "包抓领导：领导账号须对应台账中的一位包抓领导".into(),
                ));
            }
            None => None,
        };
        if old.role == AccountRole::Admin && edit.role != AccountRole::Admin && !current.disabled {
            keep_an_admin(&mut tx, old.id, &old.username).await?;
        }
        let new = Account {
            id: old.id,
            username: old.username.clone(),
            display_name,
            role: edit.role,
            unit: unit.as_ref().map(|(n, _)| n.clone()),
            leader: leader.as_ref().map(|(l, _)| l.clone()),
        };
        let Some((b, a)) = audit::diff(&account_json(&old), &account_json(&new)) else {
            return Ok((old, false));
        };
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, unit_id = $3, leader_id = $4 WHERE id = $5",
        )
        .bind(&new.display_name)
        .bind(new.role.code())
        .bind(unit.and_then(|(_, id)| id))
        .bind(leader.map(|(_, id)| id))
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        let at = audit::now();
        audit::record(
            &mut tx,
            vec![
                AuditRecord::values(
                    actor,
                    &at,
                    "update",
                    "user",
                    &old.username,
                    Some(b),
                    Some(a),
                )
                .with_reason(&reason),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok((new, true))
    }

    /// Disables an account (or enables it again), with the reason in the audit trail. A
    /// disabled account cannot sign in; its sessions and API tokens end at once (enabled
    /// again, it signs in anew and is issued new tokens). The last administrator in use is
    /// not disabled.
    pub async fn set_account_disabled(
        &self,
        actor: &str,
        username: &str,
        disabled: bool,
        reason: &str,
    ) -> Result<Account> {
        let reason = audit::required_reason(reason)?;
        let mut tx = self.write_tx().await?;
        let current = listing(&mut tx, username).await?;
        let account = current.account;
        if current.disabled == disabled {
            return Err(StoreError::Invalid(format!(
                "用户“{}”{}",
                account.username,
                if disabled {
                    "已经停用"
                } else {
                    "在用，无需启用"
                }
            )));
        }
        if disabled && account.role == AccountRole::Admin {
            keep_an_admin(&mut tx, account.id, &account.username).await?;
        }
        let at = audit::now();
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled.then(|| at.clone()))
            .bind(account.id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_sessions_and_tokens(&mut tx, account.id, &at).await?;
        }
        audit::record(
            &mut tx,
            vec![audit::disabling(
                actor,
                &at,
                ("user", &account.username),
                disabled,
                &reason,
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Every account, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {COLUMNS} {FROM} ORDER BY a.username");
        sqlx::query_as::<_, AccountRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// The account if the password is right (argon2id, checked off the async threads). An
    /// unknown name costs the same as a wrong password (a hash is checked either way), so the
    /// time of a refusal does not tell which names exist.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<Account>> {
        Ok(match self.check_sign_in(username, password).await? {
            PasswordCheck::Valid(a) => Some(a),
            PasswordCheck::Wrong | PasswordCheck::Disabled(_) => None,
        })
    }

    /// What a sign-in with this name and password meets: the account, a wrong name or
    /// password (the same to the caller, and as slow), or a disabled account (the password
    /// was right: it is told why it may not sign in).
    pub async fn check_sign_in(&self, username: &str, password: &str) -> Result<PasswordCheck> {
        let key = username_key(username);
        let found = if key.is_empty() || key.chars().count() > MAX_USERNAME {
            None
        } else {
            let mut conn = self.pool.acquire().await?;
            match account_by(&mut conn, "a.username_key = $1", &key).await? {
                Some(account) => {
                    let (hash, disabled): (String, Option<String>) = sqlx::query_as(
                        "SELECT password_hash, disabled_at FROM users WHERE id = $1",
                    )
                    .bind(account.id)
                    .fetch_one(&mut *conn)
                    .await?;
                    Some(((account, disabled.is_some()), hash))
                }
                None => None,
            }
        };
        let (account, hash) = match found {
            Some((a, h)) => (Some(a), h),
            None => (None, decoy_hash().to_string()),
        };
        let password: String = password.chars().take(MAX_PASSWORD + 1).collect();
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
        Ok(match account.filter(|_| ok) {
            Some((a, false)) => PasswordCheck::Valid(a),
            Some((a, true)) => PasswordCheck::Disabled(a),
            None => PasswordCheck::Wrong,
        })
    }

    /// Records a sign-in, a failed one or a sign-out in the audit trail (who, from where).
    pub async fn record_sign_in(
        &self,
        username: &str,
        outcome: SignIn,
        address: Option<&str>,
    ) -> Result<()> {
        // Filed under the name as it is compared, so an account's trail shows every attempt
        // at it however it was typed; the name as typed is the actor.
        let typed: String = username.chars().take(MAX_USERNAME + 8).collect();
        let key: String = username_key(username)
            .chars()
            .take(MAX_USERNAME + 8)
            .collect();
        let mut tx = self.write_tx_quiet().await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                &typed,
                &audit::now(),
                outcome.action(),
                "user",
                &key,
                None,
                address.map(|a| serde_json::json!({ "address": a })),
            )],
        )
        .await?;
        tx.commit().await
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
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL"
        );
        /// A row of the session's select, as stored.
        #[derive(sqlx::FromRow)]
        struct SessionRow {
            csrf: String,
            #[sqlx(flatten)]
            account: AccountRow,
        }
        let Some(row) = sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql))
            .bind(digest(token))
            .bind(audit::now())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((row.account.try_into()?, row.csrf)))
    }

    /// Ends a session (sign out).
    pub async fn close_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(digest(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Issues an API token for scripts, valid for `days` (1–366); the secret is shown once.
    pub async fn issue_token(
        &self,
        actor: &str,
        username: &str,
        name: &str,
        days: i64,
    ) -> Result<String> {
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(StoreError::Invalid(format!(
                "有效期：1 至 {MAX_TOKEN_DAYS} 天"
            )));
        }
        let name = duban_core::text::without_controls(name.trim()).to_string();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::Invalid("令牌名称：1 至 64 个字符".into()));
        }
        let mut tx = self.write_tx().await?;
        let account = existing(&mut tx, username).await?;
        let token = secret();
        let at = audit::now();
        let expires = (chrono::Utc::now() + chrono::Duration::days(days))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(&token))
        .bind(account.id)
        .bind(&name)
        .bind(&at)
        .bind(&expires)
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
                Some(serde_json::json!({ "token_name": name, "expires_at": expires })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account a live API token belongs to (not revoked, not past its time; a token
    /// issued before tokens had an end lives [`TOKEN_DAYS`] from its issue).
    pub async fn token_account(&self, token: &str) -> Result<Option<Account>> {
        if token.len() > 128 {
            return Ok(None);
        }
        let now = chrono::Utc::now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let sql = format!(
            "SELECT {COLUMNS} {FROM} JOIN api_tokens t ON t.user_id = a.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.disabled_at IS NULL \
               AND (t.expires_at > $2 OR (t.expires_at IS NULL AND t.created_at > $3))"
        );
        sqlx::query_as::<_, AccountRow>(sqlx::AssertSqlSafe(sql))
            .bind(digest(token))
            .bind(stamp(now))
            .bind(stamp(now - chrono::Duration::days(TOKEN_DAYS)))
            .fetch_optional(&self.pool)
            .await?
            .map(Account::try_from)
            .transpose()
    }

    /// Revokes the API tokens of `username` named `name` (every one of them if None); how
    /// many were live.
    pub async fn revoke_tokens(
        &self,
        actor: &str,
        username: &str,
        name: Option<&str>,
    ) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let account = existing(&mut tx, username).await?;
        let at = audit::now();
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE user_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR name = $3)",
        )
        .bind(&at)
        .bind(account.id)
        .bind(name.map(str::trim))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "revoke_token",
                "user",
                &account.username,
                None,
                Some(serde_json::json!({ "token_name": name, "revoked": done })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The API tokens of `username` (of everybody if None), newest first.
    pub async fn tokens(&self, username: Option<&str>) -> Result<Vec<TokenListing>> {
        let key = username.map(username_key);
        let sql = format!(
            "{TOKENS} WHERE ($1 IS NULL OR a.username_key = $1) ORDER BY t.created_at DESC"
        );
        Ok(sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(TokenListing::from)
            .collect())
    }
}
