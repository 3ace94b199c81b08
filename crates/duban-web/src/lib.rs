//! duban-web — the web application: the JSON API under `/api` (OpenAPI 3.1 at
//! `/api/openapi.json`, Swagger UI at `/api/docs`), accounts and roles, and the Chinese UI
//! (server-rendered, htmx, ECharts; every asset embedded). One process, one [`Store`].
//!
//! By feature, in `features/`: each module holds its pages and its API side by side, and the
//! API's response types beside their handlers. Under them, the shared infrastructure: the
//! server's bounds (`server`), who is calling (`auth`), the API's errors (`error`), what every
//! page shares and its error type (`page`), the filtering engine (`select`), the snapshot
//! cache (`dashboard`), the domain's values as OpenAPI schemas (`schema`), the OpenAPI
//! document (`openapi`), the templates and the embedded assets.

mod assets;
pub mod auth;
mod dashboard;
pub mod error;
mod features;
mod kept;
mod openapi;
mod page;
mod recent;
mod schema;
mod select;
pub mod server;
mod templates;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use duban_store::Store;

pub use dashboard::StatusCache;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub sessions: Arc<auth::SessionCache>,
    pub status: Arc<StatusCache>,
    /// Rankings, bulletin drafts and other views computed once per data version.
    pub views: Arc<views::Views>,
    /// 未读消息 — each visitor's unread count, read a moment ago (by account id).
    pub unread: Arc<recent::Recent<i64, i64>>,
    /// Send cookies with `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// 附件存放 — where uploaded evidence is kept.
    pub evidence: Arc<duban_app::evidence::Storage>,
    /// 外发渠道 — SMTP, the webhook (robots need nothing configured).
    pub channels: Arc<duban_app::notify::Channels>,
    templates: Arc<minijinja::Environment<'static>>,
}

impl AppState {
    pub fn new(store: Store, secure_cookies: bool) -> AppState {
        AppState {
            store: Arc::new(store),
            sessions: Arc::default(),
            status: Arc::default(),
            views: Arc::default(),
            unread: Arc::default(),
            secure_cookies,
            evidence: Arc::default(),
            channels: Arc::new(
                duban_app::notify::Channels::robots_only().expect("the default sender is valid"),
            ),
            templates: Arc::new(templates::environment()),
        }
    }

    /// Sends email and webhook messages through `channels` (from the environment in `serve`).
    pub fn with_channels(mut self, channels: duban_app::notify::Channels) -> AppState {
        self.channels = Arc::new(channels);
        self
    }

    /// 预热 — prepares in the background, as the server starts and again as each day begins,
    /// what the first visitors would otherwise wait for: every item's status today (read
    /// from the status kept in the database when there is one), and the year's tallies that
    /// the rankings, the bulletin and the assessment read (a province takes a second or two).
    pub fn warm_up(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut warmed = None;
            loop {
                let today = duban_app::clock::today();
                if warmed != Some(today) {
                    warmed = Some(today);
                    state.warm(today).await;
                }
                tokio::time::sleep(DAY_CHECK).await;
            }
        });
    }

    async fn warm(&self, today: chrono::NaiveDate) {
        if let Err(e) = self.status.get(&self.store, today).await {
            tracing::warn!(error = %e, "warming up the status failed");
        }
        let period = duban_store::Schedule::default().last_closed(today);
        let th = duban_core::Thresholds::default();
        if let Err(e) = self
            .store
            .rank_table(period, duban_store::Grouping::Region, today, &th)
            .await
        {
            tracing::debug!(error = %e, "warming up the rankings failed");
        }
    }

    /// Keeps uploaded evidence in `dir` instead of the database.
    pub fn with_evidence_dir(mut self, dir: std::path::PathBuf) -> AppState {
        self.evidence = Arc::new(duban_app::evidence::Storage::Directory(dir));
        self
    }
}

/// Runs a store operation to completion on a blocking thread of its own. The ledger write
/// path's future is not provably `Send` for every lifetime (a rustc limitation with its nested
/// borrows), so handlers that import or re-plan items go through here.
pub(crate) async fn detached<T, E, F, Fut>(store: Arc<Store>, f: F) -> Result<T, error::ApiError>
where
    T: Send + 'static,
    E: Into<error::ApiError> + Send + 'static,
    F: FnOnce(Arc<Store>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    tokio::task::spawn_blocking(move || tokio::runtime::Handle::current().block_on(f(store)))
        .await
        .map_err(error::ApiError::internal)?
        .map_err(Into::into)
}

pub use duban_app::clock::today;
pub use kept::kept_version;

/// How often the warm-up asks whether a new day has begun (every item's status is judged
/// again for it).
const DAY_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// The pages' Content-Security-Policy: nothing from elsewhere, no inline script. Inline styles
/// are allowed because ECharts draws its tooltips as styled HTML.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let assets = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !docs {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Nothing but the embedded assets may be kept by a browser or a proxy: every other
    // answer is someone's data.
    if !assets && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// After every state-changing request the snapshot cache rechecks the data version: the one
/// place the cache is told of writes through this server.
async fn after_writes(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let res = next.run(req).await;
    if writes {
        s.status.written();
        s.views.written();
        s.unread.clear();
    }
    res
}

async fn log_requests(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    res
}

/// The whole application, with the default limits.
pub fn router(state: AppState) -> Router {
    router_with(state, server::Limits::default())
}

/// The whole application.
pub fn router_with(state: AppState, limits: server::Limits) -> Router {
    Router::new()
        .merge(features::routes())
        .merge(assets::routes())
        .merge(openapi::routes())
        .layer(middleware::from_fn_with_state(state.clone(), page::layout))
        .layer(middleware::from_fn_with_state(state.clone(), after_writes))
        .with_state(state)
        .layer(middleware::from_fn(server::problem_json))
        .layer(axum::extract::DefaultBodyLimit::max(server::MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(move |req, next| {
            server::bounded(limits.request_timeout, req, next)
        }))
        .layer(middleware::from_fn(log_requests))
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_limited(state, listener, server::Limits::default(), shutdown).await
}

/// Serves with the given limits until `shutdown` resolves.
pub async fn serve_limited(
    state: AppState,
    listener: tokio::net::TcpListener,
    limits: server::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_with(router_with(state, limits), listener, limits, shutdown).await
}
