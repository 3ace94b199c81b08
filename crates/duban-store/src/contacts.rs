//! 通讯录 — the directory of how units and leaders are reached (the contact itself, its checks
//! and its one-at-a-time write live with the deliveries that use it, `deliveries.rs`): every
//! contact listed, and an import written all or none.

use duban_core::reminder::Recipient;

use crate::deliveries::{Channel, Contact, set_contact_in};
use crate::{Result, Store, StoreError};

/// The channel a robot's address names: 企业微信's and 钉钉's own hosts, else a webhook.
pub fn robot_channel(url: &str) -> Channel {
    if url.contains("qyapi.weixin.qq.com") {
        Channel::WeCom
    } else if url.contains("oapi.dingtalk.com") {
        Channel::DingTalk
    } else {
        Channel::Webhook
    }
}

impl Store {
    /// Every contact: units first, then leaders, by name.
    pub async fn contacts(&self) -> Result<Vec<(Recipient, Contact)>> {
        let mut conn = self.pool.acquire().await?;
        let names: Vec<(String, String)> = sqlx::query_as(
            "SELECT 'unit' AS kind, u.name FROM contacts c JOIN units u ON u.id = c.unit_id \
             UNION ALL SELECT 'leader' AS kind, l.name FROM contacts c JOIN leaders l ON l.id = c.leader_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let recipients: Vec<Recipient> = names
            .into_iter()
            .map(|(k, n)| {
                if k == "unit" {
                    Recipient::Unit(n)
                } else {
                    Recipient::Leader(n)
                }
            })
            .collect();
        let mut found = crate::deliveries::contacts_by_recipient(&mut conn, &recipients).await?;
        let mut out: Vec<(Recipient, Contact)> = recipients
            .into_iter()
            .filter_map(|r| found.remove(&r).map(|c| (r, c)))
            .collect();
        out.sort_by(|a, b| {
            let rank = |r: &Recipient| matches!(r, Recipient::Leader(_));
            rank(&a.0).cmp(&rank(&b.0)).then(a.0.name().cmp(b.0.name()))
        });
        Ok(out)
    }

    /// Imports contacts all or none: the first bad one is named by its place ("第 N 条") and
    /// nothing is written. Returns how many changed.
    pub async fn import_contacts(
        &self,
        actor: &str,
        contacts: &[(Recipient, Contact)],
    ) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let mut changed = 0;
        for (i, (to, c)) in contacts.iter().enumerate() {
            let done = set_contact_in(&mut tx, actor, to, c)
                .await
                .map_err(|e| match e {
                    StoreError::Invalid(m) => StoreError::Invalid(format!("第 {} 条：{m}", i + 1)),
                    StoreError::NotFound { what, key } => {
                        StoreError::Invalid(format!("第 {} 条：未找到{what}“{key}”", i + 1))
                    }
                    other => other,
                })?;
            changed += usize::from(done);
        }
        tx.commit().await?;
        Ok(changed)
    }
}
