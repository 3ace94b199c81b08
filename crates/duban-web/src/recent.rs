//! 近期读取 — values read from the database a moment ago and trusted for [`RECHECK`]
//! without asking again: a session behind a cookie, a visitor's unread count. Whatever this
//! server changes it forgets at once; a change made through another server behind the same
//! load balancer (or the CLI) is seen within [`RECHECK`]. Bounded: past [`ENTRIES`] the
//! stale entries go, and if none is stale everything goes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a value read from the database is trusted.
pub const RECHECK: Duration = Duration::from_secs(1);

/// Entries kept at most.
const ENTRIES: usize = 10_000;

/// Values by key, each with when it was read.
pub struct Recent<K, V> {
    map: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// The value under `key`, if it was read less than [`RECHECK`] ago.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(_, at)| at.elapsed() < RECHECK)
            .map(|(v, _)| v.clone())
    }

    /// Keeps `value`, read from the database just now.
    pub fn put(&self, key: K, value: V) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= ENTRIES && !map.contains_key(&key) {
            map.retain(|_, (_, at)| at.elapsed() < RECHECK);
            if map.len() >= ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (value, Instant::now()));
    }

    /// Forgets the value under `key`.
    pub fn forget<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Forgets the entries `drop` picks.
    pub fn forget_where(&self, mut drop: impl FnMut(&K, &V) -> bool) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|k, (v, _)| !drop(k, v));
    }

    /// Forgets everything (something was written through this server).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Entries held now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_trusted_for_a_second_then_read_again() {
        let r: Recent<String, i64> = Recent::default();
        r.put("a".into(), 3);
        assert_eq!(r.get("a"), Some(3));
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        assert_eq!(r.get("a"), None);
    }

    #[test]
    fn forgetting_drops_only_what_was_picked_and_clear_drops_all() {
        let r: Recent<i64, i64> = Recent::default();
        r.put(1, 10);
        r.put(2, 20);
        r.put(3, 30);
        r.forget_where(|k, _| *k == 1);
        r.forget(&3);
        assert_eq!((r.get(&1), r.get(&2), r.get(&3)), (None, Some(20), None));
        r.clear();
        assert_eq!(r.get(&2), None);
    }

    #[test]
    fn it_never_holds_more_than_its_bound() {
        let r: Recent<usize, ()> = Recent::default();
        for k in 0..ENTRIES * 3 {
            r.put(k, ());
            assert!(r.len() <= ENTRIES);
        }
        // The newest is always kept.
        assert_eq!(r.get(&(ENTRIES * 3 - 1)), Some(()));
    }
}
