//! 留存的全部状态 — every item's status as of a day, judged once by a server and kept in the
//! database as opaque parts (the web server encodes them). A server starting, or a second one
//! behind the load balancer, reads it and judges again only the items written since, instead
//! of every item. The year's tallies are kept the same way ([`Kind::Tallies`], encoded by
//! `kept_tallies`), and the escalated matters a bulletin counts ([`Kind::Escalated`], by
//! `escalation`). One of each kind is kept, the newest; it is not data: the data version is left
//! as it is, and on PostgreSQL the writers are not held up while it is written.

use std::sync::LazyLock;

use chrono::NaiveDate;
use sqlx::Row;

use crate::Result;
use crate::Store;
use crate::shared::now_ms;

/// The most one part may unpack to, whatever its header says.
const PART_AT_MOST: usize = 256 << 20;

/// The build of duban running: its version and the executable's size and time. What one build
/// kept, another judges again (its encoding or its rules may differ).
pub fn this_build() -> &'static str {
    static BUILD: LazyLock<String> = LazyLock::new(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let at = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}-{at}", m.len())
            })
            .unwrap_or_default();
        format!("duban {} {exe}", env!("CARGO_PKG_VERSION"))
    });
    &BUILD
}

/// One part of a kept snapshot: `value` in MessagePack by position, compressed (LZ4, its size
/// first).
pub fn pack_part<T: serde::Serialize + ?Sized>(
    value: &T,
) -> std::result::Result<Vec<u8>, rmp_serde::encode::Error> {
    Ok(lz4_flex::compress_prepend_size(&rmp_serde::to_vec(value)?))
}

/// A part unpacked into `bytes` (reused), refused when it claims more than 256 MB or is not
/// the size it claims.
pub fn unpack_part(part: &[u8], bytes: &mut Vec<u8>) -> std::result::Result<(), String> {
    let (size, packed) = lz4_flex::block::uncompressed_size(part).map_err(|e| e.to_string())?;
    if size > PART_AT_MOST {
        return Err(format!("一部分声称{size}字节，超过上限"));
    }
    bytes.clear();
    bytes.resize(size, 0);
    let unpacked = lz4_flex::block::decompress_into(packed, bytes).map_err(|e| e.to_string())?;
    if unpacked != size {
        return Err(format!("一部分声称{size}字节，实为{unpacked}字节"));
    }
    Ok(())
}

/// What is kept: the name each kind is kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 全部状态 — every item's status (encoded by the web server).
    Status,
    /// 各期合计 — the year's tallies (see `tallies`).
    Tallies,
    /// 催办升级事项 — the escalated matters a bulletin counts (see `escalation`).
    Escalated,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Tallies => "tallies",
            Kind::Escalated => "escalated",
        }
    }
}

/// Which parts of a kept snapshot to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts {
    /// Every part.
    All,
    /// The first part only.
    Head,
    /// Every part after the first, of the snapshot kept at this data version only.
    Rest(i64),
}

/// A kept snapshot as read back: the data version it was judged at and its parts, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSnapshot {
    pub version: i64,
    pub parts: Vec<Vec<u8>>,
}

impl Store {
    /// Keeps the parts of the snapshot as of `as_of` judged at data version `version` in
    /// encoding `format`, unless a newer one (a later day, or the same day at a later version)
    /// is kept already; the one kept before is dropped (one of the same day and version too:
    /// it may be one this build cannot read). Whether it was kept.
    pub async fn keep_snapshot(
        &self,
        as_of: NaiveDate,
        version: i64,
        format: &str,
        parts: &[Vec<u8>],
    ) -> Result<bool> {
        self.keep(Kind::Status, as_of, version, format, parts).await
    }

    /// Keeps a snapshot of `kind` (see [`Store::keep_snapshot`]).
    pub(crate) async fn keep(
        &self,
        kind: Kind,
        as_of: NaiveDate,
        version: i64,
        format: &str,
        parts: &[Vec<u8>],
    ) -> Result<bool> {
        let kind = kind.name();
        let as_of = crate::reminders::iso(as_of);
        // SQLite: in the writers' queue. PostgreSQL: beside the writers, not holding their
        // lock while a million items' status is written; two servers keeping at once may
        // both keep theirs for a moment (the newest is read; the next keeping drops both).
        let mut tx = self.write_tx_beside().await?;
        let newer: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kept_snapshots \
             WHERE kind = $3 AND (as_of > $1 OR (as_of = $1 AND version > $2))",
        )
        .bind(&as_of)
        .bind(version)
        .bind(kind)
        .fetch_one(&mut *tx)
        .await?;
        if newer > 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM kept_snapshot_parts WHERE snapshot_id IN \
             (SELECT id FROM kept_snapshots WHERE kind = $1)",
        )
        .bind(kind)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM kept_snapshots WHERE kind = $1")
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        let bytes: usize = parts.iter().map(Vec::len).sum();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO kept_snapshots (as_of, version, format, parts, bytes, made_ms, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&as_of)
        .bind(version)
        .bind(format)
        .bind(parts.len() as i32)
        .bind(bytes as i64)
        .bind(now_ms())
        .bind(kind)
        .fetch_one(&mut *tx)
        .await?;
        for (n, body) in parts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO kept_snapshot_parts (snapshot_id, part, body) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(n as i32)
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The data version of the snapshot kept as of `as_of` in encoding `format`, if one is
    /// (its parts are not read).
    pub async fn kept_snapshot_version(
        &self,
        as_of: NaiveDate,
        format: &str,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(version) FROM kept_snapshots \
             WHERE as_of = $1 AND format = $2 AND kind = 'status'",
        )
        .bind(crate::reminders::iso(as_of))
        .bind(format)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The snapshot kept as of `as_of` in encoding `format`, if there is one whole (none kept
    /// for that day, or in another encoding: `None`).
    pub async fn kept_snapshot(
        &self,
        as_of: NaiveDate,
        format: &str,
    ) -> Result<Option<KeptSnapshot>> {
        let mut parts = Vec::new();
        let version = self
            .read_kept_snapshot(as_of, format, |_, body| parts.push(body))
            .await?;
        Ok(version.map(|version| KeptSnapshot { version, parts }))
    }

    /// Reads the snapshot kept as of `as_of` in encoding `format` part by part, in order, as
    /// the database sends them, giving each to `each` with the number of parts kept (it may
    /// decode them meanwhile); its data version, or `None` when none is kept for that day and
    /// encoding, or it is not whole (then what `each` was given must be dropped).
    pub async fn read_kept_snapshot(
        &self,
        as_of: NaiveDate,
        format: &str,
        each: impl FnMut(usize, Vec<u8>),
    ) -> Result<Option<i64>> {
        self.read_kept(Kind::Status, as_of, format, Parts::All, each)
            .await
    }

    /// Reads `which` parts of the snapshot of `kind` kept as of `as_of` in encoding `format`
    /// (see [`Store::read_kept_snapshot`]); each is given with the number of parts kept.
    pub(crate) async fn read_kept(
        &self,
        kind: Kind,
        as_of: NaiveDate,
        format: &str,
        which: Parts,
        mut each: impl FnMut(usize, Vec<u8>),
    ) -> Result<Option<i64>> {
        use futures_util::TryStreamExt;
        let as_of = crate::reminders::iso(as_of);
        // One view of both tables: a server replacing it meanwhile cannot mix two. Of two
        // kept at once at one version (two servers keeping together), always the later: a
        // head and the rest read apart are of one snapshot.
        let mut tx = self.consistent_read().await?;
        let head: Option<(i64, i64, i32)> = sqlx::query_as(
            "SELECT id, version, parts FROM kept_snapshots \
             WHERE as_of = $1 AND format = $2 AND kind = $3 \
             ORDER BY version DESC, id DESC LIMIT 1",
        )
        .bind(&as_of)
        .bind(format)
        .bind(kind.name())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, version, count)) = head else {
            return Ok(None);
        };
        let Ok(count) = usize::try_from(count) else {
            return Ok(None);
        };
        let (first, last) = match which {
            Parts::All => (0, count),
            Parts::Head => (0, count.min(1)),
            Parts::Rest(kept) if kept == version => (count.min(1), count),
            Parts::Rest(_) => return Ok(None),
        };
        let mut whole = true;
        let mut read = first;
        {
            let mut rows = sqlx::query(
                "SELECT part, body FROM kept_snapshot_parts \
                 WHERE snapshot_id = $1 AND part >= $2 AND part < $3 ORDER BY part",
            )
            .bind(id)
            .bind(first as i32)
            .bind(last as i32)
            .fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                // Parts in order, and no more than the head says.
                if read == last || usize::try_from(row.try_get::<i32, _>(0)?).ok() != Some(read) {
                    whole = false;
                    break;
                }
                each(count, row.try_get::<Vec<u8>, _>(1)?);
                read += 1;
            }
        }
        tx.commit().await?;
        Ok((whole && read == last).then_some(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    crate::both_backends!(
        the_newest_snapshot_is_kept_and_read_whole,
        each_kind_is_kept_apart_and_read_by_parts
    );

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    /// The data version of the status kept as of `as_of` in `format`, read whole.
    async fn version_kept(store: &Store, as_of: NaiveDate, format: &str) -> Option<i64> {
        let kept = store.kept_snapshot(as_of, format).await.unwrap();
        kept.map(|k| k.version)
    }

    async fn the_newest_snapshot_is_kept_and_read_whole(db: &TestDb) {
        let store = db.open().await;
        let version = store.data_version().await.unwrap();
        assert_eq!(store.kept_snapshot(day(6), "f1").await.unwrap(), None);
        let parts = vec![vec![1u8, 2, 3], vec![], vec![255; 70_000]];
        assert!(store.keep_snapshot(day(6), 7, "f1", &parts).await.unwrap());
        let kept = store.kept_snapshot(day(6), "f1").await.unwrap().unwrap();
        assert_eq!(kept, KeptSnapshot { version: 7, parts });
        assert_eq!(
            store.kept_snapshot_version(day(6), "f1").await.unwrap(),
            Some(7)
        );
        assert_eq!(
            store.kept_snapshot_version(day(6), "f2").await.unwrap(),
            None
        );
        assert_eq!(
            store.data_version().await.unwrap(),
            version,
            "keeping is not a write of data"
        );
        // Another day or another encoding is not this one.
        assert_eq!(store.kept_snapshot(day(5), "f1").await.unwrap(), None);
        assert_eq!(store.kept_snapshot(day(6), "f2").await.unwrap(), None);
        // An older one (an earlier version, an earlier day) does not replace it.
        assert!(
            !store
                .keep_snapshot(day(6), 6, "f1", &[vec![9]])
                .await
                .unwrap()
        );
        assert!(
            !store
                .keep_snapshot(day(5), 9, "f1", &[vec![9]])
                .await
                .unwrap()
        );
        assert_eq!(version_kept(&store, day(6), "f1").await, Some(7));
        // The same day and version, in another encoding (another build): replaced.
        assert!(
            store
                .keep_snapshot(day(6), 7, "f2", &[vec![5]])
                .await
                .unwrap()
        );
        assert_eq!(store.kept_snapshot(day(6), "f1").await.unwrap(), None);
        let kept = store.kept_snapshot(day(6), "f2").await.unwrap().unwrap();
        assert_eq!((kept.version, kept.parts), (7, vec![vec![5]]));
        // A newer one does, and only it is kept.
        assert!(
            store
                .keep_snapshot(day(7), 8, "f1", &[vec![4]])
                .await
                .unwrap()
        );
        assert_eq!(store.kept_snapshot(day(6), "f1").await.unwrap(), None);
        let kept = store.kept_snapshot(day(7), "f1").await.unwrap().unwrap();
        assert_eq!((kept.version, kept.parts), (8, vec![vec![4]]));
    }

    /// The status and the tallies are kept side by side, neither evicting the other, and the
    /// tallies are read whole, by their head, or by the rest of the version the head was.
    async fn each_kind_is_kept_apart_and_read_by_parts(db: &TestDb) {
        let store = db.open().await;
        let parts = vec![vec![1u8], vec![2], vec![3]];
        assert!(
            store
                .keep(Kind::Tallies, day(6), 7, "t1", &parts)
                .await
                .unwrap()
        );
        assert!(
            store
                .keep_snapshot(day(6), 9, "f1", &[vec![9]])
                .await
                .unwrap()
        );
        let read = |which| {
            let store = &store;
            async move {
                let mut got = Vec::new();
                let version = store
                    .read_kept(Kind::Tallies, day(6), "t1", which, |_, p| got.push(p))
                    .await
                    .unwrap();
                (version, got)
            }
        };
        assert_eq!(read(Parts::All).await, (Some(7), parts.clone()));
        assert_eq!(read(Parts::Head).await, (Some(7), vec![vec![1]]));
        assert_eq!(
            read(Parts::Rest(7)).await,
            (Some(7), vec![vec![2], vec![3]])
        );
        assert_eq!(
            read(Parts::Rest(6)).await,
            (None, vec![]),
            "the rest of another version is not read"
        );
        assert_eq!(version_kept(&store, day(6), "f1").await, Some(9));
        assert_eq!(
            store.kept_snapshot(day(6), "t1").await.unwrap(),
            None,
            "the tallies are not a status"
        );
        // A newer status leaves the tallies kept.
        assert!(
            store
                .keep_snapshot(day(7), 10, "f1", &[vec![8]])
                .await
                .unwrap()
        );
        assert_eq!(read(Parts::Head).await, (Some(7), vec![vec![1]]));
    }
}
