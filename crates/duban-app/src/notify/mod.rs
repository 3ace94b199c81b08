//! 消息发送 — delivering messages outside the app: email through the configured SMTP server,
//! 企业微信 and 钉钉 group robots, and a generic JSON webhook (an SMS gateway, the city's OA)
//! that gets every message.
//!
//! The reminder job writes a message and its deliveries in one transaction
//! ([`deliveries_for`] says which); [`deliver_pending`] then claims what is due, sends it
//! (eight at a time) and records each outcome. A failure is tried again after 1 minute,
//! 5 minutes, 30 minutes, 2 hours and 12 hours, and given up after the sixth attempt — at
//! once when trying again cannot help (an address that is not one, a mail server's
//! permanent refusal). A channel not configured fails like any other and is retried, so
//! configuring it later delivers what waited.

mod email;
mod http;

use std::time::Duration;

use chrono::{DateTime, Utc};
use duban_store::{Channel, Contact, NewDelivery, PendingDelivery, Store, shown_address};
use futures_util::StreamExt;

use crate::AppError;

pub use http::{dingtalk_sign, dingtalk_url, webhook_payload};

/// How long a server holds the deliveries it claimed. Longer than a batch can take: each
/// delivery is bounded by [`SEND_TIMEOUT`], a batch runs [`CONCURRENCY`] at a time.
const LEASE: Duration = Duration::from_secs(600);
/// Deliveries claimed at once.
const BATCH: usize = 32;
/// Deliveries sent at once.
const CONCURRENCY: usize = 8;
/// The longest one delivery may take, all of it (an HTTP request alone is bounded by 10 s).
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Most deliveries one run sends; the rest wait for the next run.
const MAX_PER_RUN: usize = 5_000;
/// Waits before the 2nd, 3rd, … attempt; after the last attempt the delivery is given up.
const BACKOFF_MINUTES: [i64; 5] = [1, 5, 30, 120, 720];
/// 最多尝试次数
pub const MAX_ATTEMPTS: i64 = BACKOFF_MINUTES.len() as i64 + 1;

/// When to try again after the `failures`-th failed attempt (1 for the first), or None to
/// give up.
pub fn next_attempt(failures: i64, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let i = usize::try_from(failures.checked_sub(1)?).ok()?;
    BACKOFF_MINUTES
        .get(i)
        .map(|m| at + chrono::Duration::minutes(*m))
}

/// The configured channels: the SMTP server and its sender, the generic webhook, and one
/// HTTP client (10 s timeout, no redirects) for the robots and the webhook.
pub struct Channels {
    smtp: Option<email::Smtp>,
    from: lettre::message::Mailbox,
    webhook: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("summary", &self.summary())
            .finish()
    }
}

/// 默认发件人
pub const DEFAULT_FROM: &str = "duban@localhost";

impl Channels {
    /// From the environment: `DUBAN_SMTP_URL` (`smtp://host:25` without TLS,
    /// `smtp://user:pass@host:587?tls=required` with STARTTLS, `smtps://user:pass@host:465`),
    /// `DUBAN_SMTP_FROM` (default `duban@localhost`; may carry a name: `督查室 <dcs@…>`),
    /// `DUBAN_WEBHOOK_URL`. Unset or blank: not configured.
    pub fn from_env() -> Result<Channels, AppError> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Channels::new(
            var("DUBAN_SMTP_URL").as_deref(),
            var("DUBAN_SMTP_FROM").as_deref().unwrap_or(DEFAULT_FROM),
            var("DUBAN_WEBHOOK_URL").as_deref(),
        )
    }

    /// Explicitly: the SMTP server's URL (as `DUBAN_SMTP_URL`), the sender, the webhook.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        webhook: Option<&str>,
    ) -> Result<Channels, AppError> {
        let from = email::sender(from)?;
        let smtp = smtp_url.map(email::Smtp::new).transpose()?;
        let webhook = webhook
            .map(|w| {
                let w = w.trim();
                if w.starts_with("http://") || w.starts_with("https://") {
                    Ok(w.to_string())
                } else {
                    Err(AppError::Invalid(format!(
                        "DUBAN_WEBHOOK_URL：应为 http:// 或 https:// 开头的网址（填的是“{}”）",
                        shown_address(Channel::Webhook, w)
                    )))
                }
            })
            .transpose()?;
        Ok(Channels {
            smtp,
            from,
            webhook,
            http: http::client()?,
        })
    }

    /// No email, no webhook: the robots of the contacts only.
    pub fn robots_only() -> Result<Channels, AppError> {
        Channels::new(None, DEFAULT_FROM, None)
    }

    /// The generic webhook, if configured.
    pub fn webhook(&self) -> Option<&str> {
        self.webhook.as_deref()
    }

    /// Is an SMTP server configured?
    pub fn has_email(&self) -> bool {
        self.smtp.is_some()
    }

    /// What is configured, in words (no password, no key): for `duban serve` and
    /// `duban remind run` to print.
    pub fn summary(&self) -> String {
        let email = match &self.smtp {
            Some(s) => format!("邮件：{}（发件人 {}）", s.shown, self.from),
            None => "邮件：未配置（DUBAN_SMTP_URL）".into(),
        };
        let webhook = match &self.webhook {
            Some(w) => format!("Webhook：{}", shown_address(Channel::Webhook, w)),
            None => "Webhook：未配置（DUBAN_WEBHOOK_URL）".into(),
        };
        format!("{email}；{webhook}；企业微信、钉钉群机器人：按通讯录")
    }

    /// Sends one delivery.
    async fn send(&self, d: &PendingDelivery) -> Result<(), Failure> {
        let sending = async {
            match d.channel {
                Channel::Email => email::send(self.smtp.as_ref(), &self.from, d).await,
                Channel::WeCom => http::wecom(&self.http, d).await,
                Channel::DingTalk => http::dingtalk(&self.http, d).await,
                Channel::Webhook => http::webhook(&self.http, d).await,
            }
        };
        match tokio::time::timeout(SEND_TIMEOUT, sending).await {
            Ok(done) => done,
            Err(_) => Err(Failure::retry(format!(
                "{}发送超时（{} 秒）",
                d.channel.label(),
                SEND_TIMEOUT.as_secs()
            ))),
        }
    }
}

/// Why a delivery was not sent, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub message: String,
    pub permanent: bool,
}

impl Failure {
    pub(crate) fn retry(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: false,
        }
    }

    pub(crate) fn permanent(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: true,
        }
    }
}

/// What to enqueue for a message to a recipient with this contact: its email address (when
/// an SMTP server is configured: otherwise the in-app message is all there is, and nothing
/// waits to be retried for ever) and its robot, and the generic webhook when one is
/// configured (every message goes there).
pub fn deliveries_for(contact: Option<&Contact>, channels: &Channels) -> Vec<NewDelivery> {
    let mut out = contact.map(Contact::deliveries).unwrap_or_default();
    out.retain(|d| d.channel != Channel::Email || channels.has_email());
    if let Some(w) = channels.webhook()
        && !out
            .iter()
            .any(|d| d.channel == Channel::Webhook && d.address == w)
    {
        out.push(NewDelivery {
            channel: Channel::Webhook,
            address: w.to_string(),
        });
    }
    out
}

/// What one run of [`deliver_pending`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    /// 已发送
    pub sent: usize,
    /// 发送失败 — given up.
    pub failed: usize,
    /// 待重试
    pub retrying: usize,
    /// One line per delivery, in the order they were enqueued: what went to whom by which
    /// channel, or why not.
    pub lines: Vec<String>,
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}

/// Sends every delivery due at `now` as server `server`: claims them a batch at a time,
/// sends eight at a time and records each outcome as soon as it is known.
pub async fn deliver_pending(
    store: &Store,
    channels: &Channels,
    server: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryRun, AppError> {
    let mut run = DeliveryRun::default();
    let mut lines: Vec<(i64, String)> = Vec::new();
    let mut done = 0;
    while done < MAX_PER_RUN {
        let batch = store.claim_deliveries(server, now, LEASE, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        done += batch.len();
        let outcomes: Vec<Result<(i64, Outcome, String), AppError>> =
            futures_util::stream::iter(batch)
                .map(|d| async move {
                    let sent = channels.send(&d).await;
                    let (outcome, line) = record(store, server, now, &d, sent).await?;
                    Ok((d.id, outcome, line))
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
        for o in outcomes {
            let (id, outcome, line) = o?;
            match outcome {
                Outcome::Sent => run.sent += 1,
                Outcome::Retrying => run.retrying += 1,
                Outcome::Failed => run.failed += 1,
            }
            lines.push((id, line));
        }
    }
    lines.sort_by_key(|(id, _)| *id);
    run.lines = lines.into_iter().map(|(_, l)| l).collect();
    Ok(run)
}

/// Records one outcome; returns it with its line.
async fn record(
    store: &Store,
    server: &str,
    now: DateTime<Utc>,
    d: &PendingDelivery,
    sent: Result<(), Failure>,
) -> Result<(Outcome, String), AppError> {
    let what = format!(
        "{} → {}（{}）：{}",
        d.channel.label(),
        d.recipient.name(),
        shown_address(d.channel, &d.address),
        d.title
    );
    match sent {
        Ok(()) => {
            store.delivery_sent(d.id, server, now).await?;
            Ok((Outcome::Sent, format!("已发送　{what}")))
        }
        Err(f) => {
            let failures = d.attempts + 1;
            let next = if f.permanent {
                None
            } else {
                next_attempt(failures, now)
            };
            store
                .delivery_failed(d.id, server, &f.message, now, next)
                .await?;
            Ok(match next {
                Some(t) => (
                    Outcome::Retrying,
                    format!(
                        "待重试　{what}；第 {failures} 次失败，{} 再试：{}",
                        crate::clock::beijing(&duban_store::stamp(t)),
                        f.message
                    ),
                ),
                None => (
                    Outcome::Failed,
                    format!(
                        "发送失败　{what}；第 {failures} 次失败，不再重试：{}",
                        f.message
                    ),
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_store::Robot;

    #[test]
    fn failures_back_off_then_give_up() {
        let t = DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let after = |n| next_attempt(n, t).map(|n| (n - t).num_minutes());
        assert_eq!(
            (1..=6).map(after).collect::<Vec<_>>(),
            vec![Some(1), Some(5), Some(30), Some(120), Some(720), None]
        );
        assert_eq!(after(0), None);
        assert_eq!(MAX_ATTEMPTS, 6);
    }

    #[tokio::test]
    async fn a_contact_is_sent_its_email_and_robot_and_the_webhook_every_message() {
        let contact = Contact {
            email: Some("fgw@city.gov.cn".into()),
            robot: Some(Robot {
                kind: Channel::WeCom,
                url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k".into(),
                secret: None,
            }),
            ..Contact::default()
        };
        let hook = Channels::new(
            Some("smtp://127.0.0.1:2525"),
            DEFAULT_FROM,
            Some("https://oa.example/hook"),
        )
        .unwrap();
        let kinds = |channels: &Channels| -> Vec<Channel> {
            deliveries_for(Some(&contact), channels)
                .iter()
                .map(|d| d.channel)
                .collect()
        };
        assert_eq!(
            kinds(&hook),
            vec![Channel::Email, Channel::WeCom, Channel::Webhook]
        );
        assert_eq!(
            kinds(&Channels::robots_only().unwrap()),
            vec![Channel::WeCom],
            "no SMTP server: no email waits"
        );
        assert_eq!(deliveries_for(None, &hook).len(), 1);
        let none = Channels::robots_only().unwrap();
        assert!(deliveries_for(None, &none).is_empty());
        assert!(!none.has_email());
        assert!(none.summary().contains("未配置"));
    }

    #[test]
    fn bad_configuration_is_named() {
        let e = Channels::new(Some("http://mail"), DEFAULT_FROM, None).unwrap_err();
        assert!(e.to_string().contains("DUBAN_SMTP_URL"), "{e}");
        let e = Channels::new(None, "not an address", None).unwrap_err();
        assert!(e.to_string().contains("DUBAN_SMTP_FROM"), "{e}");
        let e = Channels::new(None, DEFAULT_FROM, Some("oa.example/hook")).unwrap_err();
        assert!(e.to_string().contains("DUBAN_WEBHOOK_URL"), "{e}");
        let ok = Channels::new(
            Some("smtps://user:secret@mail.example:465"),
            "督查室 <dcs@city.gov.cn>",
            None,
        )
        .unwrap();
        assert!(ok.has_email());
        let summary = ok.summary();
        assert!(!summary.contains("secret"), "{summary}");
        assert!(summary.contains("mail.example"), "{summary}");
    }
}
