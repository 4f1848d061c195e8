//! Resolving an agent's args: every read the args need (the organization's LLM headers, the
//! session database, MCP credentials, team members, the task's plan), then the pure
//! [`assemble`](crate::backend::assemble) step. Data flows one way: resolve → [`AgentArgs`] →
//! a framework adapter; nothing here renders.

mod fetch;

use std::time::Duration;

use futures_util::future::{BoxFuture, try_join_all};
use serde_json::{Map, Value};
use tracing::debug;

use crate::Platform;
use crate::backend::agent_file::LocalAgents;
use crate::backend::args::{AgentArgs, ToolSpec};
use crate::backend::assemble::{Inputs, assemble, plan_active};
use crate::backend::auth::{AuthCallback, AuthContext, AuthPolling};
use crate::backend::env::Env;
use crate::backend::llm::{ModelSpec, resolve_model};
use crate::backend::loader::{self, DEFAULT_AGENT_CACHE_TTL};
use crate::backend::mcp;
use crate::error::BackendError;
use crate::model::{Agent, GraphItemType, Task};

/// Everything a resolution needs besides the agent and the task.
#[derive(Clone)]
pub(crate) struct ResolveContext<'a> {
    /// The platform, or `None` offline (then nothing is fetched).
    pub platform: Option<Platform>,
    pub env: &'a Env,
    pub polling: AuthPolling,
    pub callback: Option<&'a AuthCallback>,
    pub agent_ttl: Duration,
    pub local: &'a LocalAgents,
    pub overrides: &'a Map<String, Value>,
    pub extra_tools: &'a [ToolSpec],
}

impl<'a> ResolveContext<'a> {
    /// A context with the defaults: no auth callback, default polling and agent cache TTL,
    /// no extra tools.
    pub fn new(
        platform: Option<Platform>,
        env: &'a Env,
        local: &'a LocalAgents,
        overrides: &'a Map<String, Value>,
    ) -> Self {
        Self {
            platform,
            env,
            polling: AuthPolling::default(),
            callback: None,
            agent_ttl: DEFAULT_AGENT_CACHE_TTL,
            local,
            overrides,
            extra_tools: &[],
        }
    }

    /// Whether MCP servers that come with a task may run local commands and receive the
    /// caller's OIDC token (`XPANDER_TRUST_TASK_MCP_SERVERS=true`); see [`mcp`].
    fn trusts_task_mcp_servers(&self) -> bool {
        self.env
            .var(mcp::TRUST_TASK_SERVERS)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    fn cloud(&self) -> bool {
        match &self.platform {
            Some(platform) => platform.configuration().is_cloud(),
            None => self.env.is_cloud(),
        }
    }
}

/// Resolves the args of `agent` (for `task`, if any). Members are resolved with `is_member`.
pub(crate) fn resolve<'a>(
    ctx: &'a ResolveContext<'a>,
    agent: &'a Agent,
    task: Option<&'a Task>,
    is_member: bool,
) -> BoxFuture<'a, Result<AgentArgs, BackendError>> {
    Box::pin(async move {
        let cloud = ctx.cloud();
        let platform = ctx.platform.as_ref();
        // An overridden model skips model resolution, the org-headers request included.
        let model = if ctx.overrides.contains_key("model") {
            None
        } else {
            let org_headers = fetch::org_headers(platform).await?;
            Some(resolve_model(agent, task, &org_headers, ctx.env, cloud)?)
        };
        let auth = AuthContext {
            platform,
            polling: ctx.polling,
            callback: ctx.callback,
        };
        let (db_uri, mcp_tools) = tokio::try_join!(
            fetch::session_db_uri(platform, agent),
            mcp::resolve(&auth, agent, task, cloud, ctx.trusts_task_mcp_servers())
        )?;
        let members = if agent.is_a_team() {
            Some(members(ctx, agent, task).await?)
        } else {
            None
        };
        let fresh_plan = match task.filter(|_| plan_active(agent, task)) {
            Some(task) => fetch::fresh_plan(platform, task).await,
            None => None,
        };
        let args = assemble(Inputs {
            agent,
            task,
            is_member,
            model,
            db_uri,
            mcp_tools,
            members,
            fresh_plan,
            platform,
            env: ctx.env,
            overrides: ctx.overrides,
            extra_tools: ctx.extra_tools,
        });
        log_resolved(&args, is_member, platform.is_none());
        Ok(args)
    })
}

/// The members of a team, resolved with the same task (the assembly gives them the leader's
/// model).
async fn members(
    ctx: &ResolveContext<'_>,
    agent: &Agent,
    task: Option<&Task>,
) -> Result<Vec<AgentArgs>, BackendError> {
    let ids: Vec<&str> = agent
        .graph
        .iter()
        .filter(|item| item.item_type == GraphItemType::Agent)
        .map(|item| item.item_id.as_str())
        .collect();
    let members: Vec<Agent> =
        try_join_all(ids.iter().map(|id| {
            loader::load_agent(ctx.platform.as_ref(), ctx.local, id, None, ctx.agent_ttl)
        }))
        .await?;
    let resolved = try_join_all(
        members
            .iter()
            .map(|member| resolve(ctx, member, task, true)),
    )
    .await?;
    debug!(agent_id = %agent.id, members = resolved.len(), "team members resolved");
    Ok(resolved)
}

/// One debug line per resolution: what was chosen, never a secret.
fn log_resolved(args: &AgentArgs, is_member: bool, offline: bool) {
    let model = args.model.as_ref();
    debug!(
        agent_id = %args.id,
        model = ?model.map(|m: &ModelSpec| (m.provider.as_str(), &m.model_id)),
        header_names = ?model.map(|m| m.headers.keys().collect::<Vec<_>>()),
        tools = args.tools.len(),
        is_member,
        offline,
        "agent args resolved"
    );
}

/// Resolves the args of an agent already loaded, for a task (Python's
/// `dispatch_get_args(agent=agent, task=task)`). The platform is the agent's (or the task's)
/// configuration; with neither, nothing is fetched. Render them for Agno with
/// [`AgentArgs::render`], or for the agent's framework with a Backend's adapters
/// ([`Backend::render`](crate::Backend::render)).
///
/// ```no_run
/// # async fn demo(agent: xpander_runtime::Agent, task: xpander_runtime::Task) -> Result<(), xpander_runtime::backend::BackendError> {
/// use xpander_runtime::backend::dispatch_get_args;
///
/// let args = dispatch_get_args(&agent, Some(&task)).await?;
/// let agno_kwargs = args.render();
/// # Ok(()) }
/// ```
pub async fn dispatch_get_args(
    agent: &Agent,
    task: Option<&Task>,
) -> Result<AgentArgs, BackendError> {
    let env = Env::process();
    let local = LocalAgents::None;
    let overrides = Map::new();
    let platform = agent
        .platform()
        .or_else(|| task.and_then(Task::platform))
        .cloned();
    let ctx = ResolveContext::new(platform, &env, &local, &overrides);
    resolve(&ctx, agent, task, false).await
}
