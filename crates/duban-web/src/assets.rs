//! 静态资源 — the stylesheet, the pages' script, htmx and ECharts, embedded in the binary and
//! served with their licences (vendored from npm; see assets/vendor).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "bulletin.css",
        "text/css; charset=utf-8",
        duban_app::bulletin::CSS.as_bytes(),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "meetings.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/meetings.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/htmx.min.js"),
    ),
    (
        "echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "LICENSE-htmx",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/LICENSE-htmx"),
    ),
    (
        "LICENSE-echarts",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/LICENSE-echarts"),
    ),
    (
        "NOTICE-echarts",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/NOTICE-echarts"),
    ),
];

async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}
