//! The agent's (and the task's) MCP servers as [`McpToolSpec`]s, with credentials resolved.
//!
//! Credential precedence for a remote server, as in the Python SDK:
//! 1. the caller's OIDC token for the agent's MCP audience (`"__none__"` means "none, but do
//!    not start a login");
//! 2. `sso_user` servers: the caller's token for the server's graph item, else the SSO token
//!    the platform holds for the user;
//! 3. `oauth2` servers: the caller's token (a string) or headers (an object) for the server's
//!    graph item in `task.user_tokens`, else the user's OAuth login ([`super::auth`]);
//! 4. then, always: headers given for the graph item replace the server's headers, a token
//!    given for it fills a missing key;
//! 5. a key becomes `Authorization: Bearer <key>` (the `"__bypass__"` marker excepted).
//!
//! Trust: the agent's servers are configured on the platform by its owner; a task's servers
//! (`task.mcp_servers`) come from whoever created the task. A task-supplied local (stdio)
//! server would run a command on this machine, and the caller's OIDC token would travel to a
//! URL the task chose, so by default task-supplied local servers are left out and task-supplied
//! remote servers get no OIDC token; set `XPANDER_TRUST_TASK_MCP_SERVERS=true` where every task
//! creator is trusted.
//!
//! The servers are not connected here: that is the framework's job. A server that cannot be
//! used at all (no command, no URL, the AWS API server in xpander cloud) is left out with a
//! warning; a login that cannot complete is an error.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::try_join_all;
use serde_json::Value;
use tracing::warn;

use super::args::{McpConnection, McpToolSpec};
use super::auth::{self, AuthContext, server_label};
use crate::Secret;
use crate::error::BackendError;
use crate::model::{Agent, GraphItemType, McpAuthType, McpServerDetails, McpTransport, Task};

/// How long one MCP tool call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// The HTTP transport's connect and read timeout.
const TRANSPORT_TIMEOUT: Duration = Duration::from_secs(1200);
/// The model sees MCP tools as `mcp_tool_<name>`.
const TOOL_NAME_PREFIX: &str = "mcp_tool";
/// A user token marker: the headers given for the server carry the credential.
const BYPASS: &str = "__bypass__";
/// An OIDC marker: no token, and no login either.
const NO_TOKEN: &str = "__none__";
/// The variable that trusts task-supplied MCP servers like the agent's own.
pub(crate) const TRUST_TASK_SERVERS: &str = "XPANDER_TRUST_TASK_MCP_SERVERS";

/// Where a server came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Agent,
    /// The task, from whoever created it; `trusted` by the operator or not.
    Task {
        trusted: bool,
    },
}

/// Every MCP server of `agent` and `task`, resolved concurrently.
pub(crate) async fn resolve(
    ctx: &AuthContext<'_>,
    agent: &Agent,
    task: Option<&Task>,
    cloud: bool,
    trust_task_servers: bool,
) -> Result<Vec<McpToolSpec>, BackendError> {
    let from_task = Origin::Task {
        trusted: trust_task_servers,
    };
    let servers = agent
        .mcp_servers()
        .into_iter()
        .map(|server| (server, Origin::Agent))
        .chain(
            task.into_iter()
                .flat_map(|t| &t.mcp_servers)
                .map(|s| (s, from_task)),
        );
    let resolved = try_join_all(servers.map(|(server, origin)| {
        resolve_one(ctx, agent, task, server.clone().normalized(), origin, cloud)
    }))
    .await?;
    Ok(resolved.into_iter().flatten().collect())
}

async fn resolve_one(
    ctx: &AuthContext<'_>,
    agent: &Agent,
    task: Option<&Task>,
    server: McpServerDetails,
    origin: Origin,
    cloud: bool,
) -> Result<Option<McpToolSpec>, BackendError> {
    let name = server_label(&server);
    let spec = |connection| McpToolSpec {
        name: name.clone(),
        connection,
        allowed_tools: server.allowed_tools.clone().unwrap_or_default(),
        tool_name_prefix: TOOL_NAME_PREFIX.into(),
        call_timeout: CALL_TIMEOUT,
    };
    if server.is_local() {
        let command = server.command.as_deref().unwrap_or_default().trim();
        if command.is_empty() {
            warn!(server = %name, "local MCP server has no command; left out");
            return Ok(None);
        }
        if origin == (Origin::Task { trusted: false }) {
            warn!(
                server = %name,
                "the task brought a local MCP server, which would run a command here; left out \
                 (set {TRUST_TASK_SERVERS}=true if every task creator is trusted)"
            );
            return Ok(None);
        }
        if cloud && command.contains("aws-api-mcp-server") {
            warn!(server = %name, agent_id = %agent.id, "the AWS API MCP server does not run in xpander cloud; left out");
            return Ok(None);
        }
        // Split as Python's `shlex.split` does; an unclosed quote is an error there too.
        let mut words = shlex::split(command)
            .filter(|w| !w.is_empty())
            .ok_or_else(|| {
                BackendError::Usage(format!(
                    "MCP server {name}: its command cannot be split into words (unclosed quote?)"
                ))
            })?;
        let program = words.remove(0);
        let env = server
            .env_vars
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), Secret::new(value_text(v))))
            .collect();
        return Ok(Some(spec(McpConnection::Stdio {
            command: program,
            args: words,
            env,
        })));
    }
    let Some(url) = server.url.clone().filter(|u| !u.is_empty()) else {
        warn!(server = %name, "remote MCP server has no URL (its registration was removed); left out");
        return Ok(None);
    };
    let headers = credentials(ctx, agent, task, &server, origin).await?;
    Ok(Some(spec(McpConnection::Http {
        url,
        sse: server.transport == Some(McpTransport::Sse),
        headers,
        timeout: TRANSPORT_TIMEOUT,
    })))
}

/// The headers a remote server is called with, its credential included.
async fn credentials(
    ctx: &AuthContext<'_>,
    agent: &Agent,
    task: Option<&Task>,
    server: &McpServerDetails,
    origin: Origin,
) -> Result<BTreeMap<String, Secret>, BackendError> {
    let mut headers: BTreeMap<String, Secret> = server
        .headers
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Secret::new(value_text(v))))
        .collect();
    let mut api_key = server.api_key.clone().filter(|k| !k.is_empty());
    let given = task.and_then(|task| given_for_server(agent, task, server));
    let auth = server.auth_type.clone().unwrap_or(McpAuthType::None);

    let mut oidc = None;
    // The caller's OIDC token goes only to servers the agent's owner configured, unless the
    // operator trusts task creators.
    let oidc_allowed = origin != (Origin::Task { trusted: false });
    if auth != McpAuthType::SsoUser
        && oidc_allowed
        && !agent.pre_auth_audiences.is_empty()
        && let Some(audience) = agent.oidc_pre_auth_token_mcp_audience.as_deref()
    {
        oidc = task
            .and_then(|t| t.user_tokens.as_ref())
            .and_then(|tokens| tokens.oidc_token(audience))
            .filter(|t| !t.is_empty());
        if let Some(token) = oidc.as_ref().filter(|t| t.expose() != NO_TOKEN) {
            api_key = Some(token.clone());
        }
    }

    if auth == McpAuthType::SsoUser {
        // Only this run's token may travel, never a key stored on the server.
        headers.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
        api_key = Some(sso_token(ctx, task, server, given.as_ref()).await?);
    } else if oidc.is_none() && auth == McpAuthType::OAuth2 {
        match &given {
            // Caller-given headers (applied below) carry the credential themselves.
            Some(Value::Object(_)) => api_key = Some(Secret::new(BYPASS)),
            Some(token) => api_key = Some(Secret::new(value_text(token))),
            None => {}
        }
        if api_key.is_none() {
            // Only now is a login needed, and a login belongs to a task and its user.
            let label = server_label(server);
            let task = task.ok_or_else(|| BackendError::McpAuthUnavailable {
                server: label.clone(),
                reason: "the server uses OAuth, and a login belongs to a task: pass .task(..)"
                    .into(),
            })?;
            let user = user_for_login(task).ok_or_else(|| BackendError::McpAuthUnavailable {
                server: label.clone(),
                reason: "the task has no user (task.input.user.id) to log in".into(),
            })?;
            api_key = Some(auth::authenticate(ctx, agent, task, server, &user).await?);
        }
    }

    match &given {
        Some(Value::Object(object)) => headers = object_headers(object),
        Some(token) if api_key.is_none() => api_key = Some(Secret::new(value_text(token))),
        _ => {}
    }
    if let Some(key) = api_key.filter(|k| k.expose() != BYPASS) {
        headers.insert(
            "Authorization".into(),
            Secret::new(format!("Bearer {}", key.expose())),
        );
    }
    Ok(headers)
}

/// The SSO token of an `sso_user` server: the caller's, else the platform's for the user.
async fn sso_token(
    ctx: &AuthContext<'_>,
    task: Option<&Task>,
    server: &McpServerDetails,
    given: Option<&Value>,
) -> Result<Secret, BackendError> {
    let label = server_label(server);
    let unavailable = |reason: &str| BackendError::McpAuthUnavailable {
        server: label.clone(),
        reason: reason.into(),
    };
    let task =
        task.ok_or_else(|| unavailable("it requires a signed-in user, and no task was given"))?;
    let user = user_for_login(task)
        .ok_or_else(|| unavailable("it requires a signed-in user (this run has no user)"))?;
    if let Some(Value::String(token)) = given
        && !token.is_empty()
    {
        return Ok(Secret::new(token.clone()));
    }
    auth::fetch_token(ctx, task, server, &user).await
}

/// The user a login is for: the task's user, or `background` for a run that may complete it
/// in the background.
fn user_for_login(task: &Task) -> Option<String> {
    task.input
        .user
        .as_ref()
        .and_then(|u| u.id.clone())
        .filter(|id| !id.is_empty())
        .or_else(|| {
            task.background_auth_eligible
                .then(|| "background".to_owned())
        })
}

/// What the task's caller supplied for the server's graph item (`task.user_tokens[<id>]`).
fn given_for_server(agent: &Agent, task: &Task, server: &McpServerDetails) -> Option<Value> {
    let tokens = task.user_tokens.as_ref()?;
    let item_id = graph_item_for(agent, server)?;
    tokens.for_graph_item(&item_id).cloned()
}

/// The id of the graph node the server came from: matched on the registry id when the server
/// has one, else on the URL when exactly one node claims it.
fn graph_item_for(agent: &Agent, server: &McpServerDetails) -> Option<String> {
    let nodes: Vec<_> = agent
        .graph
        .iter()
        .filter(|item| item.item_type == GraphItemType::Mcp)
        .filter_map(|item| Some((item, item.settings.as_ref()?.mcp_settings.as_ref()?)))
        .collect();
    let node = match &server.id {
        Some(id) => nodes.iter().find(|(_, s)| s.id.as_ref() == Some(id))?,
        None => {
            let mut by_url = nodes
                .iter()
                .filter(|(_, s)| s.url.is_some() && s.url == server.url);
            let first = by_url.next()?;
            if by_url.next().is_some() {
                return None;
            }
            first
        }
    };
    node.0.id.clone()
}

fn object_headers(object: &serde_json::Map<String, Value>) -> BTreeMap<String, Secret> {
    object
        .iter()
        .map(|(k, v)| (k.clone(), Secret::new(value_text(v))))
        .collect()
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
