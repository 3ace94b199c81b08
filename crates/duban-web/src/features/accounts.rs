//! 账号 — signing in and out (the login page and `/api/session`), who is signed in
//! (`/api/me`), and the office's administration of accounts (the 用户管理 page and
//! `/api/users`). Failed sign-ins are throttled and every sign-in is audited.

use std::net::SocketAddr;

use axum::extract::Query;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use duban_core::{Account, AccountRole, Leader};
use duban_store::{AccountEdit, NewAccount, PasswordCheck, UserListing};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, encode, message, page, render, ser};
use crate::schema::{AccountRoleCode, LeaderView, Timestamp};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout_page))
        .route("/admin/users", get(users_page).post(add_user_page))
        .route(
            "/admin/users/{username}",
            get(user_page).post(edit_user_page),
        )
        .route("/admin/users/{username}/disable", post(disable_user_page))
        .route("/admin/users/{username}/enable", post(enable_user_page))
        .route("/admin/users/{username}/password", post(password_page))
        .route("/api/session", post(login).delete(logout))
        .route("/api/me", get(me))
        .route("/api/users", get(users).post(add_user))
        .route("/api/users/{username}", put(edit_user))
        .route("/api/users/{username}/disable", post(disable_user))
        .route("/api/users/{username}/enable", post(enable_user))
        .route("/api/users/{username}/password", post(reset_password))
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
    if let Some(wait) = auth::throttle::locked(&s.store, username, ip).await? {
        return Err(ApiError::throttled(wait));
    }
    let address = ip.map(|a| a.to_string());
    let account = match s.store.check_sign_in(username, password).await? {
        PasswordCheck::Valid(account) => account,
        PasswordCheck::Wrong => {
            auth::throttle::failed(&s.store, username, ip).await?;
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
        }
        PasswordCheck::Disabled(account) => {
            tracing::warn!(username, ?ip, "disabled account refused");
            s.store
                .record_sign_in(
                    &account.username,
                    duban_store::SignIn::Refused,
                    address.as_deref(),
                )
                .await?;
            return Err(ApiError {
                code: "account_disabled",
                title: "登录失败",
                status: 403,
                detail: "该账号已停用，不能登录；如需恢复，请联系督查室".into(),
            });
        }
    };
    auth::throttle::succeeded(&s.store, username, ip).await?;
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
              (status = 401, body = ApiError), (status = 403, description = "账号已停用", body = ApiError),
              (status = 429, body = ApiError)))]
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
    responses((status = 200, description = "全部账号及其是否停用（管理员）", body = Vec<UserView>), (status = 403, body = ApiError)))]
async fn users(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserView>>> {
    caller.require_admin()?;
    let users = s.store.users().await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
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

/// 修改用户 — the name shown, the role, the unit (from the directory) and the leader (of the
/// ledger), and why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditUserRequest {
    /// 姓名
    pub display_name: String,
    /// admin|leader|reporter|judge|viewer
    pub role: String,
    /// 所属单位 — a unit of the directory in use (required for a reporter).
    pub unit: Option<String>,
    /// 包抓领导 as in the ledger, e.g. "王某（副市长）" (required for a leader).
    pub leader: Option<String>,
    /// 修改原因 — recorded in the audit trail.
    pub reason: String,
}

/// The leader typed or chosen, if any.
fn leader_of(text: Option<&str>) -> ApiResult<Option<Leader>> {
    match text.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Ok(Some(Leader::parse_list(l).into_iter().next().ok_or_else(
            || ApiError::invalid(format!("包抓领导：无法识别“{l}”")),
        )?)),
        None => Ok(None),
    }
}

impl EditUserRequest {
    fn into_edit(self) -> ApiResult<(AccountEdit, String)> {
        let role =
            AccountRole::parse(&self.role).map_err(|e| ApiError::invalid(format!("角色：{e}")))?;
        Ok((
            AccountEdit {
                display_name: self.display_name,
                role,
                unit: self.unit.filter(|u| !u.trim().is_empty()),
                leader: leader_of(self.leader.as_deref())?,
            },
            self.reason,
        ))
    }
}

/// 原因 — why an account is disabled, enabled or its password reset.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonRequest {
    /// 原因 — recorded in the audit trail.
    pub reason: String,
}

/// 重置密码 — a new password the office sets (following the password policy), or none to
/// have one generated and shown once.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// 新密码 (empty or absent: generate one)
    #[serde(default)]
    pub password: Option<String>,
    /// 原因 — recorded in the audit trail.
    pub reason: String,
}

/// 已重置密码 — the account's sessions and tokens have ended; a generated password is given
/// here once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub username: String,
    /// 生成的密码 — only when the office asked for one to be generated.
    pub generated_password: Option<String>,
}

/// Is `username` the caller's own account?
fn is_self(caller: &Caller, username: &str) -> bool {
    duban_store::username_key(username) == duban_store::username_key(&caller.account.username)
}

/// The office changes an account; the account's cached sessions see the change at once.
async fn edit_user_as(
    s: &AppState,
    caller: &Caller,
    username: &str,
    req: EditUserRequest,
) -> ApiResult<(UserListing, bool)> {
    caller.require_admin()?;
    let (edit, reason) = req.into_edit()?;
    if is_self(caller, username) && edit.role != AccountRole::Admin {
        return Err(ApiError::invalid(
            "角色：不能取消自己的管理员角色（请由另一位管理员修改）",
        ));
    }
    let (account, changed) = s
        .store
        .update_account(&caller.actor(), username, edit, &reason)
        .await?;
    s.sessions.forget_account(account.id);
    Ok((s.store.user(&account.username).await?, changed))
}

/// The office disables or enables an account; a disabled one's sessions end at once.
async fn set_disabled_as(
    s: &AppState,
    caller: &Caller,
    username: &str,
    disabled: bool,
    reason: &str,
) -> ApiResult<UserListing> {
    caller.require_admin()?;
    if disabled && is_self(caller, username) {
        return Err(ApiError::invalid(
            "不能停用自己的账号（请由另一位管理员操作）",
        ));
    }
    let account = s
        .store
        .set_account_disabled(&caller.actor(), username, disabled, reason)
        .await?;
    s.sessions.forget_account(account.id);
    Ok(s.store.user(&account.username).await?)
}

/// The office resets a password: the one given, or a generated one (returned).
async fn reset_password_as(
    s: &AppState,
    caller: &Caller,
    username: &str,
    req: PasswordRequest,
) -> ApiResult<PasswordReset> {
    caller.require_admin()?;
    let user = s.store.user(username).await?;
    let generated = match req.password.as_deref().filter(|p| !p.is_empty()) {
        Some(_) => None,
        None => Some(duban_store::fresh_password()),
    };
    let password = generated.clone().or(req.password).unwrap_or_default();
    s.store
        .reset_password(
            &caller.actor(),
            &user.account.username,
            &password,
            &req.reason,
        )
        .await?;
    s.sessions.forget_account(user.account.id);
    Ok(PasswordReset {
        username: user.account.username,
        generated_password: generated,
    })
}

#[utoipa::path(put, path = "/api/users/{username}", tag = "账号", request_body = EditUserRequest,
    params(("username" = String, Path, description = "用户名")),
    responses((status = 200, description = "已修改（未变则原样返回）", body = UserView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn edit_user(
    State(s): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<EditUserRequest>,
) -> ApiResult<Json<UserView>> {
    let (user, _) = edit_user_as(&s, &caller, &username, req).await?;
    Ok(Json(user.into()))
}

#[utoipa::path(post, path = "/api/users/{username}/disable", tag = "账号", request_body = ReasonRequest,
    params(("username" = String, Path, description = "用户名")),
    responses((status = 200, description = "已停用：不能登录，会话与令牌立即失效", body = UserView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn disable_user(
    State(s): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<ReasonRequest>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        set_disabled_as(&s, &caller, &username, true, &req.reason)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/users/{username}/enable", tag = "账号", request_body = ReasonRequest,
    params(("username" = String, Path, description = "用户名")),
    responses((status = 200, description = "已启用", body = UserView), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn enable_user(
    State(s): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<ReasonRequest>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        set_disabled_as(&s, &caller, &username, false, &req.reason)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/users/{username}/password", tag = "账号", request_body = PasswordRequest,
    params(("username" = String, Path, description = "用户名")),
    responses((status = 200, description = "已重置：该用户的会话与令牌全部失效", body = PasswordReset), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn reset_password(
    State(s): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<PasswordRequest>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(reset_password_as(&s, &caller, &username, req).await?))
}

// ---- what the API answers ----

/// 用户 — an account as the office lists it: the account, whether it is disabled, when it
/// was created.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserView {
    #[serde(flatten)]
    pub account: AccountView,
    /// 已停用 — cannot sign in; its sessions and tokens have ended.
    pub disabled: bool,
    #[schema(value_type = Timestamp)]
    pub created_at: String,
}

impl From<UserListing> for UserView {
    fn from(u: UserListing) -> Self {
        let UserListing {
            account,
            disabled,
            created_at,
        } = u;
        UserView {
            account: account.into(),
            disabled,
            created_at,
        }
    }
}

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

/// The units a new or moved account may be given: those in use (and `keep`, the account's
/// own unit, even if disabled since), as (name, label) for a select.
async fn unit_choices(s: &AppState, keep: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    Ok(s.store
        .units()
        .await?
        .into_iter()
        .filter(|u| !u.disabled || keep == Some(u.unit.name.as_str()))
        .map(|u| {
            let label = if u.disabled {
                format!("{}（已停用）", u.unit.name)
            } else {
                format!("{}（{}）", u.unit.name, u.unit.kind.label())
            };
            (u.unit.name, label)
        })
        .collect())
}

/// The ledger's leaders, as they are written ("王某（副市长）"), for a select.
async fn leader_choices(s: &AppState) -> ApiResult<Vec<String>> {
    Ok(s.store
        .leaders()
        .await?
        .into_iter()
        .map(|l| l.to_string())
        .collect())
}

fn role_choices() -> Vec<(&'static str, &'static str)> {
    AccountRole::ALL
        .iter()
        .map(|r| (r.code(), r.label()))
        .collect()
}

async fn users_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let users: Vec<Value> = s
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let a = u.account;
            let link = format!("/admin/users/{}", encode(&a.username));
            context! { link, username => a.username, display_name => a.display_name, role => a.role.label(),
                unit => a.unit, leader => a.leader.map(|l| l.to_string()), disabled => u.disabled }
        })
        .collect();
    let ctx = page(&c, "用户管理", "users", false);
    render(
        &s,
        "users.html",
        context! { users, roles => role_choices(), units => unit_choices(&s, None).await?,
        leaders => leader_choices(&s).await?, ..ctx },
    )
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

#[derive(Deserialize)]
struct UserPageQuery {
    done: Option<String>,
}

/// 用户 — one account: edit it, disable or enable it, reset its password; its record.
async fn user_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(username): Path<String>,
    Query(q): Query<UserPageQuery>,
) -> PageResult {
    c.require_admin()?;
    let user = s.store.user(&username).await?;
    let a = &user.account;
    let done = match q.done.as_deref() {
        Some("saved") => Some("已保存修改，已记入审计记录"),
        Some("unchanged") => Some("没有需要保存的修改"),
        Some("disabled") => Some("已停用该用户：不能再登录，已登录的会话和 API 令牌已立即失效"),
        Some("enabled") => {
            Some("已启用该用户：可以重新登录（原有 API 令牌不再恢复，如需请重新签发）")
        }
        _ => None,
    };
    // Changes are filed under the name as written, sign-ins under the name as compared.
    let mut trail = s.store.audit_trail("user", &a.username).await?;
    let key = duban_store::username_key(&a.username);
    if key != a.username {
        trail.extend(s.store.audit_trail("user", &key).await?);
        trail.sort_by(|x, y| x.at.cmp(&y.at));
    }
    let history: Vec<Value> = trail
        .iter()
        .rev()
        .take(20)
        .map(|e| ser(duban_app::changes::readable(e)))
        .collect();
    let ctx = page(&c, &format!("用户 {}", a.username), "users", false);
    render(
        &s,
        "user.html",
        context! {
            u => context! { username => &a.username, display_name => &a.display_name, role => a.role.code(),
                role_label => a.role.label(), unit => &a.unit, leader => a.leader.as_ref().map(|l| l.to_string()),
                disabled => user.disabled, created_at => duban_app::clock::beijing(&user.created_at),
                link => format!("/admin/users/{}", encode(&a.username)) },
            is_self => is_self(&c, &a.username),
            done, history,
            roles => role_choices(),
            units => unit_choices(&s, a.unit.as_deref()).await?,
            leaders => leader_choices(&s).await?,
            min_password => duban_store::MIN_PASSWORD,
            ..ctx
        },
    )
}

/// Sends the browser back to the user's page, saying what was done.
fn back_to_user(username: &str, done: &str) -> Response {
    let to = format!("/admin/users/{}?done={done}", encode(username));
    match HeaderValue::from_str(&to) {
        Ok(v) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut().insert("hx-redirect", v);
            r
        }
        Err(_) => Redirect::to("/admin/users").into_response(),
    }
}

async fn edit_user_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(username): Path<String>,
    Form(f): Form<EditUserRequest>,
) -> PageResult<Response> {
    let (user, changed) = edit_user_as(&s, &c, &username, f).await?;
    Ok(back_to_user(
        &user.account.username,
        if changed { "saved" } else { "unchanged" },
    ))
}

async fn disable_user_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(username): Path<String>,
    Form(f): Form<ReasonRequest>,
) -> PageResult<Response> {
    let user = set_disabled_as(&s, &c, &username, true, &f.reason).await?;
    Ok(back_to_user(&user.account.username, "disabled"))
}

async fn enable_user_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(username): Path<String>,
    Form(f): Form<ReasonRequest>,
) -> PageResult<Response> {
    let user = set_disabled_as(&s, &c, &username, false, &f.reason).await?;
    Ok(back_to_user(&user.account.username, "enabled"))
}

async fn password_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(username): Path<String>,
    Form(f): Form<PasswordRequest>,
) -> PageResult {
    let done = reset_password_as(&s, &c, &username, f).await?;
    let mut said = vec![format!(
        "已重置 {} 的密码，已记入审计记录；该用户已登录的会话和 API 令牌已全部失效",
        done.username
    )];
    if let Some(p) = done.generated_password {
        said.push(format!(
            "新密码：{p}（只显示这一次，请当面或电话告知本人，并提醒其登录后妥善保管）"
        ));
    }
    message(&s, said)
}
