//! 页面的共同部分 — what every page shares: the signed-in [`Visitor`], the one error type of
//! the pages ([`PageError`], shown inside the layout by the [`layout`] middleware, or alone for
//! htmx), rendering a template in the layout's context, messages, downloads and uploads.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_app::AppError;
use duban_core::{AccountRole, Wan};
use duban_store::StoreError;
use minijinja::{Value, context};

use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};

/// What a page handler answers: the page (or another answer), or the error shown in its place.
pub(crate) type PageResult<T = Html<String>> = Result<T, PageError>;

/// A signed-in page visitor; anyone else is sent to the login page.
pub struct Visitor(pub Caller);

/// 待办 and 未读消息 of the visitor, shown in the header of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Badges {
    pub todos: usize,
    /// Of them, overdue.
    pub overdue: usize,
    pub unread: i64,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match auth::identify(state, parts).await {
            Ok(Some(mut c)) => {
                // A page shown whole carries the header's counts: one count of each per page.
                // A form sent by htmx swaps in a part of a page, without the header.
                if parts.method == axum::http::Method::GET
                    && !parts.headers.contains_key("hx-request")
                {
                    c.badges = crate::features::inbox::badges(state, &c.account).await;
                }
                Ok(Visitor(c))
            }
            Ok(None) => Err(if parts.headers.contains_key("hx-request") {
                ([("hx-redirect", "/login")], StatusCode::UNAUTHORIZED).into_response()
            } else {
                Redirect::to("/login").into_response()
            }),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// An error on a page: the same message the API gives, shown inside the layout (the menu and
/// all) when a page was asked for, or alone in place of the answer when htmx sent a form;
/// with the error's status either way. Handlers return it with `?` from any error of the app.
#[derive(Debug)]
pub(crate) struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e.into())
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError(e.into())
    }
}

/// A page's error on its way out: [`layout`] renders it, knowing the request and the visitor.
#[derive(Clone)]
struct Failure(ApiError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut r = (self.0.status(), self.0.detail.clone()).into_response();
        r.extensions_mut().insert(Failure(self.0));
        r
    }
}

/// The headers that say who is asking, kept by [`layout`] (a `HeaderValue` clone is a reference
/// count, so a page that succeeds pays nothing more).
const WHO: [axum::http::HeaderName; 2] = [header::COOKIE, header::AUTHORIZATION];

/// Renders a page's error: inside the layout for the visitor who asked for a page, alone for
/// htmx (which swaps it in where the answer would have gone). The visitor is looked up again
/// only when there is an error to show.
pub(crate) async fn layout(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let htmx = req.headers().contains_key("hx-request");
    let who = WHO.map(|h| req.headers().get(&h).cloned().map(|v| (h, v)));
    let mut res = next.run(req).await;
    let Some(Failure(e)) = res.extensions_mut().remove::<Failure>() else {
        return res;
    };
    let visitor = if htmx {
        None
    } else {
        let mut asking = Request::new(());
        asking.headers_mut().extend(who.into_iter().flatten());
        let (parts, ()) = asking.into_parts();
        auth::identify(&s, &parts).await.ok().flatten()
    };
    let status = e.status();
    let messages: Vec<String> = e.detail.split('\n').map(str::to_string).collect();
    let shown = match visitor.as_ref() {
        Some(c) => {
            let ctx = page(c, e.title, "", false);
            render(
                &s,
                "failure.html",
                context! { ok => false, messages, ..ctx },
            )
        }
        None => render(&s, "message.html", context! { ok => false, messages }),
    };
    let mut r = match shown {
        Ok(h) => h.into_response(),
        Err(PageError(e)) => return e.into_response(),
    };
    *r.status_mut() = status;
    if htmx {
        // The pages' htmx config swaps 4xx answers in too: the status stays for scripts.
        r.headers_mut()
            .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    }
    r
}

pub(crate) fn render(s: &AppState, name: &str, ctx: Value) -> PageResult {
    s.templates
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map(Html)
        .map_err(|e| PageError(ApiError::internal(e)))
}

/// The context every page shares: who, the menu, the CSRF token.
pub(crate) fn page(c: &Caller, title: &str, active: &str, charts: bool) -> Value {
    let a = &c.account;
    context! {
        title, active, charts,
        user => ser(a),
        role_label => a.role.label(),
        csrf => c.csrf.clone().unwrap_or_default(),
        is_admin => a.is_admin(),
        can_report => matches!(a.role, AccountRole::Admin | AccountRole::Reporter),
        has_inbox => duban_app::todos::scope(a).is_some(),
        badges => c.badges.map(ser),
    }
}

/// What was done, in words, for htmx to show where the form asked.
pub(crate) fn message(s: &AppState, messages: Vec<String>) -> PageResult {
    render(s, "message.html", context! { ok => true, messages })
}

/// Any serializable value for a template.
pub(crate) fn ser<T: serde::Serialize>(v: T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

pub(crate) fn wan(w: Option<Wan>) -> String {
    w.map(|w| w.to_string()).unwrap_or_else(|| "—".into())
}

pub(crate) fn pct(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| format!("{:.1}%", d.round_dp(1)))
        .unwrap_or_else(|| "—".into())
}

pub(crate) fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    download(
        bytes,
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
}

/// Everything but letters, digits and `-_.~` is escaped (RFC 3986 unreserved).
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value or a file name (RFC 5987).
pub(crate) fn encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, COMPONENT).to_string()
}

/// A file to save, named in UTF-8 (Chinese file names survive every browser).
pub(crate) fn download(bytes: Vec<u8>, filename: &str, content_type: &'static str) -> Response {
    let disposition = format!("attachment; filename*=UTF-8''{}", encode(filename));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A message about an uploaded file, naming it as the user called it: the server's
/// temporary folder is nobody's business.
pub(crate) fn about_upload(message: impl std::fmt::Display, path: &std::path::Path) -> String {
    let text = message.to_string();
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => text
            .replace(&path.display().to_string(), &name.to_string_lossy())
            .replace(&format!("{}/", dir.display()), "")
            .replace(&dir.display().to_string(), ""),
        _ => text,
    }
}

/// The uploaded file of a multipart form, written to a temporary file.
pub(crate) async fn upload(
    mut form: Multipart,
) -> ApiResult<(tempfile::TempDir, std::path::PathBuf, Vec<(String, String)>)> {
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let mut path = None;
    let mut fields = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::invalid(format!("上传内容无法读取：{e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let bytes: Bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::invalid(format!("上传内容无法读取：{e}")))?;
            let p = dir.path().join(
                std::path::Path::new(&file_name)
                    .file_name()
                    .map(|f| f.to_owned())
                    .unwrap_or_else(|| "upload.xlsx".into()),
            );
            std::fs::write(&p, &bytes).map_err(ApiError::internal)?;
            path = Some(p);
        } else {
            fields.push((name, field.text().await.unwrap_or_default()));
        }
    }
    let path = path.ok_or_else(|| ApiError::invalid("请选择要上传的 .xlsx 文件"))?;
    Ok((dir, path, fields))
}

pub(crate) fn field(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Who did something, as people read it: the account's name without the channel prefix.
pub(crate) fn who(actor: &str) -> String {
    actor
        .strip_prefix("web:")
        .or_else(|| actor.strip_prefix("cli:"))
        .unwrap_or(actor)
        .to_string()
}

/// The unit directory with each unit's count of items (what forms choose units from), read
/// once per data version.
pub async fn unit_listing(
    s: &AppState,
) -> Result<std::sync::Arc<Vec<duban_store::UnitListing>>, ApiError> {
    s.views
        .light(&s.store, "units".into(), || async {
            Ok::<_, ApiError>(s.store.units().await?)
        })
        .await
}

/// The names of the units in use (not disabled), in the directory's order.
pub async fn unit_names(s: &AppState) -> Result<Vec<String>, ApiError> {
    Ok(unit_listing(s)
        .await?
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| u.unit.name.clone())
        .collect())
}
