//! 登录与权限 — who is calling: a browser session (cookie `duban_session`, HttpOnly,
//! SameSite=Lax, Secure behind TLS) or an API token (`Authorization: Bearer …`). A request that
//! changes something with a session cookie must carry the session's CSRF token in
//! `X-CSRF-Token` (the UI's htmx requests always do). Failed logins are throttled per user name
//! and address.

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::cookie::Cookie;
use duban_core::Account;

use crate::AppState;
use crate::error::ApiError;
use crate::recent::Recent;

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

/// Sessions recently found in the database, so a page view costs no query. Signing out
/// through this server forgets a session at once; signing out through another server behind
/// the same load balancer, or a password changed from the CLI, ends it within
/// [`crate::recent::RECHECK`].
#[derive(Default)]
pub struct SessionCache {
    /// A session's account and CSRF token, by session token.
    recent: Recent<String, (Account, String)>,
}

impl SessionCache {
    fn get(&self, token: &str) -> Option<(Account, String)> {
        self.recent.get(token)
    }

    fn put(&self, token: &str, session: (Account, String)) {
        self.recent.put(token.to_string(), session);
    }

    /// Forgets a session (signed out).
    pub fn forget(&self, token: &str) {
        self.recent.forget(token);
    }

    /// Forgets every session of an account (changed, disabled or its password reset through
    /// the app), so its next request reads the account as it now is — or finds no session.
    pub fn forget_account(&self, id: i64) {
        self.recent.forget_where(|_, (account, _)| account.id == id);
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
    fn allowed(&self) -> i64 {
        i64::from(match self {
            Key::NameAt(..) => MAX_FAILURES,
            Key::Name(_) => MAX_FAILURES * 4,
            Key::Address(_) => MAX_FAILURES * 10,
        })
    }

    /// The key as the database keeps it.
    fn stored(&self) -> String {
        let ip = |ip: &Option<IpAddr>| ip.map(|a| a.to_string()).unwrap_or_default();
        match self {
            Key::NameAt(name, at) => format!("at:{}:{name}", ip(at)),
            Key::Name(name) => format!("name:{name}"),
            Key::Address(at) => format!("address:{}", ip(at)),
        }
    }
}

/// 登录限制 — failed logins counted by the name as it is compared
/// ([`duban_store::username_key`]: no case, no spaces of any kind), so " admin", "ADMIN\t" and
/// "admin" share one count. The counts are kept in the database, so every server behind a
/// load balancer sees the same ones.
pub mod throttle {
    use super::*;
    use duban_store::Store;

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

    fn window_ms() -> i64 {
        THROTTLE_WINDOW.as_millis() as i64
    }

    /// Seconds to wait if this user name or address is locked out.
    pub async fn locked(
        store: &Store,
        username: &str,
        ip: Option<IpAddr>,
    ) -> duban_store::Result<Option<u64>> {
        let keys = keys(username, ip);
        let stored: Vec<String> = keys.iter().map(Key::stored).collect();
        let counts = store.login_failures(&stored, window_ms()).await?;
        let now = duban_store::now_ms();
        Ok(keys
            .iter()
            .zip(counts)
            .filter(|(k, (n, _))| *n >= k.allowed())
            .map(|(_, (_, since))| ((since + window_ms() - now).max(0) as u64 / 1000).max(1))
            .max())
    }

    pub async fn failed(
        store: &Store,
        username: &str,
        ip: Option<IpAddr>,
    ) -> duban_store::Result<()> {
        let stored: Vec<String> = keys(username, ip).iter().map(Key::stored).collect();
        store.record_login_failure(&stored, window_ms()).await
    }

    /// A success clears the name's count from this address (not the address's, nor the
    /// name's from elsewhere).
    pub async fn succeeded(
        store: &Store,
        username: &str,
        ip: Option<IpAddr>,
    ) -> duban_store::Result<()> {
        let [at, _, _] = keys(username, ip);
        store.clear_login_failures(&at.stored()).await
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
