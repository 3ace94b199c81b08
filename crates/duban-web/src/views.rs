//! Views computed once per data version and shared by every request: a period's rankings, a
//! bulletin's draft, the codes reported in a period. Whoever asks first computes; everyone
//! asking the same meanwhile waits for that one result; and costly computations run one at a
//! time in the whole server (the ledger snapshot included), so memory stays that of one
//! computation whatever mix of pages is opened at once. A write through this server drops
//! every view at once; a write from elsewhere (another server, the CLI) within a second.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use duban_store::{Store, StoreError};
use tokio::sync::OnceCell;

/// Views kept at most (a ranking of tens of rows, a period's reported codes, a user's to-do
/// counts); past it the cache starts again.
const VIEWS: usize = 4096;

/// The longest key kept (bytes): with [`VIEWS`], the keys stay under 4 MiB.
const MAX_KEY: usize = 1024;

/// How often the database is asked whether anything changed.
const RECHECK: Duration = Duration::from_secs(1);

/// Waits for the process's one turn for a costly computation (see [`duban_store::one_at_a_time`]).
pub use duban_store::one_at_a_time;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Kept {
    /// The data version the views are of.
    version: Option<i64>,
    /// When it was last read (none: to be read before the next view is served).
    checked: Option<Instant>,
    map: HashMap<String, Arc<OnceCell<Value>>>,
}

/// The shared views, by key.
#[derive(Default)]
pub struct Views {
    kept: Mutex<Kept>,
}

impl Views {
    /// The view under `key` for the current data version: kept, or computed now by `make`
    /// (once, however many ask at the same time). Keys name the view and everything it
    /// depends on besides the data (period, grouping, date, unit).
    pub async fn get<T, E, F, Fut>(&self, store: &Store, key: String, make: F) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        E: From<StoreError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.view(store, key, true, make).await
    }

    /// As [`Views::get`], for a view cheap enough to compute beside a costly one (a unit's
    /// to-do count), or one whose costly part takes the turn itself (a review, which reads
    /// the year afresh only now and then): it does not wait for the one slot.
    pub async fn light<T, E, F, Fut>(
        &self,
        store: &Store,
        key: String,
        make: F,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        E: From<StoreError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.view(store, key, false, make).await
    }

    async fn view<T, E, F, Fut>(
        &self,
        store: &Store,
        key: String,
        heavy: bool,
        make: F,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        E: From<StoreError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let stale = {
            let kept = self.kept.lock().expect("views");
            kept.checked.is_none_or(|at| at.elapsed() >= RECHECK)
        };
        if stale {
            let version = store.data_version().await?;
            let mut kept = self.kept.lock().expect("views");
            if kept.version != Some(version) {
                kept.map.clear();
                kept.version = Some(version);
            }
            kept.checked = Some(Instant::now());
        }
        let cell = if key.len() > MAX_KEY {
            // Computed, not kept: a key that long (adjustments typed into the query) would
            // make the cache's bound one of entries only.
            Arc::new(OnceCell::new())
        } else {
            let mut kept = self.kept.lock().expect("views");
            if kept.map.len() >= VIEWS && !kept.map.contains_key(&key) {
                kept.map.clear();
            }
            kept.map.entry(key).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                let _one = match heavy {
                    true => Some(one_at_a_time().await),
                    false => None,
                };
                make().await.map(|v| Arc::new(v) as Value)
            })
            .await?
            .clone();
        Ok(value
            .downcast::<T>()
            .unwrap_or_else(|_| panic!("one type per view key")))
    }

    /// Something was written through this server: the next request reads the data version.
    pub fn written(&self) {
        self.kept.lock().expect("views").checked = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn computed_once_per_data_version_however_many_ask() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v.db").display());
        let store = Store::open(&url).await.unwrap();
        let views = Arc::new(Views::default());
        let made = Arc::new(AtomicUsize::new(0));
        let ask = |views: Arc<Views>, made: Arc<AtomicUsize>, store: Store| async move {
            views
                .get(&store, "answer".into(), || async {
                    made.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok::<_, StoreError>(42u32)
                })
                .await
                .unwrap()
        };
        let asks: Vec<_> = (0..8)
            .map(|_| tokio::spawn(ask(views.clone(), made.clone(), store.clone())))
            .collect();
        for a in asks {
            assert_eq!(*a.await.unwrap(), 42);
        }
        assert_eq!(made.load(Ordering::SeqCst), 1, "eight asked, one computed");

        // Nothing written: still the one computation.
        views.written();
        ask(views.clone(), made.clone(), store.clone()).await;
        assert_eq!(made.load(Ordering::SeqCst), 1);

        // A write moves the data version: computed again.
        crate::dashboard::tests::one_item(&store, "XM1").await;
        views.written();
        ask(views.clone(), made.clone(), store.clone()).await;
        assert_eq!(made.load(Ordering::SeqCst), 2);
    }
}
