//! Indicator figures already computed, kept while the data has not changed: a dashboard's
//! dozen officers asking the same district table cost one computation, not twelve. Entries hold
//! the figures before the disclosure rules, which every viewer's request still applies.
//!
//! Each replica keeps its own; each request reads the data version (a count and time of
//! finished import runs) and a change empties the cache, so a finished import shows at once on
//! every replica. The time to live covers a run a crash left unfinished.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use store::runs::DataVersion;

/// Entries kept at most; the oldest goes first.
const CAPACITY: usize = 512;

type Entry = (Instant, Arc<dyn Any + Send + Sync>);

#[derive(Clone)]
pub struct FigureCache {
    ttl: Duration,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    version: Option<DataVersion>,
    entries: HashMap<String, Entry>,
}

impl FigureCache {
    /// A cache whose entries live `ttl`; zero keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, inner: Arc::default() }
    }

    /// Empties the cache when the data moved on since it was filled.
    pub fn observe(&self, version: DataVersion) {
        let mut inner = self.lock();
        if inner.version != Some(version) {
            inner.entries.clear();
            inner.version = Some(version);
        }
    }

    /// The value kept under `key` at `version`, if still fresh.
    pub fn get<T: Any + Send + Sync>(&self, version: DataVersion, key: &str) -> Option<Arc<T>> {
        let inner = self.lock();
        if inner.version != Some(version) {
            return None;
        }
        let (at, value) = inner.entries.get(key)?;
        if at.elapsed() >= self.ttl {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }

    /// Keeps `value` under `key`, computed at `version`; a value of an older version is dropped.
    pub fn put<T: Any + Send + Sync>(&self, version: DataVersion, key: String, value: Arc<T>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut inner = self.lock();
        if inner.version != Some(version) {
            return; // the data moved on while this was computed
        }
        let ttl = self.ttl;
        inner.entries.retain(|_, (at, _)| at.elapsed() < ttl);
        if inner.entries.len() >= CAPACITY
            && let Some(oldest) = inner.entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone())
        {
            inner.entries.remove(&oldest);
        }
        inner.entries.insert(key, (Instant::now(), value));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves at worst a stale map: start it again.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            g.entries.clear();
            g.version = None;
            g
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> DataVersion {
        DataVersion { finished: n, latest: None }
    }

    #[test]
    fn a_new_data_version_empties_the_cache() {
        let cache = FigureCache::new(Duration::from_secs(60));
        cache.observe(v(1));
        cache.put(v(1), "k".into(), Arc::new(vec![1]));
        assert_eq!(cache.get::<Vec<i32>>(v(1), "k").as_deref(), Some(&vec![1]));
        cache.observe(v(2));
        assert!(cache.get::<Vec<i32>>(v(2), "k").is_none(), "figures of the old data are gone");
        // A computation that began before the change does not land.
        cache.put(v(1), "k".into(), Arc::new(vec![1]));
        assert!(cache.get::<Vec<i32>>(v(2), "k").is_none());
    }

    #[test]
    fn entries_expire_and_zero_keeps_nothing() {
        let cache = FigureCache::new(Duration::from_millis(20));
        cache.observe(v(1));
        cache.put(v(1), "k".into(), Arc::new(1u8));
        assert!(cache.get::<u8>(v(1), "k").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get::<u8>(v(1), "k").is_none(), "expired");
        let off = FigureCache::new(Duration::ZERO);
        off.observe(v(1));
        off.put(v(1), "k".into(), Arc::new(1u8));
        assert!(off.get::<u8>(v(1), "k").is_none());
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_oldest() {
        let cache = FigureCache::new(Duration::from_secs(60));
        cache.observe(v(1));
        for i in 0..CAPACITY + 10 {
            cache.put(v(1), format!("k{i}"), Arc::new(i));
        }
        assert_eq!(cache.lock().entries.len(), CAPACITY);
        assert!(cache.get::<usize>(v(1), "k0").is_none());
        assert!(cache.get::<usize>(v(1), &format!("k{}", CAPACITY + 9)).is_some());
    }
}
