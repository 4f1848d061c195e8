//! [`Platform`]: the one handle to the platform that every call goes through.

use std::fmt;
use std::sync::Arc;

use crate::config::{ConfigError, Configuration};

/// The platform: a [`Configuration`] plus the process's pooled HTTP client, cheap to clone
/// (one `Arc`). [`Agents`](crate::Agents), [`Tasks`](crate::Tasks), a loaded
/// [`Task`](crate::Task) or [`Agent`](crate::Agent), the [`Backend`](crate::Backend) and the
/// worker all call the platform through one.
///
/// A `Configuration` converts into it, so every API that takes a platform also takes a
/// configuration.
///
/// ```
/// use xpander_runtime::{Configuration, Platform, Tasks};
///
/// let config = Configuration::builder().api_key("xpk-1").organization_id("org-1").build()?;
/// let platform = Platform::new(config);
/// let tasks = Tasks::new(platform.clone()); // a clone shares the configuration and the pool
/// assert_eq!(platform.configuration().organization_id(), "org-1");
/// assert!(!format!("{platform:?}").contains("xpk-1"));
/// # Ok::<(), xpander_runtime::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Platform {
    config: Arc<Configuration>,
}

impl Platform {
    /// The platform `config` describes.
    pub fn new(config: Configuration) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// The platform the environment describes ([`Configuration::from_env`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Configuration::from_env().map(Self::new)
    }

    /// Its configuration.
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// The HTTP client for a request made now: the process's pool for this connect timeout on
    /// the current tokio runtime (a pooled connection belongs to the runtime that opened it,
    /// so it is looked up per request rather than kept here).
    pub(crate) fn http(&self) -> reqwest::Client {
        super::client::pooled(self.config.connect_timeout())
    }
}

impl From<Configuration> for Platform {
    fn from(config: Configuration) -> Self {
        Self::new(config)
    }
}

impl From<&Configuration> for Platform {
    fn from(config: &Configuration) -> Self {
        Self::new(config.clone())
    }
}

impl From<&Platform> for Platform {
    fn from(platform: &Platform) -> Self {
        platform.clone()
    }
}

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The configuration's Debug redacts the API key.
        f.debug_tuple("Platform").field(&self.config).finish()
    }
}
