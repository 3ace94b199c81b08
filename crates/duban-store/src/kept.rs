//! 留存的全部状态 — every item's status as of a day, judged once by a server and kept in the
//! database as opaque parts (the web server encodes them). A server starting, or a second one
//! behind the load balancer, reads it and judges again only the items written since, instead
//! of every item. One is kept, the newest; it is not data: the data version is left as it is,
//! and on PostgreSQL the writers are not held up while it is written.

use chrono::NaiveDate;
use sqlx::Row;

use crate::Result;
use crate::Store;
use crate::shared::now_ms;

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
        let as_of = crate::reminders::iso(as_of);
        // SQLite: in the writers' queue. PostgreSQL: beside the writers, not holding their
        // lock while a million items' status is written; two servers keeping at once may
        // both keep theirs for a moment (the newest is read; the next keeping drops both).
        let mut tx = self.write_tx_beside().await?;
        let newer: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kept_snapshots \
             WHERE as_of > $1 OR (as_of = $1 AND version > $2)",
        )
        .bind(&as_of)
        .bind(version)
        .fetch_one(&mut *tx)
        .await?;
        if newer > 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM kept_snapshot_parts")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM kept_snapshots")
            .execute(&mut *tx)
            .await?;
        let bytes: usize = parts.iter().map(Vec::len).sum();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO kept_snapshots (as_of, version, format, parts, bytes, made_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&as_of)
        .bind(version)
        .bind(format)
        .bind(parts.len() as i32)
        .bind(bytes as i64)
        .bind(now_ms())
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
            "SELECT MAX(version) FROM kept_snapshots WHERE as_of = $1 AND format = $2",
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
        mut each: impl FnMut(usize, Vec<u8>),
    ) -> Result<Option<i64>> {
        use futures_util::TryStreamExt;
        let as_of = crate::reminders::iso(as_of);
        // One view of both tables: a server replacing it meanwhile cannot mix two.
        let mut tx = self.consistent_read().await?;
        let head: Option<(i64, i64, i32)> = sqlx::query_as(
            "SELECT id, version, parts FROM kept_snapshots WHERE as_of = $1 AND format = $2 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(&as_of)
        .bind(format)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, version, count)) = head else {
            return Ok(None);
        };
        let Ok(count) = usize::try_from(count) else {
            return Ok(None);
        };
        let mut whole = true;
        let mut read: usize = 0;
        {
            let mut rows = sqlx::query(
                "SELECT part, body FROM kept_snapshot_parts WHERE snapshot_id = $1 ORDER BY part",
            )
            .bind(id)
            .fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                // Parts in order, and no more than the head says.
                if read == count || usize::try_from(row.try_get::<i32, _>(0)?).ok() != Some(read) {
                    whole = false;
                    break;
                }
                each(count, row.try_get::<Vec<u8>, _>(1)?);
                read += 1;
            }
        }
        tx.commit().await?;
        Ok((whole && read == count).then_some(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    crate::both_backends!(the_newest_snapshot_is_kept_and_read_whole);

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
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
        assert_eq!(
            store
                .kept_snapshot(day(6), "f1")
                .await
                .unwrap()
                .unwrap()
                .version,
            7
        );
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
}
