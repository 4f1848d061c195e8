//! Building [`AgentArgs`] from an agent and an optional task: the order and rules of the
//! Python SDK's `build_agent_args` (2.0.537) for everything structural, without its prose
//! blocks and harness layers, and without changing the agent or the task.

use std::time::Duration;

use futures_util::future::{BoxFuture, try_join_all};
use reqwest::Method;
use serde_json::{Map, Value};
use tracing::{debug, warn};

use super::BackendError;
use super::agent_file::LocalAgents;
use super::args::{
    AgentArgs, DatetimeSpec, DbSpec, Guardrail, KnowledgeSpec, OutputSpec, PlanSpec, SessionSpec,
    TeamSpec, ToolSpec,
};
use super::auth::{AuthCallback, AuthContext, AuthPolling};
use super::cache::{self, AGENT_DBS, ORG_LLM_HEADERS};
use super::env::Env;
use super::llm::families::is_weak_model;
use super::llm::{LlmProvider, resolve_model};
use super::platform::Bound;
use super::tools::PlatformTool;
use super::{loader, mcp};
use crate::model::{Agent, OutputFormat, Task};
use crate::{Configuration, Error, Tasks};

/// The organization's default LLM headers are cached this long per tenant.
const ORG_HEADERS_TTL: Duration = Duration::from_secs(60);
/// An agent's database connection is cached this long.
const DB_TTL: Duration = Duration::from_secs(60);
/// The tool-call ceiling when neither the task nor the agent sets one.
const DEFAULT_TOOL_CALL_LIMIT: i64 = 800;
/// What the plan line starts with.
const PLAN_LABEL: &str = "Execution plan steps";
/// The line a deep-planning run's expected output gets.
const PLAN_EXPECTED_OUTPUT: &str = "\nAll planned tasks completed and marked as done.";
/// The deep-planning tools, hidden unless the task plans.
const PLAN_TOOLS: [&str; 7] = [
    "xpcreate_agent_plan",
    "xpget_agent_plan",
    "xpadd_new_agent_plan_item",
    "xpupdate_agent_plan_item",
    "xpdelete_agent_plan_item",
    "xpcomplete_agent_plan_items",
    "xpstart_execution_plan",
];
/// Everything a build needs besides the agent and the task.
#[derive(Clone)]
pub(crate) struct BuildContext<'a> {
    /// The platform, or `None` offline (then nothing is fetched).
    pub platform: Option<Configuration>,
    pub env: &'a Env,
    pub polling: AuthPolling,
    pub callback: Option<&'a AuthCallback>,
    pub agent_ttl: Duration,
    pub local: &'a LocalAgents,
    pub overrides: &'a Map<String, Value>,
    pub extra_tools: &'a [ToolSpec],
    pub blocking: bool,
}

impl<'a> BuildContext<'a> {
    /// A context with the defaults: no auth callback, default polling and agent cache TTL,
    /// no extra tools, not blocking.
    pub fn new(
        platform: Option<Configuration>,
        env: &'a Env,
        local: &'a LocalAgents,
        overrides: &'a Map<String, Value>,
    ) -> Self {
        Self {
            platform,
            env,
            polling: AuthPolling::default(),
            callback: None,
            agent_ttl: super::DEFAULT_AGENT_CACHE_TTL,
            local,
            overrides,
            extra_tools: &[],
            blocking: false,
        }
    }

    fn cloud(&self) -> bool {
        match &self.platform {
            Some(config) => config.is_cloud(),
            None => self.env.is_cloud(),
        }
    }
}

/// Builds the args of `agent` (for `task`, if any). Members are built with `is_member`.
pub(crate) fn build<'a>(
    ctx: &'a BuildContext<'a>,
    agent: &'a Agent,
    task: Option<&'a Task>,
    is_member: bool,
) -> BoxFuture<'a, Result<AgentArgs, BackendError>> {
    Box::pin(async move {
        let cloud = ctx.cloud();
        // An overridden model skips model resolution, the org-headers request included.
        let model = if ctx.overrides.contains_key("model") {
            None
        } else {
            let org_headers = org_headers(ctx.platform.as_ref()).await?;
            Some(resolve_model(agent, task, &org_headers, ctx.env, cloud)?)
        };

        let auth = AuthContext {
            platform: ctx.platform.as_ref(),
            polling: ctx.polling,
            callback: ctx.callback,
        };
        let (db, mcp_tools) = tokio::try_join!(
            session_db(ctx, agent),
            mcp::resolve(&auth, agent, task, cloud)
        )?;

        let plan_active = agent.deep_planning && task.is_some_and(|t| t.deep_planning.enabled);
        let must_plan = task.is_some_and(|t| t.must_deep_plan);
        let mut tools: Vec<ToolSpec> = PlatformTool::for_agent(agent, ctx.platform.as_ref())
            .into_iter()
            .filter(|t| plan_active || must_plan || !PLAN_TOOLS.contains(&t.id.as_str()))
            .map(|tool| ToolSpec::Platform(Box::new(tool)))
            .collect();
        tools.extend(mcp_tools.into_iter().map(ToolSpec::Mcp));
        if !is_member {
            tools.extend(ctx.extra_tools.iter().cloned());
        }
        let model_id = model
            .as_ref()
            .map(|m| m.model_id.clone())
            .or_else(|| override_model_id(ctx.overrides));
        if !agent.is_a_team()
            && uses_reasoning_tools(agent, task)
            && model_id.as_deref().is_some_and(is_weak_model)
        {
            tools.push(ToolSpec::Reasoning);
        }

        let team = if agent.is_a_team() {
            Some(team(ctx, agent, task, model.clone()).await?)
        } else {
            None
        };

        let mut args = AgentArgs {
            id: agent.id.clone(),
            name: agent.name.clone(),
            framework: agent.framework.clone(),
            description: agent
                .description
                .clone()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| agent.instructions.general.clone()),
            instructions: instructions(agent, task),
            expected_output: task
                .and_then(|t| t.expected_output.clone())
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| agent.expected_output.clone()),
            additional_context: additional_context(task),
            datetime: DatetimeSpec::default(),
            output: output(agent, task, is_member),
            session: session(agent, task, db),
            learning: agent.agno_settings.learning,
            knowledge: (!agent.knowledge_bases.is_empty()).then(|| KnowledgeSpec {
                knowledge_base_ids: agent
                    .knowledge_bases
                    .iter()
                    .map(|kb| kb.id.clone())
                    .collect(),
                num_documents: 10,
                platform: Bound(ctx.platform.clone()),
            }),
            guardrails: guardrails(agent, model.as_ref()),
            tool_call_limit: tool_call_limit(ctx.env, agent, task, is_member),
            tools,
            team,
            deep_planning: None,
            overrides: ctx.overrides.clone(),
            model,
        };
        if agent.is_a_team() && !agent.expected_output.is_empty() {
            args.instructions.push_str(&format!(
                "\n\n            <expected_output>\n            {}\n            </expected_output>\n        ",
                agent.expected_output
            ));
        }
        if plan_active && let Some(task) = task {
            let plan = plan(ctx.platform.as_ref(), task).await;
            args.expected_output.push_str(&plan.expected_output_suffix);
            args.additional_context = Some(match args.additional_context.take() {
                Some(existing) if !existing.is_empty() => {
                    format!("{}\n{existing}", plan.plan_block)
                }
                _ => plan.plan_block.clone(),
            });
            // An overriding value gets the same additions, so every renderer sees them.
            if let Some(Value::String(expected)) = args.overrides.get_mut("expected_output") {
                expected.push_str(&plan.expected_output_suffix);
            }
            if let Some(context) = args.overrides.get_mut("additional_context") {
                *context = Value::String(match context {
                    Value::String(s) if !s.is_empty() => format!("{}\n{s}", plan.plan_block),
                    _ => plan.plan_block.clone(),
                });
            }
            args.deep_planning = Some(plan);
        }
        debug!(
            agent_id = %args.id,
            model = ?args.model.as_ref().map(|m| (m.provider.as_str(), &m.model_id)),
            header_names = ?args.model.as_ref().map(|m| m.headers.keys().collect::<Vec<_>>()),
            tools = args.tools.len(),
            is_member,
            offline = ctx.platform.is_none(),
            "agent args resolved"
        );
        Ok(args)
    })
}

/// `GET /metadata/default_llm_extra_headers`, cached 60 s per tenant; `{}` offline.
async fn org_headers(platform: Option<&Configuration>) -> Result<Map<String, Value>, BackendError> {
    let Some(platform) = platform else {
        return Ok(Map::new());
    };
    let headers = ORG_LLM_HEADERS
        .get_or_load(cache::scope(platform), Some(ORG_HEADERS_TTL), || async {
            let answer: Value = platform
                .request(Method::GET, "/metadata/default_llm_extra_headers")
                .send_json()
                .await?;
            Ok::<_, Error>(match answer {
                Value::Object(map) => map,
                _ => Map::new(),
            })
        })
        .await
        .map_err(BackendError::Platform)?;
    Ok(headers)
}

/// The session database (`GET /agents/{id}/db`), when session storage is on and a platform is
/// configured. A 404 (no database for the agent) leaves sessions unpersisted, with a warning.
async fn session_db(ctx: &BuildContext<'_>, agent: &Agent) -> Result<Option<DbSpec>, BackendError> {
    let Some(platform) = ctx
        .platform
        .as_ref()
        .filter(|_| agent.agno_settings.session_storage)
    else {
        return Ok(None);
    };
    let key = (cache::scope(platform), agent.id.clone());
    let uri = AGENT_DBS
        .get_or_load(key, Some(DB_TTL), || async {
            let route = format!("/agents/{}/db", agent.id);
            match platform.request(Method::GET, &route).send_json::<Value>().await {
                Ok(answer) => Ok(answer
                    .pointer("/connection_uri/uri")
                    .and_then(Value::as_str)
                    .map(str::to_owned)),
                Err(e) if e.status() == Some(404) => {
                    warn!(agent_id = %agent.id, "the platform has no session database for this agent; session history will not persist");
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(uri.map(|uri| DbSpec {
        uri: uri.into(),
        schema: format!("ag_{}", agent.id.replace('-', "_")),
        blocking: ctx.blocking,
    }))
}

/// The members of a team, built with the same task and sharing the leader's model.
async fn team(
    ctx: &BuildContext<'_>,
    agent: &Agent,
    task: Option<&Task>,
    model: Option<super::args::ModelSpec>,
) -> Result<TeamSpec, BackendError> {
    let ids: Vec<&str> = agent
        .graph
        .iter()
        .filter(|item| item.item_type == crate::model::GraphItemType::Agent)
        .map(|item| item.item_id.as_str())
        .collect();
    let members: Vec<Agent> =
        try_join_all(ids.iter().map(|id| {
            loader::load_agent(ctx.platform.as_ref(), ctx.local, id, None, ctx.agent_ttl)
        }))
        .await?;
    let mut built =
        try_join_all(members.iter().map(|member| build(ctx, member, task, true))).await?;
    for member in &mut built {
        member.model = model.clone();
    }
    debug!(agent_id = %agent.id, members = built.len(), "team members resolved");
    Ok(TeamSpec { members: built })
}

/// The override's model id, for the reasoning-tools choice: a model object's `id` (a bare
/// string has none, as in Python, where `getattr("gpt-4", "id")` is nothing).
fn override_model_id(overrides: &Map<String, Value>) -> Option<String> {
    overrides
        .get("model")?
        .get("id")?
        .as_str()
        .map(str::to_lowercase)
}

/// Whether the agent's settings allow reasoning tools for this task (never for inline app or
/// email children of the agent gateway).
fn uses_reasoning_tools(agent: &Agent, task: Option<&Task>) -> bool {
    if !agent.agno_settings.reasoning_tools_enabled {
        return false;
    }
    let Some(task) = task.filter(|t| is_gateway_child(t)) else {
        return true;
    };
    let inline_app = task.is_app && !task.should_update_parent;
    let email = task
        .source
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("email"));
    !(inline_app || email)
}

fn is_gateway_child(task: &Task) -> bool {
    task.payload_extension
        .as_ref()
        .and_then(|p| p.fields.get("headers"))
        .and_then(|h| h.get("x-is-from-agent-gateway"))
        .map(|v| match v {
            Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
            other => *other == Value::Bool(true),
        })
        .unwrap_or(false)
}

/// The task's instructions override replaces the agent's blocks.
fn instructions(agent: &Agent, task: Option<&Task>) -> String {
    match task.and_then(|t| t.instructions_override.as_deref()) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => super::args::render_instructions(&agent.instructions.role, &agent.instructions.goal),
    }
}

/// `User details: <user JSON>`, then the task's additional context on the next line.
fn additional_context(task: Option<&Task>) -> Option<String> {
    let task = task?;
    let user = task.input.user.as_ref().map(|user| {
        // The JSON is compact, as pydantic's `model_dump_json` writes it.
        format!(
            "User details: {}",
            serde_json::to_string(user).expect("a user serialises")
        )
    });
    let extra = task.additional_context.clone().filter(|c| !c.is_empty());
    match (user, extra) {
        (Some(user), Some(extra)) => Some(format!("{user}\n{extra}")),
        (user, extra) => user.or(extra),
    }
}

/// The output rules: the agent's format, then a different task format (root agent only).
fn output(agent: &Agent, task: Option<&Task>, is_member: bool) -> OutputSpec {
    let mut spec = OutputSpec::default();
    if agent.output_format == OutputFormat::Voice {
        spec.json_mode = Some(false);
        spec.markdown = Some(false);
        return spec;
    }
    if agent.output_format == OutputFormat::Json {
        spec.json_mode = Some(true);
        spec.schema = agent.output_schema.clone().map(Value::Object);
    } else if agent.output_format == OutputFormat::Markdown {
        spec.markdown = Some(true);
    }
    if is_member {
        return spec;
    }
    if let Some(task) = task
        && task.output_format.as_ref() != Some(&agent.output_format)
    {
        match task.output_format {
            Some(OutputFormat::Json) => {
                spec.json_mode = Some(true);
                spec.markdown = Some(false);
                spec.schema = task.output_schema.clone();
            }
            Some(OutputFormat::Markdown) => spec.markdown = Some(true),
            // Text, voice, another value, or no format at all turn markdown off.
            _ => spec.markdown = Some(false),
        }
    }
    spec
}

fn session(agent: &Agent, task: Option<&Task>, db: Option<DbSpec>) -> Option<SessionSpec> {
    let settings = &agent.agno_settings;
    settings.session_storage.then(|| SessionSpec {
        session_id: task.map(|t| {
            t.conversation_id
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| t.id.clone())
        }),
        user_id: task.and_then(|t| t.input.user.as_ref()?.id.clone()),
        summaries: settings.session_summaries,
        num_history_runs: settings.num_history_runs,
        // 0 means unset.
        max_tool_calls_from_history: settings.max_tool_calls_from_history.filter(|n| *n >= 1),
        db,
    })
}

fn guardrails(agent: &Agent, model: Option<&super::args::ModelSpec>) -> Vec<Guardrail> {
    let settings = &agent.agno_settings;
    let mut guardrails = Vec::new();
    if settings.pii_detection_enabled {
        guardrails.push(Guardrail::PiiDetection {
            mask: settings.pii_detection_mask,
        });
    }
    if settings.prompt_injection_detection_enabled {
        guardrails.push(Guardrail::PromptInjection);
    }
    if settings.openai_moderation_enabled {
        guardrails.push(Guardrail::OpenAiModeration {
            api_key: model
                .filter(|m| m.provider == LlmProvider::OpenAi)
                .and_then(|m| m.api_key.clone()),
            categories: settings
                .openai_moderation_categories
                .clone()
                .filter(|c| !c.is_empty()),
        });
    }
    guardrails
}

/// The task's limit (root agent only), else the agent's, else `XPANDER_TOOL_CALL_LIMIT`
/// (800); 0 counts as unset.
fn tool_call_limit(env: &Env, agent: &Agent, task: Option<&Task>, is_member: bool) -> i64 {
    let from_task = if is_member {
        None
    } else {
        task.and_then(|t| t.tool_call_limit)
    };
    from_task
        .filter(|n| *n != 0)
        .or(agent.agno_settings.tool_call_limit.filter(|n| *n != 0))
        .unwrap_or_else(|| env.int("XPANDER_TOOL_CALL_LIMIT", DEFAULT_TOOL_CALL_LIMIT))
}

/// The task's current plan: the platform's copy (the gateway may have seeded it after
/// dispatch), else the task's own.
async fn plan(platform: Option<&Configuration>, task: &Task) -> PlanSpec {
    let fresh = match platform.filter(|_| !task.id.is_empty()) {
        Some(platform) => match Tasks::new(platform.clone()).aget(&task.id).await {
            Ok(fresh) if !fresh.deep_planning.tasks.is_empty() => Some(fresh.deep_planning),
            Ok(_) => None,
            Err(e) => {
                warn!(task_id = %task.id, error = %e, "could not refresh the task's plan; using the local copy");
                None
            }
        },
        None => None,
    };
    let plan = fresh.unwrap_or_else(|| task.deep_planning.clone());
    let plan_block = if plan.tasks.is_empty() {
        "No execution plan yet: create one with xpcreate_agent_plan.".to_owned()
    } else {
        let items: Vec<Value> = plan
            .tasks
            .iter()
            .map(|t| serde_json::json!({"id": t.id, "title": t.title}))
            .collect();
        format!(
            "{PLAN_LABEL} (read live completion status via xpget_agent_plan): {}",
            crate::pyjson::dumps(&items)
        )
    };
    PlanSpec {
        plan_block,
        expected_output_suffix: PLAN_EXPECTED_OUTPUT.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;
    use crate::backend::frameworks::FrameworkAdapter;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Every log line of a build (at TRACE), its args' Debug and its error: no secret in any.
    #[test]
    fn secrets_stay_out_of_logs_debug_and_errors() {
        let agent: Agent = serde_json::from_value(json!({
            "id": "a", "organization_id": "o", "name": "n", "unique_name": "n", "framework": "agno",
            "model_provider": "openai", "model_name": "gpt-4.1",
            "llm_credentials": {"name": "k", "value": "sk-secret-credential"},
            "llm_extra_headers": {"x-key": "secret-header-value"},
            "graph": [
                {"id": "g1", "item_id": "m1", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                    "name": "Given", "url": "https://given.example/mcp", "auth_type": "oauth2"}}},
                {"id": "g2", "item_id": "m2", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                    "name": "Keyed", "url": "https://keyed.example/mcp", "auth_type": "api_key",
                    "api_key": "secret-mcp-key", "client_secret": "secret-client"}}},
                {"id": "g3", "item_id": "m3", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                    "name": "Login", "url": "https://login.example/mcp", "auth_type": "oauth2"}}},
            ],
        }))
        .unwrap();
        let mut task = Task::from_prompt("hi");
        task.input.user = Some(crate::model::User::new("u@x.io").with_id("u1"));
        task.user_tokens =
            Some(serde_json::from_value(json!({"g1": "secret-user-token"})).unwrap());
        let env = Env::from_fn(|n| (n == "OPENAI_API_KEY").then(|| "sk-secret-env".to_owned()));
        let local = LocalAgents::None;
        let overrides = Map::new();
        let ctx = BuildContext::new(None, &env, &local, &overrides);
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (failed, built) = tracing::subscriber::with_default(subscriber, || {
            let failed = runtime.block_on(build(&ctx, &agent, Some(&task), false));
            let mut no_login = agent.clone();
            no_login.graph.truncate(2);
            let built = runtime.block_on(build(&ctx, &no_login, Some(&task), false));
            (failed, built)
        });
        let error = failed.unwrap_err();
        assert!(
            matches!(error, BackendError::McpAuthUnavailable { .. }),
            "{error}"
        );
        let args = built.unwrap();
        let rendered = serde_json::Value::Object(
            crate::backend::frameworks::AgnoAdapter.render(&args, crate::backend::Secrets::Redact),
        );
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("agent args resolved"), "{logs}");
        let shown = format!("{logs}\n{error}\n{error:?}\n{args:?}\n{rendered}");
        for secret in [
            "sk-secret-credential",
            "secret-header-value",
            "secret-user-token",
            "secret-mcp-key",
            "secret-client",
            "sk-secret-env",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked:\n{shown}");
        }
        let revealed =
            crate::backend::frameworks::AgnoAdapter.render(&args, crate::backend::Secrets::Reveal);
        let revealed = serde_json::Value::Object(revealed).to_string();
        assert!(
            revealed.contains("Bearer secret-user-token")
                && revealed.contains("Bearer secret-mcp-key")
        );
    }
}
