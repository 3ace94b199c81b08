//! 邮件 — a message as a plain-text UTF-8 email (subject: its title) through the configured
//! SMTP server: lettre's tokio transport, TLS by rustls (implicit for `smtps://`, STARTTLS
//! for `?tls=required`), one connection per email.

use std::time::Duration;

use duban_store::PendingDelivery;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::Failure;
use crate::AppError;

/// The longest an SMTP command may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The configured SMTP server.
pub(crate) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The URL without its password, for messages.
    pub shown: String,
}

/// The sender, as `DUBAN_SMTP_FROM` gives it (`dcs@city.gov.cn` or `督查室 <dcs@…>`).
pub(crate) fn sender(from: &str) -> Result<Mailbox, AppError> {
    from.trim().parse().map_err(|e| {
        AppError::Invalid(format!(
            "DUBAN_SMTP_FROM：“{from}”不是有效的发件人地址（{e}）"
        ))
    })
}

/// A URL with its password hidden.
fn shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            let user = cred.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Smtp {
    pub(crate) fn new(url: &str) -> Result<Smtp, AppError> {
        let url = url.trim();
        let bad = |why: String| {
            AppError::Invalid(format!(
                "DUBAN_SMTP_URL：“{}”无法使用（{why}）。应为 smtp://主机:端口（不加密）、\
                 smtp://用户:密码@主机:587?tls=required（STARTTLS）或 smtps://用户:密码@主机:465",
                shown(url)
            ))
        };
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(bad("协议应为 smtp 或 smtps".into()));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| bad(e.to_string()))?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Smtp {
            transport,
            shown: shown(url),
        })
    }
}

/// The text of the email: the message, its link, where it comes from.
fn text(d: &PendingDelivery) -> String {
    let mut text = d.body.trim_end().to_string();
    if let Some(link) = &d.link {
        text.push_str(&format!("\n\n详情：{link}"));
    }
    text.push_str("\n\n——\n此邮件由督办系统自动发送，请勿直接回复。");
    text
}

pub(crate) async fn send(
    smtp: Option<&Smtp>,
    from: &Mailbox,
    d: &PendingDelivery,
) -> Result<(), Failure> {
    let Some(smtp) = smtp else {
        return Err(Failure::retry("未配置邮件服务器（DUBAN_SMTP_URL）"));
    };
    let address: Address = d
        .address
        .trim()
        .parse()
        .map_err(|e| Failure::permanent(format!("邮箱地址“{}”无效：{e}", d.address)))?;
    let to = Mailbox::new(Some(d.recipient.name().to_string()), address);
    let email = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(d.title.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(text(d))
        .map_err(|e| Failure::permanent(format!("邮件无法生成：{e}")))?;
    smtp.transport.send(email).await.map(drop).map_err(|e| {
        let message = format!("邮件发送失败（{}）：{e}", smtp.shown);
        if e.is_permanent() {
            Failure::permanent(message)
        } else {
            Failure::retry(message)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            shown("smtps://dcs:pa@ss@mail.example:465"),
            "smtps://dcs:***@mail.example:465"
        );
        assert_eq!(shown("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }
}
