//! [`Configuration`]: credentials, base URL and the URL rules of the platform.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

use crate::Secret;
use crate::backoff::RetryPolicy;

const DEFAULT_BASE_URL: &str = "https://inbound.xpander.ai";
const STAGING_BASE_URL: &str = "https://inbound.stg.xpander.ai";
const CLOUD_INBOUND_HOSTS: [&str; 2] = ["inbound.xpander.ai", "inbound.stg.xpander.ai"];
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the platform is and how to authenticate to it.
///
/// Read it from the environment with [`Configuration::from_env`], or build it with
/// [`Configuration::builder`]. Every configuration of the process shares one pooled HTTP
/// client per tokio runtime.
///
/// ```
/// use xpander_runtime::Configuration;
///
/// let config = Configuration::builder()
///     .api_key("xpk-123")
///     .organization_id("org-1")
///     .base_url("http://127.0.0.1:7777")
///     .build()
///     .unwrap();
/// assert_eq!(config.url("/agents/a1"), "http://127.0.0.1:7777/agents/a1");
/// assert_eq!(config.events_base(), "http://127.0.0.1:7777/org-1/events");
/// assert_eq!(config.events_root(), "http://127.0.0.1:7777/org-1"); // a task's live events
/// assert!(!format!("{config:?}").contains("xpk-123"));
/// ```
#[derive(Clone)]
pub struct Configuration {
    api_key: Secret,
    organization_id: String,
    base_url: String,
    // Both derived from the base URL once, in `build`: every request needs one of them.
    rest_root: String,
    events_root: String,
    events_base: String,
    agent_id: Option<String>,
    is_cloud: bool,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
}

impl Configuration {
    /// Reads `XPANDER_API_KEY`, `XPANDER_ORGANIZATION_ID`, `XPANDER_BASE_URL` (or `IS_STG`),
    /// `XPANDER_AGENT_ID` and `IS_XPANDER_CLOUD`. Every missing variable is named in one error.
    pub fn from_env() -> Result<Self, ConfigError> {
        ConfigurationBuilder::from_env().build()
    }

    /// A builder with nothing set; see [`ConfigurationBuilder::from_env`] to start from the
    /// environment instead.
    pub fn builder() -> ConfigurationBuilder {
        ConfigurationBuilder::default()
    }

    /// The API key, sent as `x-api-key`.
    pub fn api_key(&self) -> &Secret {
        &self.api_key
    }

    /// The organization id.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The base URL, with a scheme.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The agent this process serves by default (`XPANDER_AGENT_ID`), if any.
    pub fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }

    /// Whether the process runs in xpander cloud (`IS_XPANDER_CLOUD=true`).
    pub fn is_cloud(&self) -> bool {
        self.is_cloud
    }

    /// The time allowed to open a connection.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The time allowed for one request, body included.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// How transient failures of idempotent requests are retried.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The root of the REST API: the base URL, plus `/{organization_id}` for an agent
    /// controller (host contains `agent-controller`, port 9016, or a first path segment
    /// `agent-controller`).
    pub fn rest_root(&self) -> &str {
        &self.rest_root
    }

    /// The full URL of a REST route.
    pub fn url(&self, route: &str) -> String {
        format!("{}/{}", self.rest_root, route.trim_start_matches('/'))
    }

    /// The organization's root on the event-streaming host: `{B}/{organization_id}`, where `B`
    /// is the cloud agent controller for the cloud inbound hosts, `http://localhost:9016` for a
    /// loopback base on port 8085, and the base URL itself otherwise. A task's live events
    /// ([`Task::aevents`](crate::Task::aevents)) hang off it.
    pub fn events_root(&self) -> &str {
        &self.events_root
    }

    /// The base of the worker channel: [`events_root`](Self::events_root) plus `/events`.
    pub fn events_base(&self) -> &str {
        &self.events_base
    }

    /// The same configuration serving another agent.
    pub fn with_agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }
}

/// See [`Configuration::rest_root`]; without a trailing slash.
fn rest_root(base_url: &str, parsed: Option<&Url>, organization_id: &str) -> String {
    let host = parsed.map(host_of).unwrap_or_default();
    let first_segment = parsed
        .and_then(|u| {
            u.path()
                .trim_matches('/')
                .split('/')
                .next()
                .map(str::to_lowercase)
        })
        .unwrap_or_default();
    let port = parsed.and_then(Url::port);
    let root = if host.contains("agent-controller")
        || port == Some(9016)
        || first_segment == "agent-controller"
    {
        format!("{base_url}/{organization_id}")
    } else {
        base_url.to_owned()
    };
    root.trim_end_matches('/').to_owned()
}

/// See [`Configuration::events_root`].
fn events_root(base_url: &str, parsed: Option<&Url>, organization_id: &str) -> String {
    let host = parsed.map(host_of).unwrap_or_default();
    let port = parsed.and_then(Url::port);
    let base = if CLOUD_INBOUND_HOSTS.contains(&host.as_str()) {
        if host == "inbound.stg.xpander.ai" {
            "https://agent-controller.stg.xpander.ai"
        } else {
            "https://agent-controller.xpander.ai"
        }
    } else if port == Some(8085) && LOOPBACK_HOSTS.contains(&host.as_str()) {
        "http://localhost:9016"
    } else {
        base_url
    };
    format!("{base}/{organization_id}")
}

fn host_of(url: &Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_lowercase()
}

impl fmt::Debug for Configuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Configuration")
            .field("api_key", &self.api_key)
            .field("organization_id", &self.organization_id)
            .field("base_url", &self.base_url)
            .field("agent_id", &self.agent_id)
            .field("is_cloud", &self.is_cloud)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Configuration`]; unset values are errors, except those with defaults.
///
/// ```
/// use std::time::Duration;
/// use xpander_runtime::{ConfigError, Configuration};
///
/// let err = Configuration::builder().build().unwrap_err();
/// assert!(matches!(err, ConfigError::Missing { .. }));
/// assert!(err.to_string().contains("XPANDER_API_KEY and XPANDER_ORGANIZATION_ID"));
///
/// let config = Configuration::builder()
///     .api_key("k").organization_id("o").request_timeout(Duration::from_secs(5))
///     .build().unwrap();
/// assert_eq!(config.base_url(), "https://inbound.xpander.ai");
/// ```
#[derive(Clone, Default)]
pub struct ConfigurationBuilder {
    api_key: Option<Secret>,
    organization_id: Option<String>,
    base_url: Option<String>,
    staging: bool,
    agent_id: Option<String>,
    is_cloud: bool,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ConfigurationBuilder {
    /// A builder holding what the environment says; later calls override it.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            api_key: var("XPANDER_API_KEY").map(Secret::from),
            organization_id: var("XPANDER_ORGANIZATION_ID"),
            base_url: var("XPANDER_BASE_URL"),
            staging: var("IS_STG").as_deref() == Some("true"),
            agent_id: var("XPANDER_AGENT_ID"),
            is_cloud: var("IS_XPANDER_CLOUD").as_deref() == Some("true"),
            ..Self::default()
        }
    }

    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the organization id.
    pub fn organization_id(mut self, id: impl Into<String>) -> Self {
        self.organization_id = Some(id.into());
        self
    }

    /// Sets the base URL; `https://` is added when it has no scheme.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the default agent.
    pub fn agent_id(mut self, id: impl Into<String>) -> Self {
        self.agent_id = Some(id.into());
        self
    }

    /// Marks the process as running in xpander cloud.
    pub fn cloud(mut self, is_cloud: bool) -> Self {
        self.is_cloud = is_cloud;
        self
    }

    /// Sets the connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the per-request timeout (default 60 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Sets the retry policy for transient failures.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Checks the values and builds the configuration.
    pub fn build(self) -> Result<Configuration, ConfigError> {
        let mut missing = Vec::new();
        if self.api_key.as_ref().is_none_or(Secret::is_empty) {
            missing.push("XPANDER_API_KEY");
        }
        if self.organization_id.as_deref().is_none_or(str::is_empty) {
            missing.push("XPANDER_ORGANIZATION_ID");
        }
        if !missing.is_empty() {
            return Err(ConfigError::Missing { variables: missing });
        }
        let base_url = match self.base_url {
            Some(url) => with_scheme(url.trim())?,
            None if self.staging => STAGING_BASE_URL.to_owned(),
            None => DEFAULT_BASE_URL.to_owned(),
        };
        let organization_id = self.organization_id.unwrap_or_default();
        let parsed = Url::parse(&base_url).ok();
        let events_root = events_root(&base_url, parsed.as_ref(), &organization_id);
        Ok(Configuration {
            api_key: self.api_key.unwrap_or_else(|| Secret::new("")),
            rest_root: rest_root(&base_url, parsed.as_ref(), &organization_id),
            events_base: format!("{events_root}/events"),
            events_root,
            organization_id,
            base_url,
            agent_id: self.agent_id.filter(|id| !id.is_empty()),
            is_cloud: self.is_cloud,
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            request_timeout: self.request_timeout.unwrap_or(Duration::from_secs(60)),
            retry: self.retry.unwrap_or_default(),
        })
    }
}

impl fmt::Debug for ConfigurationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigurationBuilder")
            .field("api_key", &self.api_key)
            .field("organization_id", &self.organization_id)
            .field("base_url", &self.base_url)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

fn with_scheme(url: &str) -> Result<String, ConfigError> {
    if url.is_empty() {
        return Err(ConfigError::InvalidBaseUrl {
            url: String::new(),
            reason: "it is empty".into(),
        });
    }
    let lower = url.to_ascii_lowercase();
    let url = if lower.starts_with("http://") || lower.starts_with("https://") {
        url.to_owned()
    } else {
        format!("https://{url}")
    };
    Url::parse(&url).map_err(|e| ConfigError::InvalidBaseUrl {
        url: url.clone(),
        reason: e.to_string(),
    })?;
    Ok(url)
}

/// A configuration that cannot work, with what to set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required values are missing.
    #[error(
        "missing configuration: set {} (the API key and organization id from the xpander.ai app), \
         or pass them to Configuration::builder()",
        join_names(variables)
    )]
    Missing {
        /// The environment variables to set.
        variables: Vec<&'static str>,
    },
    /// The base URL does not parse.
    #[error(
        "XPANDER_BASE_URL `{url}` is not a valid URL ({reason}); set it to e.g. http://127.0.0.1:9100"
    )]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// An agent id is needed and none was given.
    #[error("no agent id: {0}")]
    MissingAgentId(String),
    /// A worker setting is out of range.
    #[error("the worker setting {setting} cannot be used: {problem}")]
    InvalidSetting {
        /// The setting, as its `Events` setter is named.
        setting: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// Two handlers would serve the same agent.
    #[error(
        "two handlers serve agent `{0}` (one names it with `agent_id`, or both serve \
         XPANDER_AGENT_ID): give each handler its own agent, or remove one"
    )]
    DuplicateAgent(String),
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests;
