//! What the delivery tests share: an HTTP receiver playing 企业微信 (/wecom), 钉钉 (/dingtalk,
//! checking the signature) and a webhook (/hook), and a real SMTP server (aiosmtpd) with a
//! Maildir read back by Python's email parser.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Json, Query, State};
use axum::routing::post;
use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};

/// The 钉钉 robot's signing secret the receiver checks.
pub const SECRET: &str = "SEC0f3a9c1d2e4b5a6978";

/// What the receiver was sent.
#[derive(Debug, Clone)]
pub struct Got {
    pub path: &'static str,
    pub query: HashMap<String, String>,
    pub body: Value,
}

/// The HTTP receiver: 企业微信 at /wecom (refusing with errcode 310000 while `refuse` is
/// set), 钉钉 at /dingtalk (checking the signature), the webhook at /hook.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<Got>>>,
    pub refuse: Arc<AtomicBool>,
}

impl Receiver {
    pub fn got(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.path == path)
            .cloned()
            .collect()
    }

    pub fn keep(&self, path: &'static str, query: HashMap<String, String>, body: Value) {
        self.got.lock().unwrap().push(Got { path, query, body });
    }
}

pub async fn wecom(
    State(r): State<Receiver>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    if r.refuse.load(Ordering::SeqCst) {
        return Json(json!({"errcode": 310000, "errmsg": "keywords not in content"}));
    }
    r.keep("wecom", q, body);
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

/// 钉钉's check: the timestamp within an hour of now, and `sign` the base64 of
/// HmacSHA256(secret, timestamp + "\n" + secret) — verified with ring's own `verify`.
pub async fn dingtalk(
    State(r): State<Receiver>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let fresh = q
        .get("timestamp")
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|t| (Utc::now().timestamp_millis() - t).abs() < 3_600_000);
    let signed = match (q.get("timestamp"), q.get("sign")) {
        (Some(ts), Some(sign)) => base64::engine::general_purpose::STANDARD
            .decode(sign)
            .ok()
            .is_some_and(|tag| {
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
                ring::hmac::verify(&key, format!("{ts}\n{SECRET}").as_bytes(), &tag).is_ok()
            }),
        _ => false,
    };
    if !(fresh && signed) {
        return Json(json!({"errcode": 310000, "errmsg": "sign not match"}));
    }
    r.keep("dingtalk", q, body);
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

pub async fn hook(State(r): State<Receiver>, Json(body): Json<Value>) -> axum::http::StatusCode {
    r.keep("hook", HashMap::new(), body);
    axum::http::StatusCode::NO_CONTENT
}

pub async fn receiver() -> (Receiver, SocketAddr) {
    let r = Receiver::default();
    let app = Router::new()
        .route("/wecom", post(wecom))
        .route("/dingtalk", post(dingtalk))
        .route("/hook", post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, addr)
}

pub use duban_testkit::smtp::{free_port, maildir, python, smtp_server};
