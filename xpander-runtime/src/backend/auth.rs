//! MCP OAuth during args resolution: ask the platform for the user's token, and when a login
//! is needed, tell the platform and the application (auth events), then poll until the user
//! logged in.
//!
//! Event delivery order, as in the Python SDK: the event is pushed to the platform
//! (`POST /agent-execution/{task}/events/push`, as a one-element array), then the per-call
//! callback runs, then every `#[on_auth_event]` hook in registry order. Unlike Python, the
//! callback is isolated like the hooks: its error or panic is logged and the others still run.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{error, info, warn};

use crate::error::BackendError;
use crate::handler::{BoxFuture, HookResult, IntoHookResult};
use crate::model::{
    Agent, McpAuthType, McpServerDetails, McpTokenAnswer, Task, TaskUpdateEvent,
    TaskUpdateEventType,
};
use crate::platform::routes::GetMcpToken;
use crate::{Error, Platform, Secret};

/// How MCP logins are waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthPolling {
    /// The pause between two token checks (default 1 s).
    pub interval: Duration,
    /// How long the user has to log in (default 600 s).
    pub timeout: Duration,
}

impl Default for AuthPolling {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(600),
        }
    }
}

/// The data of an `auth_event`: what the platform said about an MCP server's login.
///
/// On the wire it is `{"type": "login_required", "data": {"url", "server_url",
/// "server_name"}}`; a ready token is sent as `"access_token": "REDACTED"`, never in clear.
///
/// ```
/// use xpander_runtime::backend::AuthEventData;
/// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
///
/// let event = TaskUpdateEvent::new(TaskUpdateEventType::AuthEvent, "t1", "org",
///     serde_json::json!({"type": "login_required",
///         "data": {"url": "https://login", "server_url": "https://mcp", "server_name": "GitHub"}}));
/// match AuthEventData::of(&event) {
///     Some(AuthEventData::LoginRequired { url, .. }) => assert_eq!(url, "https://login"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthEventData {
    /// The user must log in at `url`.
    LoginRequired {
        /// Where the user logs in.
        url: String,
        /// The MCP server.
        #[serde(default)]
        server_url: Option<String>,
        /// The server's display name.
        #[serde(default)]
        server_name: Option<String>,
    },
    /// A token is ready; the token itself is never part of an event.
    TokenReady {
        /// Always `"REDACTED"`.
        #[serde(default = "redacted")]
        access_token: String,
        /// The MCP server.
        #[serde(default)]
        server_url: Option<String>,
        /// The server's display name.
        #[serde(default)]
        server_name: Option<String>,
    },
}

fn redacted() -> String {
    "REDACTED".into()
}

impl AuthEventData {
    /// The typed data of an `auth_event`, or `None` for another event or shape.
    pub fn of(event: &TaskUpdateEvent) -> Option<Self> {
        if event.event_type != TaskUpdateEventType::AuthEvent {
            return None;
        }
        serde_json::from_value(event.data.clone()).ok()
    }

    /// The login URL, for `LoginRequired`.
    pub fn login_url(&self) -> Option<&str> {
        match self {
            Self::LoginRequired { url, .. } => Some(url),
            Self::TokenReady { .. } => None,
        }
    }
}

type CallbackFn = dyn for<'a> Fn(&'a Agent, &'a Task, &'a TaskUpdateEvent) -> BoxFuture<'a, HookResult>
    + Send
    + Sync;

/// A per-call handler of auth events (Python's `auth_events_callback`): it runs after the
/// event is pushed to the platform and before the `#[on_auth_event]` hooks.
///
/// Build one from an `async fn` with the same arguments as an `#[on_auth_event]` hook, or
/// from a closure taking owned values:
///
/// ```
/// use xpander_runtime::backend::{AuthCallback, AuthEventData};
/// use xpander_runtime::{Agent, Task, TaskUpdateEvent};
///
/// async fn show_login(agent: &Agent, _task: &Task, event: &TaskUpdateEvent) {
///     if let Some(url) = AuthEventData::of(event).as_ref().and_then(AuthEventData::login_url) {
///         println!("{} needs a login: {url}", agent.name);
///     }
/// }
///
/// let by_fn = AuthCallback::new(show_login);
/// let by_closure = AuthCallback::owned(|_agent: Agent, task: Task, event: TaskUpdateEvent| async move {
///     println!("task {}: {}", task.id, event.data);
/// });
/// # let _ = (by_fn, by_closure);
/// ```
#[derive(Clone)]
pub struct AuthCallback(Arc<CallbackFn>);

/// An async function usable as an [`AuthCallback`]: `async fn(&Agent, &Task,
/// &TaskUpdateEvent)` returning `()` or `Result<(), E: Display>`.
pub trait AuthCallbackFn<'a>: Fn(&'a Agent, &'a Task, &'a TaskUpdateEvent) -> Self::Fut {
    /// The future it returns.
    type Fut: Future<Output = Self::Outcome> + Send + 'a;
    /// What the future yields.
    type Outcome: IntoHookResult;
}

impl<'a, F, Fut> AuthCallbackFn<'a> for F
where
    F: Fn(&'a Agent, &'a Task, &'a TaskUpdateEvent) -> Fut,
    Fut: Future + Send + 'a,
    Fut::Output: IntoHookResult,
{
    type Fut = Fut;
    type Outcome = Fut::Output;
}

impl AuthCallback {
    /// A callback from an `async fn(&Agent, &Task, &TaskUpdateEvent)`.
    pub fn new<F>(callback: F) -> Self
    where
        F: for<'a> AuthCallbackFn<'a> + Send + Sync + 'static,
    {
        Self(Arc::new(move |agent, task, event| {
            let future = callback(agent, task, event);
            Box::pin(async move { future.await.into_hook_result() })
        }))
    }

    /// A callback from a closure that takes owned copies of the agent, task and event.
    pub fn owned<F, Fut>(callback: F) -> Self
    where
        F: Fn(Agent, Task, TaskUpdateEvent) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoHookResult,
    {
        Self(Arc::new(move |agent, task, event| {
            let future = callback(agent.clone(), task.clone(), event.clone());
            Box::pin(async move { future.await.into_hook_result() })
        }))
    }

    async fn call(&self, agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
        match crate::panic::caught(|| (self.0)(agent, task, event)).await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                error!(task_id = %task.id, %message, "auth events callback failed")
            }
            Err(panic) => error!(
                task_id = %task.id, panic = %crate::panic::panic_message(&*panic),
                "auth events callback panicked"
            ),
        }
    }
}

impl fmt::Debug for AuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthCallback(..)")
    }
}

/// What the login flow needs from the build.
pub(crate) struct AuthContext<'a> {
    pub platform: Option<&'a Platform>,
    pub polling: AuthPolling,
    pub callback: Option<&'a AuthCallback>,
}

/// The server's name for messages and events.
pub(crate) fn server_label(server: &McpServerDetails) -> String {
    server
        .name
        .clone()
        .or_else(|| server.url.clone())
        .or_else(|| server.command.clone())
        .unwrap_or_else(|| "an MCP server".into())
}

/// The platform an MCP login needs; offline, an error saying what cannot happen (`consequence`).
fn platform_for<'a>(
    ctx: &AuthContext<'a>,
    label: &str,
    consequence: &str,
) -> Result<&'a Platform, BackendError> {
    ctx.platform
        .ok_or_else(|| BackendError::McpAuthUnavailable {
            server: label.to_owned(),
            reason: format!("no platform is configured (offline), {consequence}"),
        })
}

/// Whose token the platform keeps: one login per user serves every agent, unless the server
/// asks for a token per agent and user.
fn token_owner(server: &McpServerDetails, task: &Task, user_id: &str) -> String {
    if server.share_user_token_across_other_agents.unwrap_or(true) {
        user_id.to_owned()
    } else {
        format!("{}_{user_id}", task.agent_id)
    }
}

/// The user's token for `server`: asks the platform, and when the user must log in, pushes a
/// `login_required` event, notifies the callback and hooks, and polls until the token is
/// ready or `polling.timeout` passes. A ready token is announced with a redacted event.
pub(crate) async fn authenticate(
    ctx: &AuthContext<'_>,
    agent: &Agent,
    task: &Task,
    server: &McpServerDetails,
    user_id: &str,
) -> Result<Secret, BackendError> {
    let label = server_label(server);
    let platform = platform_for(ctx, &label, "so no login can happen")?;
    let user = token_owner(server, task, user_id);
    info!(server = %label, task_id = %task.id, "authenticating MCP server");
    let first = get_token(platform, task, server, &user, true).await?;
    match first.kind.as_str() {
        "token_ready" => {
            let token = first.token().ok_or_else(|| BackendError::McpAuthFailed {
                server: label.clone(),
                message: "the platform said the token is ready but sent none".into(),
            })?;
            announce(ctx, platform, agent, task, token_ready(server)).await?;
            Ok(token)
        }
        "login_required" => {
            let data: AuthEventData = serde_json::from_value(json!({
                "type": "login_required", "data": first.data,
            }))
            .map_err(|e| BackendError::McpAuthFailed {
                server: label.clone(),
                message: format!("the login answer has no usable URL: {e}"),
            })?;
            announce(ctx, platform, agent, task, data).await?;
            let token = poll(ctx, platform, task, server, &user, &label).await?;
            info!(server = %label, task_id = %task.id, "MCP login completed");
            announce(ctx, platform, agent, task, token_ready(server)).await?;
            Ok(token)
        }
        _ => Err(BackendError::McpAuthFailed {
            server: label,
            message: first.message(),
        }),
    }
}

/// The token the platform already holds for the user (no login is started): for `sso_user`
/// servers, whose token comes from the user's single sign-on.
pub(crate) async fn fetch_token(
    ctx: &AuthContext<'_>,
    task: &Task,
    server: &McpServerDetails,
    user_id: &str,
) -> Result<Secret, BackendError> {
    let label = server_label(server);
    let platform = platform_for(ctx, &label, "so the SSO token cannot be read")?;
    let user = token_owner(server, task, user_id);
    let answer = get_token(platform, task, server, &user, false).await?;
    match answer.token() {
        Some(token) if answer.kind == "token_ready" => Ok(token),
        _ => Err(BackendError::McpAuthFailed {
            server: label,
            message: answer.message(),
        }),
    }
}

fn token_ready(server: &McpServerDetails) -> AuthEventData {
    AuthEventData::TokenReady {
        access_token: redacted(),
        server_url: server.url.clone(),
        server_name: Some(server_label_for_event(server)),
    }
}

/// Python names a server by `name or url` in events.
fn server_label_for_event(server: &McpServerDetails) -> String {
    server
        .name
        .clone()
        .or_else(|| server.url.clone())
        .unwrap_or_default()
}

/// Polls `get_token` until the token is ready. A transient failure of one poll (transport,
/// timeout, 5xx) is logged and the next poll tries again; a 4xx ends the login.
async fn poll(
    ctx: &AuthContext<'_>,
    platform: &Platform,
    task: &Task,
    server: &McpServerDetails,
    user: &str,
    label: &str,
) -> Result<Secret, BackendError> {
    let deadline = tokio::time::Instant::now() + ctx.polling.timeout;
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(BackendError::McpAuthTimeout {
                server: label.to_owned(),
                waited: ctx.polling.timeout,
            });
        }
        tokio::time::sleep(ctx.polling.interval.min(deadline - now)).await;
        match get_token(platform, task, server, user, false).await {
            Ok(answer) if answer.kind == "token_ready" => {
                if let Some(token) = answer.token() {
                    return Ok(token);
                }
            }
            Ok(answer) if matches!(answer.kind.as_str(), "token_issue" | "not_supported") => {
                return Err(BackendError::McpAuthFailed {
                    server: label.to_owned(),
                    message: answer.message(),
                });
            }
            Ok(_) => {}
            Err(BackendError::Platform(e)) if transient(&e) => {
                warn!(server = %label, error = %e, "MCP token poll failed; polling on");
            }
            Err(e) => return Err(e),
        }
    }
}

fn transient(error: &Error) -> bool {
    match error {
        Error::Http { status, .. } => *status >= 500 || *status == 429,
        Error::Transport { .. } | Error::Timeout { .. } => true,
        _ => false,
    }
}

/// `POST /mcp_auth/{agent}/{user}/get_token` with the server's full description as the body.
async fn get_token(
    platform: &Platform,
    task: &Task,
    server: &McpServerDetails,
    user: &str,
    generate_login_url: bool,
) -> Result<McpTokenAnswer, BackendError> {
    let sso = server.auth_type == Some(McpAuthType::SsoUser);
    let request = GetMcpToken {
        agent_id: &task.agent_id,
        user,
        server,
        // An SSO token is issued only against the run it is for.
        execution_id: (task.background_auth_eligible || sso).then_some(task.id.as_str()),
        generate_login_url,
        is_app: task.is_app,
        sso_fetch_key: task
            .payload_extension
            .as_ref()
            .and_then(|p| p.fields.get("sso_fetch_key"))
            .and_then(Value::as_str)
            .filter(|_| sso),
    };
    Ok(platform.send(request).await?)
}

/// Pushes an auth event to the platform, then runs the callback and the registered hooks.
async fn announce(
    ctx: &AuthContext<'_>,
    platform: &Platform,
    agent: &Agent,
    task: &Task,
    data: AuthEventData,
) -> Result<(), BackendError> {
    let event = TaskUpdateEvent::new(
        TaskUpdateEventType::AuthEvent,
        task.id.clone(),
        task.organization_id.clone(),
        serde_json::to_value(&data).expect("auth event data serialises"),
    );
    // A task built by hand is pushed through the Backend's platform.
    let bound;
    let task_for_push = if task.configuration().is_some() {
        task
    } else {
        bound = task.clone().with_configuration(platform.clone());
        &bound
    };
    task_for_push.push_event(&event).await?;
    if let Some(callback) = ctx.callback {
        callback.call(agent, task, &event).await;
    }
    crate::registry::invoke_auth_hooks(agent, task, &event).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ready_is_redacted_on_the_wire() {
        let server = McpServerDetails {
            url: Some("https://mcp.example".into()),
            ..McpServerDetails::default()
        };
        let wire = serde_json::to_value(token_ready(&server)).unwrap();
        assert_eq!(
            wire,
            json!({"type": "token_ready", "data": {"access_token": "REDACTED",
                "server_url": "https://mcp.example", "server_name": "https://mcp.example"}})
        );
    }

    #[test]
    fn login_required_round_trips() {
        let data = AuthEventData::LoginRequired {
            url: "https://login".into(),
            server_url: Some("https://m".into()),
            server_name: Some("srv".into()),
        };
        let wire = serde_json::to_value(&data).unwrap();
        assert_eq!(
            wire,
            json!({"type": "login_required", "data": {"url": "https://login",
                "server_url": "https://m", "server_name": "srv"}})
        );
        assert_eq!(serde_json::from_value::<AuthEventData>(wire).unwrap(), data);
    }
}
