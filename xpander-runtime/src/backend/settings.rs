//! [`Settings`]: what a Backend and its clones share, read by every call builder.

use std::time::Duration;

use super::agent_file::LocalAgents;
use super::auth::AuthPolling;
use super::env::Env;
use super::frameworks::Adapters;
use crate::Platform;
use crate::error::BackendError;

/// A Backend's settings.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The platform, or why there is none.
    pub platform: Result<Platform, String>,
    pub local: LocalAgents,
    pub env: Env,
    pub polling: AuthPolling,
    pub agent_cache_ttl: Duration,
    /// The framework adapters; Agno's for every framework without one.
    pub adapters: Adapters,
}

impl Settings {
    /// The platform, or an error saying why there is none and what needed it.
    pub fn platform_or(&self, needed_for: &str) -> Result<&Platform, BackendError> {
        self.platform
            .as_ref()
            .map_err(|reason| BackendError::no_platform(needed_for, reason.clone()))
    }
}
