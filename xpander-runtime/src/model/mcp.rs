//! [`McpServerDetails`]: an MCP server an agent or a task brings.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use crate::Secret;
use crate::secret::redact::ValuesRedacted;

open_enum! {
    /// Where an MCP server runs.
    pub enum McpServerType {
        /// A local stdio command.
        Local = "local",
        /// A remote server reached over HTTP.
        Remote = "remote",
    }
}

open_enum! {
    /// How an MCP server is reached.
    pub enum McpTransport {
        /// Standard input/output of a local command.
        Stdio = "stdio",
        /// Server-sent events.
        Sse = "sse",
        /// Streamable HTTP.
        StreamableHttp = "streamable-http",
    }
}

open_enum! {
    /// How an MCP server authenticates the agent.
    pub enum McpAuthType {
        /// An API key, sent as a bearer token.
        ApiKey = "api_key",
        /// OAuth 2 with a user login (see the auth events of the Backend).
        OAuth2 = "oauth2",
        /// Headers given in `headers`.
        CustomHeaders = "custom_headers",
        /// No authentication.
        None = "none",
        /// The controller's SSO token for the user.
        SsoUser = "sso_user",
    }
}

open_enum! {
    /// Which SSO token an `sso_user` server gets.
    pub enum McpSsoTokenMode {
        /// The access token.
        Access = "access",
        /// The ID token.
        Id = "id",
        /// An exchanged token.
        Exchange = "exchange",
    }
}

/// An MCP server as the platform describes it (`mcp_settings` of a graph item, or an element of
/// a task's `mcp_servers`). Every key is emitted, as the Python SDK dumps it.
///
/// `Debug` shows the names of `headers`, `env_vars` and unknown keys but not their values,
/// which often are credentials; the key and the client secret are [`Secret`]s.
///
/// ```
/// use xpander_runtime::model::{McpServerDetails, McpTransport};
///
/// let s: McpServerDetails = serde_json::from_str(r#"{"url":"https://m","api_key":"k",
///     "headers":{"Authorization":"Bearer h"},"env_vars":{"GITHUB_TOKEN":"e"}}"#).unwrap();
/// assert_eq!(s.transport, Some(McpTransport::StreamableHttp));
/// let debug = format!("{s:?}");
/// assert!(debug.contains("GITHUB_TOKEN") && debug.contains("Authorization"));
/// assert!(!debug.contains("\"k\"") && !debug.contains("Bearer h") && !debug.contains("\"e\""));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct McpServerDetails {
    /// The registry row this server came from.
    pub id: Option<String>,
    /// Local or remote.
    #[serde(rename = "type")]
    pub server_type: Option<McpServerType>,
    /// Display name.
    pub name: Option<String>,
    /// The command of a local server.
    pub command: Option<String>,
    /// The URL of a remote server.
    pub url: Option<String>,
    /// How the server is reached.
    pub transport: Option<McpTransport>,
    /// How the server authenticates.
    pub auth_type: Option<McpAuthType>,
    /// The key for `api_key` auth.
    pub api_key: Option<Secret>,
    /// Whether the key lives in the platform's secrets manager.
    pub use_secrets_manager: Option<bool>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret.
    pub client_secret: Option<Secret>,
    /// Extra headers (for `custom_headers`).
    pub headers: Option<BTreeMap<String, Value>>,
    /// Environment of a local command.
    pub env_vars: Option<BTreeMap<String, Value>>,
    /// Only these tools are offered to the model (all when empty).
    pub allowed_tools: Option<Vec<String>>,
    /// OAuth scopes beyond the server's defaults.
    pub additional_scopes: Option<Vec<String>>,
    /// Whether one OAuth login serves every agent of the user.
    pub share_user_token_across_other_agents: Option<bool>,
    /// Which SSO token an `sso_user` server gets.
    pub sso_token: Option<McpSsoTokenMode>,
    /// The SSO audience.
    pub sso_audience: Option<String>,
    /// Keys this SDK version does not know, sent back unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for McpServerDetails {
    fn default() -> Self {
        Self {
            id: None,
            server_type: Some(McpServerType::Remote),
            name: None,
            command: None,
            url: None,
            transport: Some(McpTransport::StreamableHttp),
            auth_type: Some(McpAuthType::None),
            api_key: None,
            use_secrets_manager: Some(false),
            client_id: None,
            client_secret: None,
            headers: Some(BTreeMap::new()),
            env_vars: Some(BTreeMap::new()),
            allowed_tools: Some(Vec::new()),
            additional_scopes: Some(Vec::new()),
            share_user_token_across_other_agents: Some(true),
            sso_token: Some(McpSsoTokenMode::Access),
            sso_audience: None,
            extra: Map::new(),
        }
    }
}

impl fmt::Debug for McpServerDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpServerDetails")
            .field("id", &self.id)
            .field("server_type", &self.server_type)
            .field("name", &self.name)
            .field("command", &self.command)
            .field("url", &self.url)
            .field("transport", &self.transport)
            .field("auth_type", &self.auth_type)
            .field("api_key", &self.api_key)
            .field("use_secrets_manager", &self.use_secrets_manager)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("headers", &self.headers.as_ref().map(ValuesRedacted))
            .field("env_vars", &self.env_vars.as_ref().map(ValuesRedacted))
            .field("allowed_tools", &self.allowed_tools)
            .field("additional_scopes", &self.additional_scopes)
            .field(
                "share_user_token_across_other_agents",
                &self.share_user_token_across_other_agents,
            )
            .field("sso_token", &self.sso_token)
            .field("sso_audience", &self.sso_audience)
            .field("extra", &ValuesRedacted(&self.extra))
            .finish()
    }
}

impl McpServerDetails {
    /// Whether the server runs as a local command.
    pub fn is_local(&self) -> bool {
        self.server_type == Some(McpServerType::Local)
    }

    /// The same server with `type` and `transport` made coherent, as the platform's validator
    /// does: local means stdio; remote with stdio or no transport means streamable HTTP.
    pub fn normalized(mut self) -> Self {
        if self.is_local() {
            self.transport = Some(McpTransport::Stdio);
        } else if matches!(self.transport, None | Some(McpTransport::Stdio)) {
            self.transport = Some(McpTransport::StreamableHttp);
        }
        self
    }
}

/// The platform's answer to a token request.
#[derive(Debug, Deserialize)]
pub(crate) struct McpTokenAnswer {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) data: Value,
}

impl McpTokenAnswer {
    pub(crate) fn token(&self) -> Option<Secret> {
        self.data
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(Secret::from)
    }

    pub(crate) fn message(&self) -> String {
        self.data
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(
                || format!("the platform answered `{}`", self.kind),
                str::to_owned,
            )
    }
}
