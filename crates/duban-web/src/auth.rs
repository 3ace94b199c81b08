//! 登录与权限 — who is calling: a browser session (cookie `duban_session`, HttpOnly,
//! SameSite=Lax, Secure behind TLS) or an API token (`Authorization: Bearer …`). A request that
//! changes something with a session cookie must carry the session's CSRF token in
//! `X-CSRF-Token` (the UI's htmx requests always do). Failed logins are throttled per user name
//! and address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use duban_core::Account;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "duban_session";
/// How long a browser stays signed in.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Failed logins allowed per user name and address in [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    /// The session's CSRF token; `None` for an API token (no cookie, nothing to forge).
    pub csrf: Option<String>,
    pub session: Option<String>,
}

impl Caller {
    /// The actor recorded in the audit trail.
    pub fn actor(&self) -> String {
        format!("web:{}", self.account.username)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.account.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("只有督查室管理员可以进行此操作"))
        }
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// The caller, if signed in; a state-changing request on a session must carry its CSRF token.
pub async fn identify(state: &AppState, parts: &Parts) -> Result<Option<Caller>, ApiError> {
    if let Some(token) = bearer(&parts.headers) {
        return match state.store.token_account(&token).await? {
            Some(account) => Ok(Some(Caller {
                account,
                csrf: None,
                session: None,
            })),
            None => Err(ApiError::unauthorized()),
        };
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let (account, csrf) = match state.sessions.get(&token) {
        Some(hit) => hit,
        None => {
            let Some(found) = state.store.session(&token).await? else {
                return Ok(None);
            };
            state.sessions.put(&token, found.clone());
            found
        }
    };
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(csrf.as_str()) {
            return Err(ApiError::csrf());
        }
    }
    Ok(Some(Caller {
        account,
        csrf: Some(csrf),
        session: Some(token),
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(state, parts)
            .await?
            .ok_or_else(ApiError::unauthorized)
    }
}

/// How long a session found in the database is trusted without asking again. Signing out
/// through the app forgets it at once; a password changed from the CLI ends the account's
/// sessions within this time.
pub const SESSION_RECHECK: Duration = Duration::from_secs(30);

/// A session's account and CSRF token, and when they were read from the database.
type Cached = ((Account, String), Instant);

/// Sessions recently found in the database, so a page view costs no query.
#[derive(Default)]
pub struct SessionCache {
    map: Mutex<HashMap<String, Cached>>,
}

impl SessionCache {
    fn get(&self, token: &str) -> Option<(Account, String)> {
        let map = self.map.lock().expect("session cache");
        map.get(token)
            .filter(|(_, at)| at.elapsed() < SESSION_RECHECK)
            .map(|(s, _)| s.clone())
    }

    fn put(&self, token: &str, session: (Account, String)) {
        let mut map = self.map.lock().expect("session cache");
        if map.len() > 10_000 {
            map.retain(|_, (_, at)| at.elapsed() < SESSION_RECHECK);
        }
        map.insert(token.to_string(), (session, Instant::now()));
    }

    /// Forgets a session (signed out).
    pub fn forget(&self, token: &str) {
        self.map.lock().expect("session cache").remove(token);
    }
}

/// Failures per (user name, address): how many, since when.
type Failures = HashMap<(String, Option<IpAddr>), (u32, Instant)>;

/// Counts failed logins per user name and address.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<Failures>,
}

impl Throttle {
    /// Seconds to wait if this user name and address are locked out.
    pub fn locked(&self, username: &str, ip: Option<IpAddr>) -> Option<u64> {
        let map = self.failures.lock().expect("throttle lock");
        let (n, since) = map.get(&(username.to_string(), ip))?;
        let elapsed = since.elapsed();
        (*n >= MAX_FAILURES && elapsed < THROTTLE_WINDOW)
            .then(|| (THROTTLE_WINDOW - elapsed).as_secs().max(1))
    }

    pub fn failed(&self, username: &str, ip: Option<IpAddr>) {
        let mut map = self.failures.lock().expect("throttle lock");
        let e = map
            .entry((username.to_string(), ip))
            .or_insert((0, Instant::now()));
        if e.1.elapsed() >= THROTTLE_WINDOW {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    pub fn succeeded(&self, username: &str, ip: Option<IpAddr>) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(&(username.to_string(), ip));
    }
}

/// The Set-Cookie value of a new session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_TTL.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The Set-Cookie value that signs a browser out.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}
