//! 服务 — the HTTP server and the bounds every connection and request is held to: a client
//! that sends its headers too slowly, idles on a kept-alive connection, or stalls its body is
//! cut off; bodies are capped before they are read; at most so many connections at once.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;

use crate::error::ApiError;

/// The bounds of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time for a client to send a request's headers — also how long a kept-alive connection
    /// may sit idle before its next request.
    pub header_timeout: Duration,
    /// Time for a whole request, its body read and its answer made.
    pub request_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// 受信任的代理 — load balancers whose `X-Forwarded-For` names the client (for the
    /// sign-in throttle and the log); from anyone else the header is ignored.
    pub trusted_proxies: &'static [IpAddr],
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(120),
            max_connections: 1024,
            trusted_proxies: &[],
        }
    }
}

/// The largest request body: a province's ledger (50,000 rows) is about 9 MB as .xlsx.
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// Refuses a body declared larger than [`MAX_BODY`] before reading it (a chunked body is
/// cut at the same size by axum's body limit), and ends a request that takes longer than
/// `timeout`.
pub(crate) async fn bounded(timeout: Duration, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let mut r = ApiError {
                code: "timeout",
                title: "请求超时",
                status: 408,
                detail: format!(
                    "请求在 {} 秒内未完成（上传过慢或中断）；请检查网络后重试",
                    timeout.as_secs()
                ),
            }
            .into_response();
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
    }
}

pub(crate) fn too_large() -> Response {
    let mut r = ApiError {
        code: "too_large",
        title: "文件过大",
        status: 413,
        detail: format!(
            "上传的内容超过 {} MB 的上限；台账请分表或删除多余的空行、空列后再上传",
            MAX_BODY / 1024 / 1024
        ),
    }
    .into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish (for at most 30 seconds).
pub async fn serve_with(
    app: Router,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s { Ok(s) => s, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let client = client_address(addr, req.headers(), limits.trusted_proxies);
            req.extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(client));
            app.clone().oneshot(req.map(Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(256 * 1024)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(30)) => {}
    }
    Ok(())
}

/// The client of a request: the peer, or — when the peer is a trusted proxy — the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_address(
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[IpAddr],
) -> SocketAddr {
    if !trusted.contains(&peer.ip()) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .rev()
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .find(|a| !trusted.contains(a))
        .map_or(peer, |ip| SocketAddr::new(ip, peer.port()))
}

/// Answers that axum makes by itself (a body that is not JSON, a missing field, a bad path
/// parameter) come as plain text; under /api they are turned into problem+json like every
/// other error.
pub(crate) async fn problem_json(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let status = res.status();
    if !api || !plain || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let (code, title) = match status {
        StatusCode::NOT_FOUND => ("not_found", "未找到"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "不支持的请求方法"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "请求格式不对"),
        s if s.is_server_error() => ("internal", "服务器内部错误"),
        _ => ("invalid", "请求无法解析"),
    };
    let detail = match status {
        StatusCode::NOT_FOUND => "没有这个接口".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "这个接口不支持该请求方法".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "请求体须为 JSON（Content-Type: application/json）".to_string()
        }
        _ if text.is_empty() => title.to_string(),
        _ => format!("请求无法解析：{text}"),
    };
    let mut out = ApiError {
        code,
        title,
        status: status.as_u16(),
        detail,
    }
    .into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_read_from_a_trusted_proxy_only() {
        let proxy: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let trusted = ["10.0.0.2".parse().unwrap()];
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 198.51.100.7".parse().unwrap());
        // The proxy appended the client it saw last; what the client wrote before is not
        // believed.
        assert_eq!(
            client_address(proxy, &h, &trusted).ip().to_string(),
            "198.51.100.7"
        );
        // Anyone else's header is ignored.
        assert_eq!(client_address(stranger, &h, &trusted), stranger);
        assert_eq!(client_address(proxy, &h, &[]), proxy);
        // No header, or nothing readable: the proxy itself.
        assert_eq!(
            client_address(proxy, &axum::http::HeaderMap::new(), &trusted),
            proxy
        );
    }
}
