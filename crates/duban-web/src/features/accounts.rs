//! 账号 — signing in and out (the login page and `/api/session`), who is signed in
//! (`/api/me`), and the office's administration of accounts (the 用户管理 page and
//! `/api/users`). Failed sign-ins are throttled and every sign-in is audited.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use duban_core::{Account, AccountRole, Leader};
use duban_store::NewAccount;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, message, page, render};
use crate::schema::{AccountRoleCode, LeaderView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout_page))
        .route("/admin/users", get(users_page).post(add_user_page))
        .route("/api/session", post(login).delete(logout))
        .route("/api/me", get(me))
        .route("/api/users", get(users).post(add_user))
}

/// 登录
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Checks a password with throttling; the account on success.
pub async fn sign_in(
    s: &AppState,
    ip: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> ApiResult<(Account, duban_store::SessionKeys)> {
    if let Some(wait) = s.throttle.locked(username, ip) {
        return Err(ApiError::throttled(wait));
    }
    let address = ip.map(|a| a.to_string());
    let Some(account) = s.store.verify_password(username, password).await? else {
        s.throttle.failed(username, ip);
        tracing::warn!(username, ?ip, "failed login");
        s.store
            .record_sign_in(username, duban_store::SignIn::Failed, address.as_deref())
            .await?;
        return Err(ApiError {
            code: "unauthorized",
            title: "登录失败",
            status: 401,
            detail: "用户名或密码不正确".into(),
        });
    };
    s.throttle.succeeded(username, ip);
    let keys = s.store.open_session(&account, auth::SESSION_TTL).await?;
    s.store
        .record_sign_in(
            &account.username,
            duban_store::SignIn::Succeeded,
            address.as_deref(),
        )
        .await?;
    tracing::info!(username, "signed in");
    Ok((account, keys))
}

/// Ends the caller's browser session, recorded in the audit trail.
pub async fn sign_out(s: &AppState, caller: &Caller) -> ApiResult<()> {
    if let Some(token) = &caller.session {
        s.sessions.forget(token);
        s.store.close_session(token).await?;
        s.store
            .record_sign_in(
                &caller.account.username,
                duban_store::SignIn::SignedOut,
                None,
            )
            .await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/session", tag = "账号", request_body = LoginRequest,
    responses((status = 200, description = "已登录：会话 Cookie 与 CSRF 令牌", body = Session),
              (status = 401, body = ApiError), (status = 429, body = ApiError)))]
async fn login(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    let (account, keys) = sign_in(&s, Some(addr.ip()), &req.username, &req.password).await?;
    let mut res = Json(Session {
        user: account.into(),
        csrf: keys.csrf,
    })
    .into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&keys.token, s.secure_cookies)
            .parse()
            .map_err(ApiError::internal)?,
    );
    Ok(res)
}

#[utoipa::path(delete, path = "/api/session", tag = "账号",
    responses((status = 204, description = "已退出")))]
async fn logout(State(s): State<AppState>, caller: Caller) -> ApiResult<Response> {
    sign_out(&s, &caller).await?;
    let mut res = axum::http::StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_cookie(s.secure_cookies)
            .parse()
            .map_err(ApiError::internal)?,
    );
    Ok(res)
}

#[utoipa::path(get, path = "/api/me", tag = "账号",
    responses((status = 200, description = "当前用户", body = Me), (status = 401, body = ApiError)))]
async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        user: caller.account.into(),
        csrf: caller.csrf,
    })
}

#[utoipa::path(get, path = "/api/users", tag = "账号",
    responses((status = 200, description = "全部账号（管理员）", body = Vec<AccountView>), (status = 403, body = ApiError)))]
async fn users(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<AccountView>>> {
    caller.require_admin()?;
    let accounts = s.store.accounts().await?;
    Ok(Json(accounts.into_iter().map(Into::into).collect()))
}

/// 新建账号
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    /// admin|leader|reporter|judge|viewer
    pub role: String,
    pub unit: Option<String>,
    /// 包抓领导 as in the ledger, e.g. "王某（副市长）".
    pub leader: Option<String>,
    pub password: String,
}

impl NewUserRequest {
    pub fn into_account(self) -> ApiResult<NewAccount> {
        let role =
            AccountRole::parse(&self.role).map_err(|e| ApiError::invalid(format!("角色：{e}")))?;
        let leader = match self
            .leader
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(l) => Some(
                Leader::parse_list(l)
                    .into_iter()
                    .next()
                    .ok_or_else(|| ApiError::invalid(format!("包抓领导：无法识别“{l}”")))?,
            ),
            None => None,
        };
        Ok(NewAccount {
            username: self.username,
            display_name: self.display_name,
            role,
            unit: self.unit.filter(|u| !u.trim().is_empty()),
            leader,
            password: self.password,
        })
    }
}

#[utoipa::path(post, path = "/api/users", tag = "账号", request_body = NewUserRequest,
    responses((status = 200, description = "已创建", body = AccountView), (status = 403, body = ApiError),
              (status = 422, body = ApiError)))]
async fn add_user(
    State(s): State<AppState>,
    caller: Caller,
    Json(req): Json<NewUserRequest>,
) -> ApiResult<Json<AccountView>> {
    caller.require_admin()?;
    let account = s
        .store
        .add_account(&caller.actor(), req.into_account()?)
        .await?;
    Ok(Json(account.into()))
}

// ---- what the API answers ----

/// 账号 — a person who signs in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountView {
    pub id: i64,
    /// 用户名
    pub username: String,
    /// 姓名
    pub display_name: String,
    #[schema(value_type = AccountRoleCode)]
    pub role: AccountRole,
    /// 所属单位 — a reporter's unit.
    pub unit: Option<String>,
    /// The leader this account is (role leader).
    pub leader: Option<LeaderView>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        let Account {
            id,
            username,
            display_name,
            role,
            unit,
            leader,
        } = a;
        AccountView {
            id,
            username,
            display_name,
            role,
            unit,
            leader: leader.map(Into::into),
        }
    }
}

/// 已登录 — the account, and the CSRF token to send with every state-changing request of the
/// session (X-CSRF-Token).
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub user: AccountView,
    pub csrf: String,
}

/// 当前用户 — the account, and the session's CSRF token (null with an API token).
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: AccountView,
    pub csrf: Option<String>,
}

// ---- the pages ----

/// The login form's own CSRF check (before there is a session): the page sets a random
/// cookie and repeats it in a hidden field; a form posted from another site cannot read the
/// cookie to repeat it.
const LOGIN_COOKIE: &str = "duban_login";

/// The login page with a fresh login token (cookie and hidden field).
fn login_form(s: &AppState, status: StatusCode, error: Option<&str>, username: &str) -> Response {
    let token = duban_store::secret();
    let page = render(
        s,
        "login.html",
        context! { error => error, username => username, login_csrf => &token },
    );
    match page {
        Ok(h) => {
            let mut r = (status, h).into_response();
            let cookie = format!(
                "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
                if s.secure_cookies { "; Secure" } else { "" }
            );
            if let Ok(v) = cookie.parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => e.into_response(),
    }
}

async fn login_page(State(s): State<AppState>) -> Response {
    login_form(&s, StatusCode::OK, None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    login_csrf: String,
}

async fn login_submit(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let username: String = f.username.chars().take(64).collect();
    let expected = auth::cookie(&headers, LOGIN_COOKIE);
    if f.login_csrf.is_empty() || expected.as_deref() != Some(f.login_csrf.as_str()) {
        return login_form(
            &s,
            StatusCode::FORBIDDEN,
            Some("登录页面已过期或来源无法验证，请重新输入用户名和密码"),
            &username,
        );
    }
    match sign_in(&s, Some(addr.ip()), &f.username, &f.password).await {
        Ok((_, keys)) => {
            let mut r = Redirect::to("/").into_response();
            if let Ok(v) = auth::session_cookie(&keys.token, s.secure_cookies).parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => login_form(&s, e.status(), Some(&e.detail), &username),
    }
}

async fn logout_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult<Response> {
    sign_out(&s, &c).await?;
    let mut r = ([("hx-redirect", "/login")], StatusCode::NO_CONTENT).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_cookie(s.secure_cookies)
            .parse()
            .map_err(ApiError::internal)?,
    );
    Ok(r)
}

async fn users_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let users: Vec<Value> = s
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|u| {
            context! { username => u.username, display_name => u.display_name, role => u.role.label(),
                unit => u.unit, leader => u.leader.map(|l| l.to_string()) }
        })
        .collect();
    let roles: Vec<(&str, &str)> = AccountRole::ALL
        .iter()
        .map(|r| (r.code(), r.label()))
        .collect();
    let ctx = page(&c, "用户管理", "users", false);
    render(&s, "users.html", context! { users, roles, ..ctx })
}

async fn add_user_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<NewUserRequest>,
) -> PageResult {
    c.require_admin()?;
    let a = s.store.add_account(&c.actor(), f.into_account()?).await?;
    message(
        &s,
        vec![format!("已创建用户 {}（{}）", a.username, a.role.label())],
    )
}
