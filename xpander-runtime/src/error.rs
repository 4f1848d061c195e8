//! [`Error`]: everything that can go wrong; [`BackendError`]: what the Backend adds. One file,
//! because each holds the other.

use std::time::Duration;

use crate::config::ConfigError;
use crate::model::DecodeError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the SDK. None of them contains the API key or another secret.
///
/// ```
/// use xpander_runtime::{Configuration, Error};
///
/// let err: Error = Configuration::builder().build().unwrap_err().into();
/// assert!(err.to_string().starts_with("missing configuration: set XPANDER_API_KEY"));
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The platform answered with a non-success status.
    #[error("{method} {url} returned HTTP {status}: {body}{hint}", hint = status_hint(*status))]
    Http {
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// The response status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The request did not complete: connection refused or reset, DNS, TLS.
    #[error("{method} {url} failed: {message}")]
    Transport {
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// What failed, with its causes.
        message: String,
    },
    /// The request took longer than the configured timeout.
    #[error(
        "{method} {url} timed out after {seconds:.1} s (raise it with Configuration::builder().request_timeout(..))"
    )]
    Timeout {
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// The timeout that fired.
        seconds: f64,
    },
    /// A response or event did not decode; the message names the JSON path.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The SDK was used in a way that cannot work; the message says how to fix it.
    #[error("{0}")]
    Usage(String),
    /// The [`Backend`](crate::Backend) could not resolve, invoke or report (other than a
    /// platform failure, which keeps its own variant): a missing agent, a model setting, an
    /// MCP login that timed out. Boxed because [`BackendError`] holds an
    /// `Error` itself.
    #[error(transparent)]
    Backend(Box<BackendError>),
    /// The handlers linked into the binary cannot be served: none, or two for one agent.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// A boot hook failed, which stops start-up.
    #[error("{kind} hook {hook} failed: {message}")]
    Hook {
        /// `boot` (shutdown hook failures are only logged).
        kind: &'static str,
        /// The hook, with where it was declared.
        hook: String,
        /// What it said.
        message: String,
    },
    /// The platform refused the worker's first connection.
    #[error("the platform refused the worker connection (GET {url} returned HTTP {status}): {}", rejection_hint(*status))]
    WorkerRejected {
        /// The worker channel URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// Another environment (local or cloud) already serves this agent.
    #[error(
        "worker environment conflict: {0} (stop the other worker, or set IS_XPANDER_CLOUD to match it)"
    )]
    EnvironmentConflict(String),
    /// The worker's own task ended without an outcome: it panicked (a bug in the runtime) or
    /// its runtime shut down under it.
    #[error("the worker's task failed: {0}")]
    WorkerTask(#[source] tokio::task::JoinError),
    /// A task run by this process did not complete.
    #[error("task {task_id} ended `{status}`: {result}")]
    TaskFailed {
        /// The task.
        task_id: String,
        /// Its final status.
        status: String,
        /// Its result (the error message for `error`).
        result: String,
    },
}

impl Error {
    /// The HTTP status, for [`Error::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed: no connection, a timeout,
    /// or HTTP 408, 429 or 5xx. (Every request's own quick retries cover a narrower set; the
    /// worker's final save and its messages to the platform wait longer, on this one.)
    ///
    /// ```
    /// use xpander_runtime::Error;
    ///
    /// let busy = Error::Http { method: "PATCH".into(), url: "u".into(), status: 503, body: String::new() };
    /// let gone = Error::Http { method: "PATCH".into(), url: "u".into(), status: 404, body: String::new() };
    /// assert!(busy.is_transient() && !gone.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http { status, .. } => matches!(status, 408 | 429) || *status >= 500,
            Self::Transport { .. } | Self::Timeout { .. } => true,
            _ => false,
        }
    }
}

fn rejection_hint(status: u16) -> &'static str {
    match status {
        404 => "check XPANDER_AGENT_ID and XPANDER_ORGANIZATION_ID (and XPANDER_BASE_URL)",
        _ => "check XPANDER_API_KEY and XPANDER_ORGANIZATION_ID",
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => " (check XPANDER_API_KEY and XPANDER_ORGANIZATION_ID)",
        404 => " (check the id, XPANDER_AGENT_ID and XPANDER_BASE_URL)",
        _ => "",
    }
}

/// `Debug` shows the message, so `fn main() -> Result<(), Error>` prints something readable.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// An error from the [`Backend`](crate::Backend). None of them contains a key or a token.
///
/// Platform failures (HTTP, transport, decoding) keep the crate's [`Error`] in
/// [`BackendError::Platform`]; the other variants are the Backend's own, so a caller can tell
/// "the user never logged in" from "the platform is down".
///
/// ```
/// use xpander_runtime::backend::BackendError;
///
/// let err = BackendError::NoAgent;
/// assert!(err.to_string().contains("XPANDER_AGENT_ID"));
/// // `?` turns it into the crate's `Error` in a handler returning `Result<Task, Error>`,
/// // keeping what it was.
/// let err: xpander_runtime::Error = err.into();
/// assert!(matches!(err, xpander_runtime::Error::Backend(e) if matches!(*e, BackendError::NoAgent)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// A platform request failed.
    #[error(transparent)]
    Platform(#[from] Error),
    /// No agent was named and none is configured.
    #[error(
        "missing agent context: pass .agent_id(..) or .agent(..), set XPANDER_AGENT_ID (or \
         Configuration::builder().agent_id(..)), or point XPANDER_AGENT_FILE at an agent JSON file"
    )]
    NoAgent,
    /// The call needs the platform and no configuration is available.
    #[error("{needed_for} needs the xpander platform, and none is configured: {reason}")]
    NoPlatform {
        /// What needed it.
        needed_for: String,
        /// Why there is no configuration (the missing variables).
        reason: String,
    },
    /// The local agent file could not be used.
    #[error("agent file {path}: {message}")]
    AgentFile {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The agent's model provider has no client here.
    #[error(
        "provider '{provider}' is not available to this agent: pick a supported provider \
         (openai, anthropic, google_ai_studio, amazon_bedrock, azure_ai_foundary, nim, nebius, \
         open_router, fireworks, helicone, cerebras, bytedance, tzafon_lightcone, z_ai, \
         cloudflare_ai_gw, openai_compatible) or set llm_api_base to an OpenAI-compatible endpoint"
    )]
    UnsupportedProvider {
        /// The provider, lower-cased.
        provider: String,
    },
    /// The model settings cannot work (a missing base URL or key the provider requires, or an
    /// endpoint the platform may not call).
    #[error("model configuration of agent {agent_id}: {message}")]
    ModelConfig {
        /// The agent.
        agent_id: String,
        /// What to fix.
        message: String,
    },
    /// An MCP server needs a login that cannot happen in this call (no task, no user, no
    /// platform).
    #[error("MCP server {server} needs authentication, which is not possible here: {reason}")]
    McpAuthUnavailable {
        /// The server's name or URL.
        server: String,
        /// Why.
        reason: String,
    },
    /// The user did not complete the MCP login in time.
    #[error(
        "MCP server {server}: the user did not complete the login within {:.0} s",
        waited.as_secs_f64()
    )]
    McpAuthTimeout {
        /// The server's name or URL.
        server: String,
        /// How long the login was waited for.
        waited: Duration,
    },
    /// The platform refused or could not issue an MCP token.
    #[error("MCP server {server}: authentication failed: {message}")]
    McpAuthFailed {
        /// The server's name or URL.
        server: String,
        /// The platform's message.
        message: String,
    },
    /// The call was malformed; the message says how to fix it.
    #[error("{0}")]
    Usage(String),
    /// The agent engine cannot run an agent on this provider.
    #[error("the Rust agent engine cannot run provider '{provider}': {reason}")]
    UnsupportedEngineProvider {
        /// The provider, as the platform names it.
        provider: String,
        /// Why, and what to do.
        reason: String,
    },
    /// The model provider answered an error, or could not be reached.
    #[error("the model provider {provider} failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Llm {
        /// The provider, as the platform names it.
        provider: String,
        /// The HTTP status, when the provider answered one.
        status: Option<u16>,
        /// What it said, secrets masked.
        message: String,
    },
    /// An MCP server could not be used.
    #[error("MCP server {server}: {message}")]
    Mcp {
        /// The server's name or URL.
        server: String,
        /// What went wrong.
        message: String,
    },
    /// The model's answer does not match the task's output format.
    #[error("the model's answer does not match the output schema: {0}")]
    Output(String),
    /// The agent run failed otherwise (the turn budget ran out, a hook stopped it, ...).
    #[error("the agent run failed: {0}")]
    AgentRun(String),
}

impl BackendError {
    pub(crate) fn no_platform(needed_for: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::NoPlatform {
            needed_for: needed_for.into(),
            reason: reason.into(),
        }
    }
}

/// Lets `?` lift a Backend error into the crate's error in handlers. Platform errors keep
/// their variant; the Backend's own become [`Error::Backend`], still typed.
impl From<BackendError> for Error {
    fn from(error: BackendError) -> Self {
        match error {
            BackendError::Platform(inner) => inner,
            other => Error::Backend(Box::new(other)),
        }
    }
}

impl From<crate::ConfigError> for BackendError {
    fn from(error: crate::ConfigError) -> Self {
        Self::Platform(error.into())
    }
}
