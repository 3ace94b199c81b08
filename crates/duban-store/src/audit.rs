//! 审计 — the audit trail: every write records who, when and what changed (before/after).

use serde::Serialize;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::sql::{Val, insert_many};
use crate::{Result, Store};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// 时间 — UTC, RFC 3339.
    pub at: String,
    /// 操作人
    pub actor: String,
    /// 操作 — create, update, …
    pub action: String,
    /// 对象 — item, unit, leader, …
    pub entity: String,
    /// 对象标识 — the item code or the unit name.
    pub entity_key: String,
    /// 修改前 — the changed fields as they were (absent on create).
    pub before: Option<Value>,
    /// 修改后 — the changed fields as they are now (absent on delete).
    pub after: Option<Value>,
}

/// An audit entry about to be written; `before` and `after` are JSON text already, so that a
/// large import does not hold a JSON tree per item.
#[derive(Debug, Clone)]
pub(crate) struct AuditRecord {
    at: String,
    actor: String,
    action: &'static str,
    entity: &'static str,
    entity_key: String,
    before: Option<String>,
    after: Option<String>,
}

impl AuditRecord {
    pub(crate) fn new(
        actor: &str,
        at: &str,
        action: &'static str,
        entity: &'static str,
        key: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> AuditRecord {
        AuditRecord {
            at: at.to_string(),
            actor: actor.to_string(),
            action,
            entity,
            entity_key: key.to_string(),
            before,
            after,
        }
    }

    /// The same with JSON values.
    pub(crate) fn values(
        actor: &str,
        at: &str,
        action: &'static str,
        entity: &'static str,
        key: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditRecord {
        let text = |v: Option<Value>| v.map(|v| v.to_string());
        AuditRecord::new(actor, at, action, entity, key, text(before), text(after))
    }
}

/// Reduces two JSON objects to the fields that differ: (before, after).
pub(crate) fn diff(before: &Value, after: &Value) -> Option<(Value, Value)> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return (before != after).then(|| (before.clone(), after.clone()));
    };
    let mut ob = serde_json::Map::new();
    let mut oa = serde_json::Map::new();
    for key in b.keys().chain(a.keys()) {
        let (vb, va) = (
            b.get(key).unwrap_or(&Value::Null),
            a.get(key).unwrap_or(&Value::Null),
        );
        if vb != va && !ob.contains_key(key) {
            ob.insert(key.clone(), vb.clone());
            oa.insert(key.clone(), va.clone());
        }
    }
    (!oa.is_empty()).then_some((Value::Object(ob), Value::Object(oa)))
}

/// Writes audit entries inside the caller's transaction.
pub(crate) async fn record(conn: &mut AnyConnection, entries: Vec<AuditRecord>) -> Result<()> {
    let rows = entries.into_iter().map(|e| {
        vec![
            Val::from(e.at),
            e.actor.into(),
            e.action.into(),
            e.entity.into(),
            e.entity_key.into(),
            e.before.into(),
            e.after.into(),
        ]
    });
    insert_many(
        conn,
        "audit_log",
        &[
            "at",
            "actor",
            "action",
            "entity",
            "entity_key",
            "before",
            "after",
        ],
        rows,
    )
    .await
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// A number that grows with every write (the newest audit entry's id): what a cache of
    /// derived figures compares to know it is stale.
    pub async fn data_version(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The audit trail of one object (`entity` "item" with the item code, "unit" with its
    /// name, …), oldest first.
    pub async fn audit_trail(&self, entity: &str, key: &str) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, entity, entity_key, before, after FROM audit_log \
             WHERE entity = $1 AND entity_key = $2 ORDER BY id",
        )
        .bind(entity)
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json = |col: &str| -> Result<Option<Value>> {
                    let s: Option<String> = r.try_get(col)?;
                    s.map(|s| serde_json::from_str(&s))
                        .transpose()
                        .map_err(|e| crate::StoreError::corrupt("audit_log", e))
                };
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    entity: r.try_get("entity")?,
                    entity_key: r.try_get("entity_key")?,
                    before: json("before")?,
                    after: json("after")?,
                })
            })
            .collect()
    }

    /// How many audit entries there are in all.
    pub async fn audit_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_keeps_only_changed_fields() {
        let (b, a) = diff(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3, "c": 4})).unwrap();
        assert_eq!(b, json!({"b": 2, "c": null}));
        assert_eq!(a, json!({"b": 3, "c": 4}));
        assert!(diff(&json!({"a": 1}), &json!({"a": 1})).is_none());
    }
}
