//! 通讯录 — how a unit or a leader is reached: the 联络员 (liaison), a mobile number, an email
//! address and a group robot (企业微信, 钉钉, or any JSON webhook). Written one at a time by the
//! office or imported all or none; every change audited.

use duban_core::reminder::Recipient;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, AuditRecord};
use crate::items::resolve_unit;
use crate::{Result, Store, StoreError};

/// 群机器人类型
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotKind {
    /// 企业微信群机器人
    WeCom,
    /// 钉钉群机器人
    DingTalk,
    /// 通用 Webhook (an SMS gateway, the city's OA)
    Webhook,
}

impl RobotKind {
    pub fn code(self) -> &'static str {
        match self {
            RobotKind::WeCom => "wecom",
            RobotKind::DingTalk => "dingtalk",
            RobotKind::Webhook => "webhook",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RobotKind::WeCom => "企业微信",
            RobotKind::DingTalk => "钉钉",
            RobotKind::Webhook => "Webhook",
        }
    }

    /// Reads a code or a label ("企业微信", "钉钉", "webhook", "wecom", …).
    pub fn parse(text: &str) -> Option<RobotKind> {
        let t = text.trim().to_lowercase();
        [RobotKind::WeCom, RobotKind::DingTalk, RobotKind::Webhook]
            .into_iter()
            .find(|k| t == k.code() || t == k.label().to_lowercase())
            .or(match t.as_str() {
                "微信" | "企微" | "wechat" | "wework" => Some(RobotKind::WeCom),
                "dingding" | "ding" => Some(RobotKind::DingTalk),
                "通用" | "http" => Some(RobotKind::Webhook),
                _ => None,
            })
    }

    /// The kind a robot's address names: 企业微信's and 钉钉's own hosts, else a webhook.
    pub fn of_url(url: &str) -> RobotKind {
        if url.contains("qyapi.weixin.qq.com") {
            RobotKind::WeCom
        } else if url.contains("oapi.dingtalk.com") {
            RobotKind::DingTalk
        } else {
            RobotKind::Webhook
        }
    }
}

/// 群机器人
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Robot {
    pub kind: RobotKind,
    pub url: String,
    /// 加签密钥 (钉钉)
    pub secret: Option<String>,
}

/// 联系方式 of a unit or a leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub of: Recipient,
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
    /// Checks each field: a mobile of 7–20 digits, an email with one @, an http(s) robot.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let short = |what: &str, v: &Option<String>, max: usize| match v {
            Some(s) if s.chars().count() > max => Err(format!("{what}：最多 {max} 字")),
            _ => Ok(()),
        };
        short("联络员", &self.liaison, 50)?;
        if let Some(p) = &self.phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(7..=20).contains(&digits)
                || !p.chars().all(|c| c.is_ascii_digit() || "+- ()".contains(c))
            {
                return Err(format!("手机：“{p}”不是电话号码（如 13800000000）"));
            }
        }
        if let Some(e) = &self.email {
            let parts: Vec<&str> = e.split('@').collect();
            if parts.len() != 2
                || parts[0].is_empty()
                || !parts[1].contains('.')
                || e.chars().count() > 200
                || e.chars().any(char::is_whitespace)
            {
                return Err(format!("邮箱：“{e}”不是邮箱地址（如 name@example.gov.cn）"));
            }
        }
        if let Some(r) = &self.robot {
            if !(r.url.starts_with("https://") || r.url.starts_with("http://"))
                || r.url.chars().count() > 500
                || r.url.chars().any(char::is_whitespace)
            {
                return Err(format!(
                    "群机器人：“{}”不是网址（应以 https:// 开头）",
                    r.url
                ));
            }
            short("加签密钥", &r.secret, 200)?;
        }
        Ok(())
    }
}

#[derive(FromRow)]
struct ContactRow {
    unit: Option<String>,
    leader: Option<String>,
    liaison: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    robot_kind: Option<String>,
    robot_url: Option<String>,
    robot_secret: Option<String>,
}

impl ContactRow {
    fn into_contact(self) -> Contact {
        let of = match (self.unit, self.leader) {
            (Some(u), _) => Recipient::Unit(u),
            (None, Some(l)) => Recipient::Leader(l),
            (None, None) => Recipient::Office,
        };
        let robot = self.robot_url.map(|url| Robot {
            kind: self
                .robot_kind
                .as_deref()
                .and_then(RobotKind::parse)
                .unwrap_or_else(|| RobotKind::of_url(&url)),
            url,
            secret: self.robot_secret,
        });
        Contact {
            of,
            liaison: self.liaison,
            phone: self.phone,
            email: self.email,
            robot,
        }
    }
}

const SELECT: &str = "SELECT u.name AS unit, l.name AS leader, c.liaison, c.phone, c.email, \
     c.robot_kind, c.robot_url, c.robot_secret \
     FROM contacts c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN leaders l ON l.id = c.leader_id";

/// Writes one contact in the caller's transaction (replacing the one it had).
async fn upsert(conn: &mut AnyConnection, actor: &str, c: &Contact, at: &str) -> Result<()> {
    c.validate().map_err(StoreError::Invalid)?;
    let (unit, leader) = match &c.of {
        Recipient::Unit(u) => (
            Some(
                resolve_unit(conn, u)
                    .await
                    .map_err(|_| StoreError::Invalid(format!("单位：单位名录中没有“{u}”")))?,
            ),
            None,
        ),
        Recipient::Leader(l) => {
            let id: Option<i64> =
                sqlx::query_scalar("SELECT id FROM leaders WHERE name = $1 ORDER BY id LIMIT 1")
                    .bind(l.trim())
                    .fetch_optional(&mut *conn)
                    .await?;
            (
                None,
                Some(id.ok_or_else(|| StoreError::Invalid(format!("领导：领导名录中没有“{l}”")))?),
            )
        }
        Recipient::Office => {
            return Err(StoreError::Invalid("督查室的联系方式不在通讯录中".into()));
        }
    };
    sqlx::query("DELETE FROM contacts WHERE unit_id = $1 OR leader_id = $2")
        .bind(unit)
        .bind(leader)
        .execute(&mut *conn)
        .await?;
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|s| crate::sql::stored_text(s.trim().to_string()))
    };
    sqlx::query(
        "INSERT INTO contacts (unit_id, leader_id, liaison, phone, email, robot_kind, robot_url, robot_secret, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(unit)
    .bind(leader)
    .bind(text(&c.liaison))
    .bind(text(&c.phone))
    .bind(text(&c.email))
    .bind(c.robot.as_ref().map(|r| r.kind.code()))
    .bind(c.robot.as_ref().map(|r| r.url.clone()))
    .bind(c.robot.as_ref().and_then(|r| r.secret.clone()))
    .bind(actor)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let mut shown = serde_json::to_value(c).unwrap_or_default();
    if let Some(r) = shown.get_mut("robot").and_then(|r| r.as_object_mut())
        && r.get("secret").is_some_and(|s| !s.is_null())
    {
        r.insert("secret".into(), serde_json::json!("（已设置）"));
    }
    audit::record(
        conn,
        vec![AuditRecord::values(
            actor,
            at,
            "update",
            "contact",
            c.of.name(),
            None,
            Some(shown),
        )],
    )
    .await
}

impl Store {
    /// Every contact, units first, by name.
    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        let sql = format!("{SELECT} ORDER BY u.name IS NULL, u.name, l.name");
        let rows: Vec<ContactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(ContactRow::into_contact).collect())
    }

    /// The contact of one unit or leader, if any.
    pub async fn contact_of(&self, of: &Recipient) -> Result<Option<Contact>> {
        let (sql, name) = match of {
            Recipient::Unit(u) => (format!("{SELECT} WHERE u.name = $1"), u),
            Recipient::Leader(l) => (format!("{SELECT} WHERE l.name = $1"), l),
            Recipient::Office => return Ok(None),
        };
        let row: Option<ContactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(ContactRow::into_contact))
    }

    /// Sets one contact.
    pub async fn set_contact(&self, actor: &str, c: &Contact) -> Result<()> {
        let mut tx = self.write_tx().await?;
        upsert(&mut tx, actor, c, &audit::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports contacts all or none: the first bad one is named by its place ("第 N 条") and
    /// nothing is written.
    pub async fn import_contacts(&self, actor: &str, contacts: &[Contact]) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let at = audit::now();
        for (i, c) in contacts.iter().enumerate() {
            upsert(&mut tx, actor, c, &at).await.map_err(|e| match e {
                StoreError::Invalid(m) => StoreError::Invalid(format!("第 {} 条：{m}", i + 1)),
                other => other,
            })?;
        }
        tx.commit().await?;
        Ok(contacts.len())
    }
}
