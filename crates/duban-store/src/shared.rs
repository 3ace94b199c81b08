//! What several servers on one database share, kept in the database rather than in one
//! server's memory: ledgers uploaded for a trial import and waiting for the office to confirm
//! (待确认的导入), and failed sign-ins counted for throttling (登录失败计数). Neither is data:
//! they are written in quiet transactions (queued like any writer, the data version left as
//! it is), so no view is recomputed for them.

use crate::Result;
use crate::Store;

/// How long an uploaded ledger waits for its confirmation.
pub const PENDING_FOR_MS: i64 = 60 * 60 * 1000;

/// Uploads kept waiting per account (the newest; an older one must be uploaded again).
pub const PENDING_PER_OWNER: i64 = 3;

/// A ledger uploaded for a trial import.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingUpload {
    pub owner: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// Milliseconds since the epoch, the clock every server shares.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Keeps an uploaded ledger until its owner confirms it (or an hour passes); its id.
    pub async fn keep_pending_upload(&self, upload: &PendingUpload) -> Result<String> {
        let id = crate::secret();
        let now = now_ms();
        let mut tx = self.write_tx_quiet().await?;
        sqlx::query("DELETE FROM pending_uploads WHERE created_ms <= $1")
            .bind(now - PENDING_FOR_MS)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM pending_uploads WHERE owner = $1 AND id NOT IN \
             (SELECT id FROM pending_uploads WHERE owner = $1 \
              ORDER BY created_ms DESC LIMIT $2)",
        )
        .bind(&upload.owner)
        .bind(PENDING_PER_OWNER - 1)
        .execute(&mut *tx)
        .await?;
        // An owner's uploads are stamped strictly in order, so that "the newest" is one set
        // even for two uploads within a millisecond.
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(created_ms) FROM pending_uploads WHERE owner = $1")
                .bind(&upload.owner)
                .fetch_one(&mut *tx)
                .await?;
        let created = last.map_or(now, |last| now.max(last + 1));
        sqlx::query(
            "INSERT INTO pending_uploads (id, owner, file_name, content, created_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&upload.owner)
        .bind(&upload.file_name)
        .bind(&upload.content)
        .bind(created)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Takes the upload under `id` (it is gone afterwards), if it is still waiting.
    pub async fn take_pending_upload(&self, id: &str) -> Result<Option<PendingUpload>> {
        let mut tx = self.write_tx_quiet().await?;
        let found: Option<(String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT owner, file_name, content FROM pending_uploads \
             WHERE id = $1 AND created_ms > $2",
        )
        .bind(id)
        .bind(now_ms() - PENDING_FOR_MS)
        .fetch_optional(&mut *tx)
        .await?;
        let taken = sqlx::query("DELETE FROM pending_uploads WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        // Two servers taking it at once: only the one that deleted it has it.
        Ok(found
            .filter(|_| taken == 1)
            .map(|(owner, file_name, content)| PendingUpload {
                owner,
                file_name,
                content,
            }))
    }

    /// Failed sign-ins counted under each key within the window of `window_ms` ending now,
    /// with when each key's window began (0 for a key with none).
    pub async fn login_failures(&self, keys: &[String], window_ms: i64) -> Result<Vec<(i64, i64)>> {
        let since = now_ms() - window_ms;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let found: Option<(i64, i64)> = sqlx::query_as(
                "SELECT failures, since_ms FROM login_failures WHERE key = $1 AND since_ms > $2",
            )
            .bind(key)
            .bind(since)
            .fetch_optional(&self.pool)
            .await?;
            out.push(found.unwrap_or((0, 0)));
        }
        Ok(out)
    }

    /// Counts a failed sign-in under each key; a key whose window has passed starts again.
    /// Windows that have passed are forgotten.
    pub async fn record_login_failure(&self, keys: &[String], window_ms: i64) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write_tx_quiet().await?;
        sqlx::query("DELETE FROM login_failures WHERE since_ms <= $1")
            .bind(now - window_ms)
            .execute(&mut *tx)
            .await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, since_ms) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1",
            )
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failures counted under `key` (a successful sign-in).
    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    crate::both_backends!(pending_uploads_are_taken_once_and_failures_counted);

    async fn pending_uploads_are_taken_once_and_failures_counted(db: &TestDb) {
        let store = db.open().await;
        let upload = PendingUpload {
            owner: "office".into(),
            file_name: "台账.xlsx".into(),
            content: vec![0, 1, 2, 255],
        };
        let id = store.keep_pending_upload(&upload).await.unwrap();
        let other = store.clone();
        // Taken through one server, gone for the other.
        assert_eq!(
            store.take_pending_upload(&id).await.unwrap(),
            Some(upload.clone())
        );
        assert_eq!(other.take_pending_upload(&id).await.unwrap(), None);
        // An owner keeps his newest three.
        let mut ids = Vec::new();
        for _ in 0..4 {
            ids.push(store.keep_pending_upload(&upload).await.unwrap());
        }
        assert_eq!(store.take_pending_upload(&ids[0]).await.unwrap(), None);
        assert!(store.take_pending_upload(&ids[3]).await.unwrap().is_some());

        let keys = ["n:admin".to_string(), "a:10.0.0.1".to_string()];
        let window = 60_000;
        for _ in 0..3 {
            store.record_login_failure(&keys, window).await.unwrap();
        }
        store
            .record_login_failure(&keys[..1], window)
            .await
            .unwrap();
        let counts = store.login_failures(&keys, window).await.unwrap();
        assert_eq!((counts[0].0, counts[1].0), (4, 3));
        store.clear_login_failures("n:admin").await.unwrap();
        let counts = other.login_failures(&keys, window).await.unwrap();
        assert_eq!((counts[0].0, counts[1].0), (0, 3));
        // A window that has passed counts nothing.
        assert_eq!(store.login_failures(&keys, 0).await.unwrap()[1].0, 0);
    }
}
