//! 审计 — the audit trail: every write records who, when and what changed (before/after).

use serde::Serialize;
use serde_json::Value;
use sqlx::AnyConnection;

use futures_util::TryStreamExt;

use crate::chain::{self, ChainBreak};
use crate::sql::{Val, insert_many, stored_text};
use crate::{Result, Store};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// 链校验 — the row is what duban wrote, after the row before it in the chain (false:
    /// changed or put in with plain SQL; `duban audit verify` says more).
    pub intact: bool,
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
    /// 原因 — why, as the office stated it (absent where none is asked for).
    pub reason: Option<String>,
}

/// What the office asks of the audit trail (每项可空): who, what, when, which item; a page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// 操作人 — as recorded ("web:admin") or the account's name ("admin").
    pub actor: Option<String>,
    /// 对象 — item, unit, user, report, …
    pub entity: Option<String>,
    /// 操作 — create, update, disable, …
    pub action: Option<String>,
    /// 起 — entries at or after this UTC stamp (RFC 3339, as stored).
    pub since: Option<String>,
    /// 止 — entries before this UTC stamp.
    pub until: Option<String>,
    /// 项目编号 — the item's own entries and its reports'.
    pub item: Option<String>,
    /// 页码, from 1.
    pub page: i64,
    /// 每页条数 (1–200).
    pub per_page: i64,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// 共 — entries matching the query in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
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
    reason: Option<String>,
}

impl AuditRecord {
    /// The fields the chain's hash covers, in their stored form.
    fn fields(&self) -> chain::Fields<'_> {
        chain::Fields {
            at: &self.at,
            actor: &self.actor,
            action: self.action,
            entity: self.entity,
            entity_key: &self.entity_key,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            reason: self.reason.as_deref(),
        }
    }

    /// The same with the reason the office gave (blank: none).
    pub(crate) fn with_reason(mut self, reason: &str) -> AuditRecord {
        let r = reason.trim();
        self.reason = (!r.is_empty()).then(|| stored_text(r.to_string()));
        self
    }

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
            actor: stored_text(actor.to_string()),
            action,
            entity,
            entity_key: stored_text(key.to_string()),
            before: before.map(stored_text),
            after: after.map(stored_text),
            reason: None,
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
/// 停用 / 启用 — the record of `entity` `key` disabled or enabled by `actor`, with its reason.
pub(crate) fn disabling(
    actor: &str,
    at: &str,
    (entity, key): (&'static str, &str),
    disabled: bool,
    reason: &str,
) -> AuditRecord {
    let status = |d: bool| serde_json::json!({ "status": if d { "disabled" } else { "active" } });
    AuditRecord::values(
        actor,
        at,
        if disabled { "disable" } else { "enable" },
        entity,
        key,
        Some(status(!disabled)),
        Some(status(disabled)),
    )
    .with_reason(reason)
}

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

/// Writes audit entries inside the caller's write transaction ([`Store::write_tx`], which
/// serialises writers), each chained to the one before: its place `seq` and its `hash`, and
/// the chain's new head kept in `data_version`. The entries are taken as they are written, a
/// statement's worth at a time.
pub(crate) async fn record<I>(conn: &mut AnyConnection, entries: I) -> Result<()>
where
    I: IntoIterator<Item = AuditRecord>,
    I::IntoIter: Send,
{
    let mut entries = entries.into_iter().peekable();
    if entries.peek().is_none() {
        return Ok(());
    }
    let (mut head, mut rows): (String, i64) =
        sqlx::query_as("SELECT audit_head, audit_rows FROM data_version WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let values = entries.map(|e| {
        rows += 1;
        head = chain::link(&head, rows, &e.fields());
        vec![
            Val::from(e.at),
            e.actor.into(),
            e.action.into(),
            e.entity.into(),
            e.entity_key.into(),
            e.before.into(),
            e.after.into(),
            e.reason.into(),
            rows.into(),
            head.clone().into(),
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
            "reason",
            "seq",
            "hash",
        ],
        values,
    )
    .await?;
    sqlx::query("UPDATE data_version SET audit_head = $1, audit_rows = $2 WHERE id = 1")
        .bind(head)
        .bind(rows)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The longest reason kept with a change.
pub const MAX_REASON: usize = 200;

/// The reason the office gives for a change: required, one to [`MAX_REASON`] characters.
pub(crate) fn required_reason(reason: &str) -> Result<String> {
    let r = duban_core::text::without_controls(reason.trim()).to_string();
    if r.is_empty() {
        return Err(crate::StoreError::Invalid(
            "修改原因：请写明为什么修改（会记入审计记录）".into(),
        ));
    }
    if r.chars().count() > MAX_REASON {
        return Err(crate::StoreError::Invalid(format!(
            "修改原因：不能超过 {MAX_REASON} 个字"
        )));
    }
    Ok(r)
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The state of the audit chain, as `duban audit verify` and the office's page show it.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// 已核验 — rows read.
    pub checked: i64,
    /// 链长 — rows the chain should have, as the last write recorded.
    pub rows: i64,
    /// 链头 — the last row's hash (write it down elsewhere to notice a rewritten chain).
    pub head: String,
    /// The first break, if any.
    pub first_break: Option<ChainBreak>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.first_break.is_none()
    }
}

const CHAIN_COLUMNS: &str =
    "id, seq, hash, at, actor, action, entity, entity_key, before, after, reason FROM audit_log";

/// A row of [`CHAIN_COLUMNS`], as stored.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    seq: Option<i64>,
    hash: Option<String>,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_key: String,
    before: Option<String>,
    after: Option<String>,
    reason: Option<String>,
}

impl From<AuditRow> for chain::StoredRow {
    fn from(r: AuditRow) -> chain::StoredRow {
        chain::StoredRow {
            id: r.id,
            seq: r.seq,
            hash: r.hash,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_key: r.entity_key,
            before: r.before,
            after: r.after,
            reason: r.reason,
        }
    }
}

/// The entries of the trail: the row and the hash of the row before it in the chain.
const ENTRY_SELECT: &str = "SELECT a.id, a.seq, a.hash, a.at, a.actor, a.action, a.entity, \
    a.entity_key, a.before, a.after, a.reason, p.hash AS previous \
    FROM audit_log a LEFT JOIN audit_log p ON p.seq = a.seq - 1";

/// A row of [`ENTRY_SELECT`], as stored.
#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(flatten)]
    row: AuditRow,
    previous: Option<String>,
}

impl TryFrom<EntryRow> for AuditEntry {
    type Error = crate::StoreError;

    fn try_from(r: EntryRow) -> Result<AuditEntry> {
        // Items and problems are recorded as JSON; settings, issued bulletins and indicator
        // imports as plain text, shown as a string.
        let json = |s: Option<String>| -> Result<Option<Value>> {
            Ok(s.map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s))))
        };
        let stored = chain::StoredRow::from(r.row);
        let intact = match (stored.seq, &stored.hash) {
            (Some(1), Some(h)) => chain::link("", 1, &stored.fields()) == *h,
            (Some(seq), Some(h)) => r
                .previous
                .is_some_and(|p| chain::link(&p, seq, &stored.fields()) == *h),
            _ => false,
        };
        Ok(AuditEntry {
            intact,
            before: json(stored.before)?,
            after: json(stored.after)?,
            reason: stored.reason,
            at: stored.at,
            actor: stored.actor,
            action: stored.action,
            entity: stored.entity,
            entity_key: stored.entity_key,
        })
    }
}

impl Store {
    /// Walks the whole audit chain and names the first row altered, inserted or deleted.
    pub async fn verify_audit(&self) -> Result<ChainReport> {
        // One consistent view of the chain and its recorded end (a read transaction; on
        // PostgreSQL a repeatable-read one), so a write committed meanwhile is not half seen.
        let mut tx = self.consistent_read().await?;
        let (head, rows): (String, i64) =
            sqlx::query_as("SELECT audit_head, audit_rows FROM data_version WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let mut verifier = chain::Verifier::new();
        let sql = format!("SELECT {CHAIN_COLUMNS} ORDER BY id");
        let mut stream = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
        while let Some(r) = stream.try_next().await? {
            verifier.row(&r.into());
            if verifier.first_break.is_some() {
                break;
            }
        }
        drop(stream);
        tx.rollback().await?;
        let (checked, first_break) = verifier.finish(&head, rows);
        Ok(ChainReport {
            checked,
            rows,
            head,
            first_break,
        })
    }

    /// Chains the rows written before the chain existed (once, on open).
    pub(crate) async fn chain_existing(&self) -> Result<()> {
        let chained: i64 = sqlx::query_scalar("SELECT chained FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        if chained != 0 {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        let sql = format!("SELECT {CHAIN_COLUMNS} WHERE hash IS NULL ORDER BY id");
        let rows: Vec<chain::StoredRow> = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(chain::StoredRow::from)
            .collect();
        let (mut head, mut seq) = (String::new(), 0i64);
        let mut links = Vec::with_capacity(rows.len());
        for r in &rows {
            seq += 1;
            head = chain::link(&head, seq, &r.fields());
            links.push(vec![Val::from(r.id), seq.into(), head.clone().into()]);
        }
        if !links.is_empty() {
            sqlx::query("CREATE TEMPORARY TABLE audit_fill (id BIGINT, seq BIGINT, hash TEXT)")
                .execute(&mut *tx)
                .await?;
            insert_many(&mut tx, "audit_fill", &["id", "seq", "hash"], links).await?;
            sqlx::query(
                "UPDATE audit_log SET seq = f.seq, hash = f.hash FROM audit_fill f \
                 WHERE audit_log.id = f.id",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query("DROP TABLE audit_fill")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE data_version SET audit_head = $1, audit_rows = $2, chained = 1 WHERE id = 1",
        )
        .bind(head)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}

impl Store {
    /// The audit trail of one object (`entity` "item" with the item code, "unit" with its
    /// name, …), oldest first.
    pub async fn audit_trail(&self, entity: &str, key: &str) -> Result<Vec<AuditEntry>> {
        let sql = format!("{ENTRY_SELECT} WHERE a.entity = $1 AND a.entity_key = $2 ORDER BY a.id");
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entity)
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
        entries(rows)
    }

    /// The newest `limit` audit entries (at most 500), newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let sql = format!("{ENTRY_SELECT} ORDER BY a.id DESC LIMIT $1");
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(limit.clamp(1, 500))
            .fetch_all(&self.pool)
            .await?;
        entries(rows)
    }

    /// A page of the audit trail, newest first, as the office filters it on the 审计 page.
    pub async fn audit_log(&self, q: &AuditQuery) -> Result<AuditPage> {
        let per_page = q.per_page.clamp(1, 200);
        let page = q.page.max(1);
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let item = blank(&q.item);
        let prefix = item.as_ref().map(|c| format!("{c}/"));
        let prefix_len = prefix.as_ref().map(|p| p.chars().count() as i64);
        // The actor as written ("web:admin") or the account's name ("admin").
        const WHERE: &str = "WHERE ($1 IS NULL OR a.actor = $1 OR a.actor = $2) \
            AND ($3 IS NULL OR a.entity = $3) AND ($4 IS NULL OR a.action = $4) \
            AND ($5 IS NULL OR a.at >= $5) AND ($6 IS NULL OR a.at < $6) \
            AND ($7 IS NULL OR (a.entity = 'item' AND a.entity_key = $7) \
                 OR (a.entity = 'report' AND substr(a.entity_key, 1, CAST($9 AS INTEGER)) = $8))";
        let actor = blank(&q.actor);
        let web_actor = actor.as_ref().map(|a| format!("web:{a}"));
        macro_rules! bind_filters {
            ($query:expr) => {
                $query
                    .bind(actor.clone())
                    .bind(web_actor.clone())
                    .bind(blank(&q.entity))
                    .bind(blank(&q.action))
                    .bind(blank(&q.since))
                    .bind(blank(&q.until))
                    .bind(item.clone())
                    .bind(prefix.clone())
                    .bind(prefix_len)
            };
        }
        let total: i64 = bind_filters!(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log a {WHERE}"
        ))))
        .fetch_one(&self.pool)
        .await?;
        let rows = bind_filters!(sqlx::query_as::<_, EntryRow>(sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} {WHERE} ORDER BY a.id DESC LIMIT $10 OFFSET $11"
        ))))
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&self.pool)
        .await?;
        Ok(AuditPage {
            entries: entries(rows)?,
            total,
            page,
            per_page,
        })
    }

    /// How many audit entries there are in all.
    pub async fn audit_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?)
    }
}

fn entries(rows: Vec<EntryRow>) -> Result<Vec<AuditEntry>> {
    rows.into_iter().map(AuditEntry::try_from).collect()
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
