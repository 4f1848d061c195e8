//! [`BackendError`]: why the Backend could not resolve, invoke or report.

use std::time::Duration;

use crate::Error;

/// An error from the [`Backend`](super::Backend). None of them contains a key or a token.
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
