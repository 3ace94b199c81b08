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
use axum_extra::extract::cookie::Cookie;
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
    /// The header's counts, for a page shown whole (a page visitor's; none for the API).
    pub badges: Option<crate::page::Badges>,
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

/// The value of the first cookie called `name` in the request's Cookie headers, parsed by the
/// cookie crate (through axum-extra). The first, as before: a browser sends the cookie of the
/// most specific path first, and a cookie of the same name set by a neighbouring site comes
/// after ours (a [`CookieJar`](axum_extra::extract::cookie::CookieJar) keeps the last).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
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
                badges: None,
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
        badges: None,
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

    /// Forgets every session of an account (changed, disabled or its password reset through
    /// the app), so its next request reads the account as it now is — or finds no session.
    pub fn forget_account(&self, id: i64) {
        self.map
            .lock()
            .expect("session cache")
            .retain(|_, ((account, _), _)| account.id != id);
    }
}

/// What failed logins are counted against: a user name from one address, a user name from
/// any address (a spread guessing of one account), or an address whatever the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    NameAt(String, Option<IpAddr>),
    Name(String),
    Address(Option<IpAddr>),
}

impl Key {
    /// Failures allowed for this key within [`THROTTLE_WINDOW`].
    fn allowed(&self) -> u32 {
        match self {
            Key::NameAt(..) => MAX_FAILURES,
            Key::Name(_) => MAX_FAILURES * 4,
            Key::Address(_) => MAX_FAILURES * 10,
        }
    }
}

/// Keys kept at most; past it the oldest windows are dropped first.
const THROTTLE_KEYS: usize = 100_000;

/// Counts failed logins by the name as it is compared ([`duban_store::username_key`]: no
/// case, no spaces of any kind), so " admin", "ADMIN\t" and "admin" share one count.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

impl Throttle {
    fn keys(username: &str, ip: Option<IpAddr>) -> [Key; 3] {
        let name: String = duban_store::username_key(username)
            .chars()
            .take(duban_store::MAX_USERNAME + 1)
            .collect();
        [
            Key::NameAt(name.clone(), ip),
            Key::Name(name),
            Key::Address(ip),
        ]
    }

    /// Seconds to wait if this user name or address is locked out.
    pub fn locked(&self, username: &str, ip: Option<IpAddr>) -> Option<u64> {
        let map = self.failures.lock().expect("throttle lock");
        Self::keys(username, ip)
            .iter()
            .filter_map(|k| {
                let (n, since) = map.get(k)?;
                let elapsed = since.elapsed();
                (*n >= k.allowed() && elapsed < THROTTLE_WINDOW)
                    .then(|| (THROTTLE_WINDOW - elapsed).as_secs().max(1))
            })
            .max()
    }

    pub fn failed(&self, username: &str, ip: Option<IpAddr>) {
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() >= THROTTLE_KEYS {
            map.retain(|_, (_, since)| since.elapsed() < THROTTLE_WINDOW);
            if map.len() >= THROTTLE_KEYS {
                // Still full of live windows: forget the oldest half.
                let mut ages: Vec<Instant> = map.values().map(|(_, s)| *s).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                map.retain(|_, (_, since)| *since > cut);
            }
        }
        for k in Self::keys(username, ip) {
            let e = map.entry(k).or_insert((0, Instant::now()));
            if e.1.elapsed() >= THROTTLE_WINDOW {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    /// A success clears the name's count from this address (not the address's, nor the
    /// name's from elsewhere).
    pub fn succeeded(&self, username: &str, ip: Option<IpAddr>) {
        let [at, _, _] = Self::keys(username, ip);
        self.failures.lock().expect("throttle lock").remove(&at);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_read_by_name_the_first_wins() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "duban_login=abc; duban_session=s1 ;other=x=y"
                .parse()
                .unwrap(),
        );
        h.append(header::COOKIE, "duban_session=s2".parse().unwrap());
        assert_eq!(cookie(&h, "duban_session").as_deref(), Some("s1"));
        assert_eq!(cookie(&h, "duban_login").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "other").as_deref(), Some("x=y"));
        assert_eq!(cookie(&h, "missing"), None);
        assert_eq!(cookie(&HeaderMap::new(), SESSION_COOKIE), None);
    }
}
