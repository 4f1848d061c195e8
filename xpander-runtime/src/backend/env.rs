//! Where the Backend reads environment variables (LLM keys, tunables): the process
//! environment by default, or a lookup the caller gives, so tests and multi-tenant processes
//! never have to change the process environment.

use std::fmt;
use std::sync::Arc;

/// Reads one variable.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A source of environment variables.
#[derive(Clone)]
pub(crate) struct Env(Arc<Lookup>);

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Self(Arc::new(|name| std::env::var(name).ok()))
    }

    /// A custom lookup.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(lookup))
    }

    /// A variable's value; an empty value counts as unset, as Python's `getenv(..) or ..` does.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|value| !value.is_empty())
    }

    /// An integer variable, `default` when unset or not an integer.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.var(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// Whether `IS_XPANDER_CLOUD` is exactly `true`.
    pub fn is_cloud(&self) -> bool {
        self.var("IS_XPANDER_CLOUD").as_deref() == Some("true")
    }
}

impl Default for Env {
    fn default() -> Self {
        Self::process()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Env(..)")
    }
}
