//! 群机器人与 Webhook — a message POSTed as JSON: to a 企业微信 or 钉钉 group robot as
//! Markdown (success: `errcode` 0), to a generic webhook as the message itself (success: any
//! 2xx). One client, 10 s for a request, no redirects, answers read up to 64 KiB.

use std::time::Duration;

use base64::Engine;
use duban_core::ReminderLevel;
use duban_store::{Channel, PendingDelivery};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::Failure;
use crate::AppError;

const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read.
const MAX_ANSWER: usize = 64 * 1024;
/// The most of an answer kept in an error.
const ANSWER_IN_ERROR: usize = 200;
/// A robot's Markdown, at most (企业微信 takes 4,096 bytes).
const MAX_MARKDOWN: usize = 4000;

pub(crate) fn client() -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("duban/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AppError::Invalid(format!("HTTP 客户端无法创建：{}", chain(&e))))
}

/// An error with its causes, never its URL (a robot's key is in it).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cause = c.source();
    }
    parts.join("：")
}

fn request_failure(channel: Channel, e: reqwest::Error) -> Failure {
    let why = if e.is_timeout() {
        format!("超时（{} 秒）", TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("无法连接（{}）", chain(&e.without_url()))
    } else {
        chain(&e.without_url())
    };
    Failure::retry(format!("{}发送失败：{why}", channel.label()))
}

/// Cuts `text` to at most `max` bytes at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// POSTs `body` to `url`; returns the status and up to [`MAX_ANSWER`] bytes of the answer.
async fn post(
    http: &reqwest::Client,
    channel: Channel,
    url: &str,
    body: &Value,
) -> Result<(u16, String), Failure> {
    let mut answer = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| request_failure(channel, e))?;
    let status = answer.status().as_u16();
    let mut bytes = Vec::new();
    while bytes.len() < MAX_ANSWER {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(e) => return Err(request_failure(channel, e)),
        }
    }
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// A robot's answer: HTTP 200 with `errcode` 0, or the failure naming errcode and errmsg.
fn robot_answer(channel: Channel, status: u16, answer: &str) -> Result<(), Failure> {
    let short = cut(answer.trim(), ANSWER_IN_ERROR);
    if status != 200 {
        return Err(Failure::retry(format!(
            "{}返回 HTTP {status}：{short}",
            channel.label()
        )));
    }
    let v: Value = serde_json::from_str(answer)
        .map_err(|_| Failure::retry(format!("{}的应答无法识别：{short}", channel.label())))?;
    match v.get("errcode").and_then(Value::as_i64) {
        Some(0) => Ok(()),
        Some(code) => Err(Failure::retry(format!(
            "{}返回错误 errcode={code}：{}",
            channel.label(),
            v.get("errmsg").and_then(Value::as_str).unwrap_or_default()
        ))),
        None => Err(Failure::retry(format!(
            "{}的应答没有 errcode：{short}",
            channel.label()
        ))),
    }
}

/// The heading of a robot's Markdown: "【催办单】title".
fn heading(d: &PendingDelivery) -> String {
    match d.level {
        Some(l) => format!("【{}】{}", l.notice_name(), d.title),
        None => d.title.clone(),
    }
}

/// An absolute link, if the message has one (a robot cannot follow a path of the app).
fn absolute_link(d: &PendingDelivery) -> Option<&str> {
    d.link
        .as_deref()
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
}

pub(crate) async fn wecom(http: &reqwest::Client, d: &PendingDelivery) -> Result<(), Failure> {
    // 企业微信's Markdown colours: warning (orange), info (green), comment (grey).
    let colour = match d.level {
        Some(ReminderLevel::Press) | Some(ReminderLevel::Urge) => "warning",
        Some(ReminderLevel::Notice) => "info",
        None => "comment",
    };
    let mut content = format!(
        "**<font color=\"{colour}\">{}</font>**\n> 收件：{}\n\n{}",
        heading(d),
        d.recipient.name(),
        d.body.trim_end()
    );
    if let Some(link) = absolute_link(d) {
        content.push_str(&format!("\n\n[查看详情]({link})"));
    }
    let body = json!({
        "msgtype": "markdown",
        "markdown": { "content": cut(&content, MAX_MARKDOWN) },
    });
    let (status, answer) = post(http, Channel::WeCom, &d.address, &body).await?;
    robot_answer(Channel::WeCom, status, &answer)
}

/// 钉钉加签: base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

/// The robot's URL to POST to: with a secret, `timestamp` and the URL-encoded `sign`
/// appended (`&…`, or `?…` when the URL has no query).
pub fn dingtalk_url(url: &str, secret: Option<&str>, timestamp_ms: i64) -> String {
    match secret {
        None => url.to_string(),
        Some(secret) => {
            let sign = dingtalk_sign(secret, timestamp_ms);
            let sep = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{sep}timestamp={timestamp_ms}&sign={}",
                utf8_percent_encode(&sign, NON_ALPHANUMERIC)
            )
        }
    }
}

pub(crate) async fn dingtalk(http: &reqwest::Client, d: &PendingDelivery) -> Result<(), Failure> {
    let mut text = format!(
        "#### {}\n\n> 收件：{}\n\n{}",
        heading(d),
        d.recipient.name(),
        // 钉钉's Markdown needs two spaces before a line break.
        d.body.trim_end().replace('\n', "  \n")
    );
    if let Some(link) = absolute_link(d) {
        text.push_str(&format!("\n\n[查看详情]({link})"));
    }
    let body = json!({
        "msgtype": "markdown",
        "markdown": { "title": heading(d), "text": cut(&text, MAX_MARKDOWN) },
    });
    // The signature's time is the wall clock's: 钉钉 refuses one an hour off.
    let url = dingtalk_url(
        &d.address,
        d.secret(),
        crate::clock::now().timestamp_millis(),
    );
    let (status, answer) = post(http, Channel::DingTalk, &url, &body).await?;
    robot_answer(Channel::DingTalk, status, &answer)
}

/// What the generic webhook is sent: the message, its recipient and the recipient's
/// contact (`null` when it has none).
pub fn webhook_payload(d: &PendingDelivery) -> Value {
    let (kind, name) = match &d.recipient {
        duban_core::Recipient::Office => ("office", d.recipient.name()),
        duban_core::Recipient::Unit(n) => ("unit", n.as_str()),
        duban_core::Recipient::Leader(n) => ("leader", n.as_str()),
    };
    json!({
        "id": d.message_id,
        "level": d.level.map(ReminderLevel::code),
        "title": d.title,
        "body": d.body,
        "link": d.link,
        "recipient": { "kind": kind, "name": name },
        "contact": d.contact.as_ref().map(|c| json!({
            "liaison": c.liaison,
            "phone": c.phone,
            "email": c.email,
        })),
        "created_at": d.created_at,
    })
}

pub(crate) async fn webhook(http: &reqwest::Client, d: &PendingDelivery) -> Result<(), Failure> {
    let (status, answer) = post(http, Channel::Webhook, &d.address, &webhook_payload(d)).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Failure::retry(format!(
            "Webhook 返回 HTTP {status}：{}",
            cut(answer.trim(), ANSWER_IN_ERROR)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values computed independently with Python:
    /// `base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
    /// hashlib.sha256).digest())` and `urllib.parse.quote_plus` of it.
    #[test]
    fn dingtalk_signs_as_its_documentation_says() {
        let secret = "SECb2d5a3b1e0c64f0f9a7d8e6c5b4a3f21e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5";
        assert_eq!(
            dingtalk_sign(secret, 1_700_000_000_000),
            "LYb4oGrMSoIcjPWDXuP5eLBpwbO0XFvCMW5PEXx89UE="
        );
        assert_eq!(
            dingtalk_sign("SEC测试", 1_718_000_000_123),
            "U/tRZ9/jaNZDkFtaCBoINjmStCyqnfU1oD6gO6C2bHo="
        );
        assert_eq!(
            dingtalk_url(
                "https://oapi.dingtalk.com/robot/send?access_token=t",
                Some("SEC测试"),
                1_718_000_000_123
            ),
            "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1718000000123\
             &sign=U%2FtRZ9%2FjaNZDkFtaCBoINjmStCyqnfU1oD6gO6C2bHo%3D"
        );
        assert_eq!(
            dingtalk_url("http://127.0.0.1:9/robot", Some(secret), 1_700_000_000_000),
            "http://127.0.0.1:9/robot?timestamp=1700000000000\
             &sign=LYb4oGrMSoIcjPWDXuP5eLBpwbO0XFvCMW5PEXx89UE%3D"
        );
        assert_eq!(dingtalk_url("http://h/r?a=1", None, 1), "http://h/r?a=1");
    }

    #[test]
    fn robots_answer_with_an_errcode() {
        assert!(robot_answer(Channel::WeCom, 200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        let f = robot_answer(
            Channel::DingTalk,
            200,
            r#"{"errcode":310000,"errmsg":"sign not match"}"#,
        )
        .unwrap_err();
        assert_eq!(f.message, "钉钉返回错误 errcode=310000：sign not match");
        assert!(!f.permanent);
        let f = robot_answer(Channel::WeCom, 502, "bad gateway").unwrap_err();
        assert_eq!(f.message, "企业微信返回 HTTP 502：bad gateway");
        assert!(robot_answer(Channel::WeCom, 200, "<html>").is_err());
    }

    #[test]
    fn markdown_is_cut_at_a_character() {
        let long = "催".repeat(2000);
        let c = cut(&long, MAX_MARKDOWN);
        assert!(c.len() <= MAX_MARKDOWN && c.chars().all(|ch| ch == '催'));
    }
}
