//! 审计链 — the audit trail made tamper-evident: each row's hash covers the previous row's
//! hash, its place in the chain and its fields, so a row changed, put in or taken out with
//! plain SQL breaks the chain at that row. `verify` walks a trail and names the first break.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The fields of an audit row the hash covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_key: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    /// 原因 — hashed after the other fields, and only when there is one, so a row written
    /// before rows had reasons hashes as it did.
    pub reason: Option<&'a str>,
}

/// The hash of row number `seq` (from 1) after the row whose hash is `previous` ("" for the
/// first): SHA-256 over length-prefixed fields, so no two different rows hash alike by
/// shifting text from one field into the next.
pub(crate) fn link(previous: &str, seq: i64, f: &Fields<'_>) -> String {
    let mut h = Sha256::new();
    let mut put = |s: Option<&str>| match s {
        Some(s) => {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
        }
        None => h.update(b"-"),
    };
    put(Some(previous));
    put(Some(&seq.to_string()));
    for s in [f.at, f.actor, f.action, f.entity, f.entity_key] {
        put(Some(s));
    }
    put(f.before);
    put(f.after);
    if let Some(reason) = f.reason {
        put(Some("reason"));
        put(Some(reason));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One stored audit row as the verifier reads it.
#[derive(Debug, Clone)]
pub(crate) struct StoredRow {
    pub id: i64,
    pub seq: Option<i64>,
    pub hash: Option<String>,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

impl StoredRow {
    pub(crate) fn fields(&self) -> Fields<'_> {
        Fields {
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            entity: &self.entity,
            entity_key: &self.entity_key,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            reason: self.reason.as_deref(),
        }
    }
}

/// What is wrong with the chain, at the first place it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// 被修改 — the row's fields or hash are not what was written.
    Altered { id: i64, seq: i64 },
    /// 被插入 — a row the chain never had (no place in it, or a place already taken).
    Inserted { id: i64 },
    /// 被删除 — rows `from..=to` of the chain are missing before row `id` (or at the end,
    /// `id` None).
    Deleted {
        from: i64,
        to: i64,
        before_id: Option<i64>,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { id, seq } => write!(
                f,
                "第 {seq} 条审计记录（id {id}）被修改：其内容与写入时的哈希不符"
            ),
            ChainBreak::Inserted { id } => {
                write!(f, "审计记录 id {id} 不在审计链中：是绕过系统插入的")
            }
            ChainBreak::Deleted {
                from,
                to,
                before_id,
            } => {
                let which = if from == to {
                    format!("第 {from} 条")
                } else {
                    format!("第 {from}–{to} 条")
                };
                match before_id {
                    Some(id) => write!(f, "{which}审计记录被删除（在 id {id} 之前）"),
                    None => write!(f, "链尾的{which}审计记录被删除"),
                }
            }
        }
    }
}

/// Walks the chain in id order. `head` and `rows` are what the last write recorded as the
/// chain's end. The first break found, if any.
pub(crate) struct Verifier {
    expected_seq: i64,
    previous: String,
    pub checked: i64,
    pub first_break: Option<ChainBreak>,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier {
            expected_seq: 1,
            previous: String::new(),
            checked: 0,
            first_break: None,
        }
    }

    /// Checks the next row (rows in id order).
    pub fn row(&mut self, r: &StoredRow) {
        if self.first_break.is_some() {
            return;
        }
        self.checked += 1;
        let (Some(seq), Some(hash)) = (r.seq, r.hash.as_deref()) else {
            self.first_break = Some(ChainBreak::Inserted { id: r.id });
            return;
        };
        if seq < self.expected_seq {
            self.first_break = Some(ChainBreak::Inserted { id: r.id });
            return;
        }
        let fields = r.fields();
        if seq > self.expected_seq {
            // Either rows were taken out before this one (then it still follows the hash it
            // was written after — which we no longer have) or this row was put in with a
            // made-up place. A row whose own hash does not match its fields was not written
            // by duban.
            self.first_break = Some(ChainBreak::Deleted {
                from: self.expected_seq,
                to: seq - 1,
                before_id: Some(r.id),
            });
            return;
        }
        if link(&self.previous, seq, &fields) != hash {
            self.first_break = Some(ChainBreak::Altered { id: r.id, seq });
            return;
        }
        self.previous = hash.to_string();
        self.expected_seq += 1;
    }

    /// Ends the walk against the recorded end of the chain.
    pub fn finish(mut self, head: &str, rows: i64) -> (i64, Option<ChainBreak>) {
        if self.first_break.is_none() && (self.expected_seq - 1 != rows || self.previous != head) {
            self.first_break = Some(if self.expected_seq - 1 < rows {
                ChainBreak::Deleted {
                    from: self.expected_seq,
                    to: rows,
                    before_id: None,
                }
            } else {
                ChainBreak::Inserted { id: -1 }
            });
        }
        (self.checked, self.first_break)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, seq: i64, prev: &str, key: &str) -> StoredRow {
        let f = Fields {
            at: "2025-06-01T00:00:00.000Z",
            actor: "admin",
            action: "update",
            entity: "item",
            entity_key: key,
            before: Some(r#"{"a":1}"#),
            after: None,
            reason: None,
        };
        StoredRow {
            id,
            seq: Some(seq),
            hash: Some(link(prev, seq, &f)),
            at: f.at.into(),
            actor: f.actor.into(),
            action: f.action.into(),
            entity: f.entity.into(),
            entity_key: key.into(),
            before: f.before.map(str::to_string),
            after: None,
            reason: None,
        }
    }

    fn chain(n: i64) -> Vec<StoredRow> {
        let mut out: Vec<StoredRow> = Vec::new();
        for i in 1..=n {
            let prev = out.last().and_then(|r| r.hash.clone()).unwrap_or_default();
            out.push(row(i, i, &prev, &format!("XM{i}")));
        }
        out
    }

    fn verify(rows: &[StoredRow], head: &str, n: i64) -> Option<ChainBreak> {
        let mut v = Verifier::new();
        rows.iter().for_each(|r| v.row(r));
        v.finish(head, n).1
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(5);
        let head = rows[4].hash.clone().unwrap();
        assert_eq!(verify(&rows, &head, 5), None);
    }

    #[test]
    fn an_altered_row_is_named() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone().unwrap();
        rows[2].actor = "someone".into();
        assert_eq!(
            verify(&rows, &head, 5),
            Some(ChainBreak::Altered { id: 3, seq: 3 })
        );
    }

    #[test]
    fn a_deleted_row_is_named_in_the_middle_and_at_the_end() {
        let rows = chain(5);
        let head = rows[4].hash.clone().unwrap();
        let mut gap = rows.clone();
        gap.remove(1);
        assert_eq!(
            verify(&gap, &head, 5),
            Some(ChainBreak::Deleted {
                from: 2,
                to: 2,
                before_id: Some(3)
            })
        );
        assert_eq!(
            verify(&rows[..3], &head, 5),
            Some(ChainBreak::Deleted {
                from: 4,
                to: 5,
                before_id: None
            })
        );
    }

    #[test]
    fn breaks_are_said_in_words() {
        let one = ChainBreak::Deleted {
            from: 5,
            to: 5,
            before_id: Some(6),
        };
        assert_eq!(one.to_string(), "第 5 条审计记录被删除（在 id 6 之前）");
        let tail = ChainBreak::Deleted {
            from: 4,
            to: 5,
            before_id: None,
        };
        assert_eq!(tail.to_string(), "链尾的第 4–5 条审计记录被删除");
    }

    #[test]
    fn an_inserted_row_is_named() {
        let mut rows = chain(3);
        let head = rows[2].hash.clone().unwrap();
        let mut forged = rows[1].clone();
        forged.id = 4;
        forged.seq = None;
        forged.hash = None;
        rows.push(forged);
        assert_eq!(
            verify(&rows, &head, 3),
            Some(ChainBreak::Inserted { id: 4 })
        );
        // A row copied with the place of an earlier one.
        let mut rows = chain(3);
        let mut copy = rows[1].clone();
        copy.id = 4;
        rows.push(copy);
        assert_eq!(
            verify(&rows, &head, 3),
            Some(ChainBreak::Inserted { id: 4 })
        );
    }

    #[test]
    fn a_reason_is_covered_and_a_row_without_one_hashes_as_before() {
        let mut r = row(1, 1, "", "XM1");
        let before = r.hash.clone();
        assert_eq!(link("", 1, &r.fields()), before.clone().unwrap());
        r.reason = Some("单位更名".into());
        let with = link("", 1, &r.fields());
        assert_ne!(Some(with.clone()), before, "the reason is hashed");
        r.hash = Some(with);
        assert_eq!(verify(&[r.clone()], r.hash.as_deref().unwrap(), 1), None);
        r.reason = Some("别的原因".into());
        assert_eq!(
            verify(&[r.clone()], "", 1),
            Some(ChainBreak::Altered { id: 1, seq: 1 }),
            "a changed reason breaks the chain"
        );
    }
}
