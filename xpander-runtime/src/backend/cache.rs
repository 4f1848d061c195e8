//! Process-wide caches of platform reads, with single-flight loading: callers asking for the
//! same key while it loads share one request.
//!
//! Keys start with a tenant scope (base URL, organization, a hash of the API key) so one
//! process serving several tenants never mixes them up, and the key itself never sits in
//! memory as a cache key.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::Platform;
use crate::model::Agent;

/// Entries kept before stale ones are swept.
const SWEEP_ABOVE: usize = 512;

/// A cache of values by key; freshness is decided by the caller's `ttl` on each lookup.
pub(crate) struct SingleFlight<K, V> {
    slots: Mutex<HashMap<K, Arc<Slot<V>>>>,
}

struct Slot<V> {
    cell: OnceCell<(V, Instant)>,
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    fn new() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value when it is younger than `ttl` (`None`: it never expires), else what
    /// `load` returns, which is then cached. Concurrent callers of one key wait for a single
    /// `load`; a failed load is not cached, and the next waiter tries again.
    pub async fn get_or_load<F, Fut, E>(
        &self,
        key: K,
        ttl: Option<Duration>,
        load: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = |slot: &Slot<V>| match slot.cell.get() {
                None => true, // still loading: join it
                Some((_, at)) => ttl.is_none_or(|ttl| at.elapsed() < ttl),
            };
            match slots.get(&key) {
                Some(slot) if fresh(slot) => slot.clone(),
                _ => {
                    if slots.len() > SWEEP_ABOVE {
                        // Entries without a TTL (versioned agents) are immutable; sweeping
                        // finished ones costs only a reload.
                        slots.retain(|_, slot| slot.cell.get().is_none());
                    }
                    let slot = Arc::new(Slot {
                        cell: OnceCell::new(),
                    });
                    slots.insert(key, slot.clone());
                    slot
                }
            }
        };
        let (value, _) = slot
            .cell
            .get_or_try_init(|| async { load().await.map(|v| (v, Instant::now())) })
            .await?;
        Ok(value.clone())
    }

    #[cfg(test)]
    pub fn clear(&self) {
        self.slots.lock().unwrap().clear();
    }
}

/// A tenant's scope: which platform, organization and key a cached value belongs to.
pub(crate) fn scope(platform: &Platform) -> String {
    let config = platform.configuration();
    let mut hasher = DefaultHasher::new();
    config.api_key().expose().hash(&mut hasher);
    format!(
        "{}|{}|{:016x}",
        config.base_url(),
        config.organization_id(),
        hasher.finish()
    )
}

/// A loaded agent's key: (scope, agent id, version).
pub(crate) type AgentKey = (String, String, Option<u32>);

/// Loaded agents.
pub(crate) static AGENTS: LazyLock<SingleFlight<AgentKey, Agent>> =
    LazyLock::new(SingleFlight::new);

/// The organization's default LLM headers, by scope.
pub(crate) static ORG_LLM_HEADERS: LazyLock<SingleFlight<String, Map<String, Value>>> =
    LazyLock::new(SingleFlight::new);

/// Agents' session database connections, by (scope, agent id); `None` when the platform has
/// none for the agent.
pub(crate) static AGENT_DBS: LazyLock<SingleFlight<(String, String), Option<String>>> =
    LazyLock::new(SingleFlight::new);

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_loads_share_one_call_and_entries_expire() {
        let cache: SingleFlight<&str, u32> = SingleFlight::new();
        let calls = AtomicUsize::new(0);
        let load = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            Ok::<_, ()>(7)
        };
        let ttl = Some(Duration::from_millis(200));
        let (a, b, c) = tokio::join!(
            cache.get_or_load("k", ttl, load),
            cache.get_or_load("k", ttl, load),
            cache.get_or_load("k", ttl, load),
        );
        assert_eq!((a, b, c), (Ok(7), Ok(7), Ok(7)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.get_or_load("k", ttl, load).await, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(cache.get_or_load("k", ttl, load).await, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "stale entries reload");
        assert_eq!(cache.get_or_load("k", None, load).await, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "no TTL: never stale");
        cache.clear();
    }

    #[tokio::test]
    async fn failures_are_not_cached() {
        let cache: SingleFlight<&str, u32> = SingleFlight::new();
        let first: Result<u32, &str> = cache.get_or_load("k", None, || async { Err("down") }).await;
        assert_eq!(first, Err("down"));
        let second: Result<u32, &str> = cache.get_or_load("k", None, || async { Ok(1) }).await;
        assert_eq!(second, Ok(1));
    }
}
