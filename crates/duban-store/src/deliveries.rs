//! 消息与发送记录 — a message to a unit, a leader or the office (the in-app inbox), and its
//! deliveries outside the app: one row per message and channel (email, a group robot, the
//! generic webhook), sent by whichever server claims it first.
//!
//! A server claims due rows in a short write transaction (`claimed_by`, `claimed_until`: a
//! lease), sends them outside any transaction, then records each outcome — only while the
//! row is still its own. Claims never overlap: on SQLite every write transaction holds the
//! database's write lock from its start (`BEGIN IMMEDIATE`); on PostgreSQL the rows are
//! chosen `FOR UPDATE SKIP LOCKED` and the claim re-checks, under the row lock, that nobody
//! holds a lease on them (in READ COMMITTED an UPDATE re-evaluates its WHERE on the row's
//! newest version after waiting for it). A server that dies holding a lease leaves its rows
//! to be claimed again once the lease has run out.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use duban_core::{Recipient, ReminderLevel};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord};
use crate::sql::{Val, insert_many};
use crate::{Backend, Result, Store, StoreError};

duban_core::labelled_enum! {
    /// 发送渠道 — how a message leaves the app.
    pub enum Channel ("发送渠道") {
        /// 邮件 — to the contact's email address, through the configured SMTP server.
        Email = "email", "邮件", ["电子邮件", "邮箱"],
        /// 企业微信群机器人
        WeCom = "wecom", "企业微信", ["企业微信群机器人", "企微"],
        /// 钉钉群机器人 (signed when the contact has a secret)
        DingTalk = "dingtalk", "钉钉", ["钉钉群机器人"],
        /// A generic JSON webhook: an SMS gateway, the city's OA.
        Webhook = "webhook", "Webhook", ["网络钩子"],
    }
}

duban_core::labelled_enum! {
    /// 发送状态
    pub enum DeliveryState ("发送状态") {
        /// 待发送 — due now or at `next_attempt_at` (after a failure).
        Pending = "pending", "待发送", ["待发", "重试中"],
        /// 已发送
        Sent = "sent", "已发送", ["成功"],
        /// 发送失败 — given up.
        Failed = "failed", "发送失败", ["失败"],
    }
}

/// A delivery to enqueue with a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NewDelivery {
    pub channel: Channel,
    /// The email address, or the robot's or webhook's URL.
    pub address: String,
}

/// 群机器人 — a unit's or leader's group robot.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Robot {
    /// 企业微信, 钉钉 or a generic webhook (never email).
    pub kind: Channel,
    pub url: String,
    /// 钉钉's signing secret ("加签"), if the robot has one.
    #[serde(skip_serializing)]
    pub secret: Option<String>,
}

impl std::fmt::Debug for Robot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Robot")
            .field("kind", &self.kind)
            .field("url", &shown_address(self.kind, &self.url))
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// 通讯录 — how to reach a unit or a leader outside the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// 联络员
    pub liaison: Option<String>,
    /// 手机
    pub phone: Option<String>,
    /// 邮箱
    pub email: Option<String>,
    /// 群机器人
    pub robot: Option<Robot>,
}

impl Contact {
    /// What a message to this contact is delivered by: its email address, its robot.
    pub fn deliveries(&self) -> Vec<NewDelivery> {
        let mut out = Vec::new();
        if let Some(email) = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            out.push(NewDelivery {
                channel: Channel::Email,
                address: email.to_string(),
            });
        }
        if let Some(r) = &self.robot {
            out.push(NewDelivery {
                channel: r.kind,
                address: r.url.trim().to_string(),
            });
        }
        out
    }

    /// The secret to sign a request to `address` with: the robot's, if that is its URL.
    pub fn secret_for(&self, address: &str) -> Option<&str> {
        self.robot
            .as_ref()
            .filter(|r| r.url.trim() == address.trim())
            .and_then(|r| r.secret.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// A delivery a server has claimed: what to send, to whom, by which channel.
#[derive(Debug, Clone)]
pub struct PendingDelivery {
    pub id: i64,
    pub message_id: i64,
    pub channel: Channel,
    pub address: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub recipient: Recipient,
    pub level: Option<ReminderLevel>,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// When the message was written (UTC, RFC 3339).
    pub created_at: String,
    /// The recipient's contact as it is now (the webhook sends it; 钉钉 signs with its
    /// secret).
    pub contact: Option<Contact>,
}

impl PendingDelivery {
    /// The secret to sign this delivery with (钉钉).
    pub fn secret(&self) -> Option<&str> {
        self.contact
            .as_ref()
            .and_then(|c| c.secret_for(&self.address))
    }
}

/// What the office asks of the delivery log (每项可空); a page.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub state: Option<DeliveryState>,
    pub channel: Option<Channel>,
    /// 收件方 — a unit's or leader's name, or 督查室.
    pub recipient: Option<String>,
    /// 页码, from 1.
    pub page: i64,
    /// 每页条数 (1–200).
    pub per_page: i64,
}

/// A row of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub message_id: i64,
    pub channel: Channel,
    /// The address with the secrets of a robot's or webhook's URL cut short.
    pub address: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// 下次尝试 (UTC) — for a pending row; for a failed one, when it was given up.
    pub next_attempt_at: String,
    /// The server holding it and until when, while it is being sent.
    pub claimed_by: Option<String>,
    pub claimed_until: Option<String>,
    /// 最近一次错误
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub created_at: String,
    pub recipient: Recipient,
    pub level: Option<ReminderLevel>,
    pub title: String,
}

/// How many deliveries are in each state (within the filter's channel and recipient).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// A page of the delivery log, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryLog {
    pub rows: Vec<DeliveryRow>,
    /// 共 — rows matching the filter in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub counts: DeliveryCounts,
}

/// The longest error kept with a delivery, in characters.
pub const MAX_DELIVERY_ERROR: usize = 1000;
/// The longest address (an email address or a URL), in characters.
const MAX_ADDRESS: usize = 2000;
/// Most rows one claim takes.
pub const MAX_CLAIM: usize = 500;

/// A UTC instant as stored: RFC 3339 to the millisecond ("2025-06-01T08:00:00.000Z"), which
/// sorts and compares as text.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn recipient_columns(to: &Recipient) -> (&'static str, String) {
    match to {
        Recipient::Office => ("office", to.name().to_string()),
        Recipient::Unit(n) => ("unit", n.trim().to_string()),
        Recipient::Leader(n) => ("leader", n.trim().to_string()),
    }
}

fn recipient_from(kind: &str, name: String) -> Result<Recipient> {
    match kind {
        "office" => Ok(Recipient::Office),
        "unit" => Ok(Recipient::Unit(name)),
        "leader" => Ok(Recipient::Leader(name)),
        other => Err(StoreError::corrupt("messages.to_kind", other)),
    }
}

fn level_from(level: Option<String>) -> Result<Option<ReminderLevel>> {
    level
        .map(|l| ReminderLevel::parse(&l).map_err(|e| StoreError::corrupt("messages.level", e)))
        .transpose()
}

fn channel_from(c: &str) -> Result<Channel> {
    Channel::parse(c).map_err(|e| StoreError::corrupt("deliveries.channel", e))
}

/// Writes a message to `to`'s inbox inside the caller's write transaction; returns its id.
pub async fn post_message(
    tx: &mut AnyConnection,
    to: &Recipient,
    level: Option<ReminderLevel>,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: &str,
) -> Result<i64> {
    let (kind, name) = recipient_columns(to);
    if name.is_empty() {
        return Err(StoreError::Invalid("收件方：名称不能为空".into()));
    }
    let title = title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid("消息标题：不能为空".into()));
    }
    let mut q = sqlx::query_scalar(
        "INSERT INTO messages (to_kind, to_name, level, title, body, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    );
    for v in [
        Val::from(kind),
        name.into(),
        level.map(|l| l.code().to_string()).into(),
        title.into(),
        body.into(),
        link.map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .into(),
        now.into(),
    ] {
        q = match v {
            Val::Int(i) => q.bind(i),
            Val::Text(t) => q.bind(t),
        };
    }
    Ok(q.fetch_one(&mut *tx).await?)
}

/// Enqueues a message's deliveries inside the caller's write transaction (one multi-row
/// insert), due at once. The same channel and address twice is one delivery.
pub async fn enqueue_deliveries(
    tx: &mut AnyConnection,
    message_id: i64,
    deliveries: &[NewDelivery],
    now: &str,
) -> Result<()> {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for d in deliveries {
        let address = d.address.trim();
        if address.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{}：发送地址不能为空",
                d.channel.label()
            )));
        }
        if address.chars().count() > MAX_ADDRESS {
            return Err(StoreError::Invalid(format!(
                "{}：发送地址最多 {MAX_ADDRESS} 个字符",
                d.channel.label()
            )));
        }
        if seen.insert((d.channel, address)) {
            rows.push(vec![
                Val::from(message_id),
                d.channel.code().into(),
                address.into(),
                "pending".into(),
                0i64.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_many(
        tx,
        "deliveries",
        &[
            "message_id",
            "channel",
            "address",
            "state",
            "attempts",
            "next_attempt_at",
            "created_at",
        ],
        rows,
    )
    .await
}

/// A contact row with its owner, as read.
#[derive(sqlx::FromRow)]
struct ContactRow {
    kind: String,
    name: String,
    liaison: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    robot_kind: Option<String>,
    robot_url: Option<String>,
    robot_secret: Option<String>,
}

impl ContactRow {
    fn contact(self) -> Result<(Recipient, Contact)> {
        let robot = match (self.robot_kind, self.robot_url) {
            (Some(k), Some(url)) if !url.is_empty() => Some(Robot {
                kind: channel_from(&k)?,
                url,
                secret: self.robot_secret,
            }),
            _ => None,
        };
        Ok((
            recipient_from(&self.kind, self.name)?,
            Contact {
                liaison: self.liaison,
                phone: self.phone,
                email: self.email,
                robot,
            },
        ))
    }
}

const CONTACT_COLUMNS: &str =
    "c.id, c.liaison, c.phone, c.email, c.robot_kind, c.robot_url, c.robot_secret";

/// Most names one contact read binds.
const CONTACT_CHUNK: usize = 500;

/// The contacts of these recipients (units and leaders by name; the office has none), read
/// inside the caller's transaction. A leader's name shared by two leaders gives the first
/// contact written.
pub async fn contacts_by_recipient(
    conn: &mut AnyConnection,
    recipients: &[Recipient],
) -> Result<HashMap<Recipient, Contact>> {
    let mut out = HashMap::new();
    for (kind, table, column) in [
        ("unit", "units", "unit_id"),
        ("leader", "leaders", "leader_id"),
    ] {
        let names: Vec<String> = recipients
            .iter()
            .map(recipient_columns)
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in names.chunks(CONTACT_CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT '{kind}' AS kind, o.name AS name, {CONTACT_COLUMNS} FROM contacts c \
                 JOIN {table} o ON o.id = c.{column} WHERE o.name IN ({}) ORDER BY c.id DESC",
                marks.join(", ")
            );
            let mut q = sqlx::query_as::<_, ContactRow>(sqlx::AssertSqlSafe(sql));
            for n in chunk {
                q = q.bind(n.clone());
            }
            // Newest first: the first contact written for a name is inserted last and wins.
            for row in q.fetch_all(&mut *conn).await? {
                let (r, c) = row.contact()?;
                out.insert(r, c);
            }
        }
    }
    Ok(out)
}

/// A row of a claimed delivery joined with its message.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    message_id: i64,
    channel: String,
    address: String,
    attempts: i64,
    to_kind: String,
    to_name: String,
    level: Option<String>,
    title: String,
    body: String,
    link: Option<String>,
    created_at: String,
}

/// A row of the log joined with its message.
#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    message_id: i64,
    channel: String,
    address: String,
    state: String,
    attempts: i64,
    next_attempt_at: String,
    claimed_by: Option<String>,
    claimed_until: Option<String>,
    last_error: Option<String>,
    sent_at: Option<String>,
    created_at: String,
    to_kind: String,
    to_name: String,
    level: Option<String>,
    title: String,
}

impl TryFrom<LogRow> for DeliveryRow {
    type Error = StoreError;
    fn try_from(r: LogRow) -> Result<DeliveryRow> {
        let channel = channel_from(&r.channel)?;
        Ok(DeliveryRow {
            id: r.id,
            message_id: r.message_id,
            channel,
            address: shown_address(channel, &r.address),
            state: DeliveryState::parse(&r.state)
                .map_err(|e| StoreError::corrupt("deliveries.state", e))?,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            claimed_by: r.claimed_by,
            claimed_until: r.claimed_until,
            last_error: r.last_error,
            sent_at: r.sent_at,
            created_at: r.created_at,
            recipient: recipient_from(&r.to_kind, r.to_name)?,
            level: level_from(r.level)?,
            title: r.title,
        })
    }
}

/// An address as the log shows it: an email address whole; a URL with its query values and
/// long path parts (where robots and webhooks carry their keys) cut to their first four
/// characters.
pub fn shown_address(channel: Channel, address: &str) -> String {
    if channel == Channel::Email {
        return address.to_string();
    }
    let cut = |s: &str| -> String {
        if s.chars().count() > 8 {
            format!("{}…", s.chars().take(4).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let (rest, query) = match address.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (address, None),
    };
    let (scheme, rest) = match rest.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), rest),
    };
    let mut parts = rest.split('/');
    let host = parts.next().unwrap_or_default();
    // Credentials in the authority are never shown.
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let mut out = format!("{scheme}{host}");
    for p in parts {
        out.push('/');
        out.push_str(&if p.chars().count() > 16 {
            cut(p)
        } else {
            p.to_string()
        });
    }
    if let Some(q) = query {
        let pairs: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => format!("{k}={}", cut(v)),
                None => cut(kv),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The longest contact field (name, phone, email), in characters.
const MAX_CONTACT_FIELD: usize = 100;

fn clean(field: &str, v: &Option<String>) -> Result<Option<String>> {
    let v = v
        .as_deref()
        .map(|s| duban_core::text::without_controls(s.trim()).to_string())
        .filter(|s| !s.is_empty());
    if v.as_ref()
        .is_some_and(|s| s.chars().count() > MAX_CONTACT_FIELD)
    {
        return Err(StoreError::Invalid(format!(
            "{field}：最多 {MAX_CONTACT_FIELD} 个字"
        )));
    }
    Ok(v)
}

/// A contact as it may be stored: trimmed, within bounds, an email address that looks like
/// one, a robot of a robot's kind with an http(s) URL, a secret only for 钉钉.
fn checked(contact: &Contact) -> Result<Contact> {
    let email = clean("邮箱", &contact.email)?;
    if let Some(e) = &email {
        let ok = e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
        });
        if !ok {
            return Err(StoreError::Invalid(format!(
                "邮箱：“{e}”不是有效的邮箱地址"
            )));
        }
    }
    let robot = match &contact.robot {
        None => None,
        Some(r) => {
            if r.kind == Channel::Email {
                return Err(StoreError::Invalid(
                    "群机器人类型：应为企业微信、钉钉或 Webhook".into(),
                ));
            }
            let url = duban_core::text::without_controls(r.url.trim()).to_string();
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url.contains(char::is_whitespace)
                || url.chars().count() > MAX_ADDRESS
            {
                return Err(StoreError::Invalid(format!(
                    "群机器人地址：应为 http:// 或 https:// 开头的网址（最多 {MAX_ADDRESS} 个字符）"
                )));
            }
            let secret = r
                .secret
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if secret.is_some() && r.kind != Channel::DingTalk {
                return Err(StoreError::Invalid("加签密钥：只有钉钉群机器人需要".into()));
            }
            if secret.as_ref().is_some_and(|s| s.len() > 200) {
                return Err(StoreError::Invalid("加签密钥：最多 200 个字符".into()));
            }
            Some(Robot {
                kind: r.kind,
                url,
                secret,
            })
        }
    };
    Ok(Contact {
        liaison: clean("联络员", &contact.liaison)?,
        phone: clean("手机", &contact.phone)?,
        email,
        robot,
    })
}

/// A contact as the audit trail records it: the secret only as whether there is one.
fn audited(c: &Contact) -> serde_json::Value {
    json!({
        "liaison": c.liaison,
        "phone": c.phone,
        "email": c.email,
        "robot_kind": c.robot.as_ref().map(|r| r.kind.code()),
        "robot_url": c.robot.as_ref().map(|r| shown_address(r.kind, &r.url)),
        "robot_secret": c.robot.as_ref().and_then(|r| r.secret.as_ref()).map(|_| "已设置"),
    })
}

impl Store {
    /// Writes a message with its deliveries in one write transaction; returns its id.
    pub async fn send_message(
        &self,
        to: &Recipient,
        level: Option<ReminderLevel>,
        title: &str,
        body: &str,
        link: Option<&str>,
        deliveries: &[NewDelivery],
    ) -> Result<i64> {
        let now = audit::now();
        let mut tx = self.write_tx().await?;
        let id = post_message(&mut tx, to, level, title, body, link, &now).await?;
        enqueue_deliveries(&mut tx, id, deliveries, &now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The contacts of these recipients (see [`contacts_by_recipient`]).
    pub async fn contacts_by_recipient(
        &self,
        recipients: &[Recipient],
    ) -> Result<HashMap<Recipient, Contact>> {
        contacts_by_recipient(&mut *self.pool.acquire().await?, recipients).await
    }

    /// The contact of one unit or leader, if there is one.
    pub async fn contact_for(&self, to: &Recipient) -> Result<Option<Contact>> {
        Ok(self
            .contacts_by_recipient(std::slice::from_ref(to))
            .await?
            .remove(to))
    }

    /// 通讯录 — sets the contact of a unit (by name or short name) or a leader (by name),
    /// audited (a secret only as "已设置"). Returns whether anything changed.
    pub async fn set_contact(
        &self,
        actor: &str,
        to: &Recipient,
        contact: &Contact,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let changed = set_contact_in(&mut tx, actor, to, contact).await?;
        if changed {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(changed)
    }

    /// Claims up to `limit` (at most [`MAX_CLAIM`]) deliveries that are due at `now` and
    /// held by nobody, for `server`, until `now + lease`. No two servers ever hold the same
    /// row (see the module's description). Bookkeeping: the data version stays.
    pub async fn claim_deliveries(
        &self,
        server: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>> {
        let limit = limit.clamp(1, MAX_CLAIM) as i64;
        let lease = chrono::Duration::from_std(lease)
            .map_err(|_| StoreError::Invalid("租约时长过长".into()))?;
        let (at, until) = (stamp(now), stamp(now + lease));
        // The rows are chosen once (a materialized CTE: on PostgreSQL an `IN (SELECT … LIMIT
        // n FOR UPDATE)` may be run again for each row updated, and once the first rows are
        // updated, locking skips them and the limit reaches further — more than n rows were
        // claimed). PostgreSQL locks the chosen rows, skipping those another claim has locked
        // rather than waiting, and re-checks the condition on a row's newest version; the
        // UPDATE checks the lease once more.
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "WITH due AS MATERIALIZED (SELECT id FROM deliveries \
                 WHERE state = 'pending' AND next_attempt_at <= $3 \
                 AND (claimed_until IS NULL OR claimed_until < $3) \
                 ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             UPDATE deliveries SET claimed_by = $1, claimed_until = $2 \
             WHERE id IN (SELECT id FROM due) \
             AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $3) \
             RETURNING id"
        );
        let mut tx = self.write_tx_quiet().await?;
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(server)
            .bind(&until)
            .bind(&at)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.id, d.message_id, d.channel, d.address, d.attempts, m.to_kind, m.to_name, \
             m.level, m.title, m.body, m.link, m.created_at \
             FROM deliveries d JOIN messages m ON m.id = d.message_id \
             WHERE d.id IN ({}) ORDER BY d.id",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, ClaimedRow>(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&mut *tx).await?;
        let recipients: Vec<Recipient> = rows
            .iter()
            .map(|r| recipient_from(&r.to_kind, r.to_name.clone()))
            .collect::<Result<_>>()?;
        let contacts = contacts_by_recipient(&mut tx, &recipients).await?;
        tx.commit().await?;
        rows.into_iter()
            .zip(recipients)
            .map(|(r, recipient)| {
                Ok(PendingDelivery {
                    id: r.id,
                    message_id: r.message_id,
                    channel: channel_from(&r.channel)?,
                    address: r.address,
                    attempts: r.attempts,
                    contact: contacts.get(&recipient).cloned(),
                    recipient,
                    level: level_from(r.level)?,
                    title: r.title,
                    body: r.body,
                    link: r.link,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    /// Records a claimed delivery as sent at `at` — only while `server` still holds it.
    /// Returns whether it did.
    pub async fn delivery_sent(&self, id: i64, server: &str, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.write_tx_quiet().await?;
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'sent', sent_at = $1, attempts = attempts + 1, \
             claimed_by = NULL, claimed_until = NULL \
             WHERE id = $2 AND claimed_by = $3 AND state = 'pending'",
        )
        .bind(stamp(at))
        .bind(id)
        .bind(server)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Records a failed attempt at `at` with its error — only while `server` still holds
    /// the delivery: to be tried again at `next_attempt`, or, with none, given up ('failed';
    /// its `next_attempt_at` then says when). Returns whether it did.
    pub async fn delivery_failed(
        &self,
        id: i64,
        server: &str,
        error: &str,
        at: DateTime<Utc>,
        next_attempt: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let error: String = error.trim().chars().take(MAX_DELIVERY_ERROR).collect();
        let (state, next) = match next_attempt {
            Some(t) => ("pending", stamp(t)),
            None => ("failed", stamp(at)),
        };
        let mut tx = self.write_tx_quiet().await?;
        let done = sqlx::query(
            "UPDATE deliveries SET state = $1, attempts = attempts + 1, last_error = $2, \
             next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL \
             WHERE id = $4 AND claimed_by = $5 AND state = 'pending'",
        )
        .bind(state)
        .bind(crate::sql::stored_text(error))
        .bind(next)
        .bind(id)
        .bind(server)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// 发送记录 — the deliveries matching the filter, newest first, a page at a time, with
    /// how many are in each state.
    pub async fn delivery_log(&self, filter: &DeliveryFilter) -> Result<DeliveryLog> {
        let per_page = filter.per_page.clamp(1, 200);
        let page = filter.page.max(1);
        let recipient = filter
            .recipient
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        let channel = filter.channel.map(|c| c.code().to_string());
        const FROM: &str = "FROM deliveries d JOIN messages m ON m.id = d.message_id \
             WHERE ($1 IS NULL OR d.channel = $1) AND ($2 IS NULL OR m.to_name = $2)";
        let mut conn = self.pool.acquire().await?;
        let by_state: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT d.state, COUNT(*) {FROM} GROUP BY d.state"
        )))
        .bind(channel.clone())
        .bind(recipient.clone())
        .fetch_all(&mut *conn)
        .await?;
        let mut counts = DeliveryCounts::default();
        for (s, n) in by_state {
            match s.as_str() {
                "pending" => counts.pending = n,
                "sent" => counts.sent = n,
                "failed" => counts.failed = n,
                other => return Err(StoreError::corrupt("deliveries.state", other)),
            }
        }
        let total = match filter.state {
            None => counts.pending + counts.sent + counts.failed,
            Some(DeliveryState::Pending) => counts.pending,
            Some(DeliveryState::Sent) => counts.sent,
            Some(DeliveryState::Failed) => counts.failed,
        };
        let rows: Vec<LogRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.message_id, d.channel, d.address, d.state, d.attempts, \
             d.next_attempt_at, d.claimed_by, d.claimed_until, d.last_error, d.sent_at, \
             d.created_at, m.to_kind, m.to_name, m.level, m.title \
             {FROM} AND ($3 IS NULL OR d.state = $3) ORDER BY d.id DESC LIMIT $4 OFFSET $5"
        )))
        .bind(channel)
        .bind(recipient)
        .bind(filter.state.map(|s| s.code().to_string()))
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&mut *conn)
        .await?;
        Ok(DeliveryLog {
            rows: rows
                .into_iter()
                .map(DeliveryRow::try_from)
                .collect::<Result<_>>()?,
            total,
            page,
            per_page,
            counts,
        })
    }
}

/// Sets one contact in the caller's transaction (see [`Store::set_contact`]).
pub(crate) async fn set_contact_in(
    tx: &mut AnyConnection,
    actor: &str,
    to: &Recipient,
    contact: &Contact,
) -> Result<bool> {
    let contact = checked(contact)?;
    let (column, id, name) = match to {
        Recipient::Office => {
            return Err(StoreError::Invalid(
                "通讯录：督查室没有通讯录，请为单位或领导填写".into(),
            ));
        }
        Recipient::Unit(n) => {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, name FROM units WHERE name = $1 \
                 UNION SELECT u.id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id WHERE a.alias = $1",
            )
            .bind(n.trim())
            .fetch_optional(&mut *tx)
            .await?;
            let (id, name) = row.ok_or_else(|| StoreError::NotFound {
                what: "单位",
                key: n.clone(),
            })?;
            ("unit_id", id, Recipient::Unit(name))
        }
        Recipient::Leader(n) => {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM leaders WHERE name = $1 ORDER BY id")
                    .bind(n.trim())
                    .fetch_all(&mut *tx)
                    .await?;
            let id = *ids.first().ok_or_else(|| StoreError::NotFound {
                what: "领导",
                key: n.clone(),
            })?;
            ("leader_id", id, Recipient::Leader(n.trim().to_string()))
        }
    };
    let before = contacts_by_recipient(&mut *tx, std::slice::from_ref(&name))
        .await?
        .remove(&name);
    if before.as_ref() == Some(&contact) {
        return Ok(false);
    }
    let at = audit::now();
    let values = |c: &Contact| -> Vec<Val> {
        vec![
            c.liaison.clone().into(),
            c.phone.clone().into(),
            c.email.clone().into(),
            c.robot.as_ref().map(|r| r.kind.code().to_string()).into(),
            c.robot.as_ref().map(|r| r.url.clone()).into(),
            c.robot.as_ref().and_then(|r| r.secret.clone()).into(),
        ]
    };
    let existing: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM contacts WHERE {column} = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let sql = match existing {
        Some(_) => format!(
            "UPDATE contacts SET liaison = $1, phone = $2, email = $3, robot_kind = $4, \
             robot_url = $5, robot_secret = $6, updated_by = $7, updated_at = $8 WHERE {column} = $9"
        ),
        None => format!(
            "INSERT INTO contacts (liaison, phone, email, robot_kind, robot_url, robot_secret, \
             updated_by, updated_at, {column}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in values(&contact)
        .into_iter()
        .chain([Val::from(actor), at.as_str().into(), id.into()])
    {
        q = crate::sql::bind(q, v);
    }
    q.execute(&mut *tx).await?;
    let key = format!("{}:{}", recipient_columns(&name).0, name.name());
    let after = audited(&contact);
    let record = match &before {
        None => AuditRecord::values(actor, &at, "create", "contact", &key, None, Some(after)),
        Some(b) => {
            let (b, a) = audit::diff(&audited(b), &after)
                .unwrap_or((serde_json::Value::Null, serde_json::Value::Null));
            AuditRecord::values(actor, &at, "update", "contact", &key, Some(b), Some(a))
        }
    };
    audit::record(&mut *tx, vec![record]).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robot_keys_are_cut_short_in_the_log() {
        assert_eq!(
            shown_address(
                Channel::WeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
            ),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…"
        );
        assert_eq!(
            shown_address(
                Channel::Webhook,
                "https://u:p@oa.example.cn/hooks/abcdefghijklmnopqrstuvwxyz/x"
            ),
            "https://oa.example.cn/hooks/abcd…/x"
        );
        assert_eq!(shown_address(Channel::Email, "a@b.cn"), "a@b.cn");
    }

    #[test]
    fn a_contact_is_delivered_by_its_email_and_robot() {
        let c = Contact {
            email: Some(" fgw@city.gov.cn ".into()),
            robot: Some(Robot {
                kind: Channel::DingTalk,
                url: "https://oapi.dingtalk.com/robot/send?access_token=t".into(),
                secret: Some("SEC1".into()),
            }),
            ..Contact::default()
        };
        assert_eq!(
            c.deliveries(),
            vec![
                NewDelivery {
                    channel: Channel::Email,
                    address: "fgw@city.gov.cn".into()
                },
                NewDelivery {
                    channel: Channel::DingTalk,
                    address: "https://oapi.dingtalk.com/robot/send?access_token=t".into()
                },
            ]
        );
        assert_eq!(
            c.secret_for("https://oapi.dingtalk.com/robot/send?access_token=t"),
            Some("SEC1")
        );
        assert_eq!(c.secret_for("https://elsewhere"), None);
        assert!(!format!("{c:?}").contains("SEC1"));
    }

    #[test]
    fn channels_read_their_codes_and_labels() {
        assert_eq!(Channel::parse("wecom").unwrap(), Channel::WeCom);
        assert_eq!(Channel::parse("钉钉").unwrap(), Channel::DingTalk);
        assert_eq!(Channel::Email.label(), "邮件");
        assert_eq!(Channel::Webhook.label(), "Webhook");
        assert_eq!(
            serde_json::to_value(Channel::WeCom).unwrap(),
            serde_json::json!("wecom")
        );
    }
}
