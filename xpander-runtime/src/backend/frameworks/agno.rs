//! The Agno adapter: [`AgentArgs`] as the keyword arguments of Agno's `Agent`/`Team`, key for
//! key what the Python SDK's `build_agent_args` (2.0.537) returns.
//!
//! Values Python holds as objects (the model, tools, guardrails, the database, members) are
//! described as JSON objects with a `"class"` naming the Agno class and its constructor
//! arguments as fields. Three Python keys have no counterpart here: `compression_manager` and
//! `tool_hooks` belong to the Python runtime's harness (context optimizer, tool middleware),
//! and `_xpander_hidden_mcp_toolkits` is private to it (Agno itself rejects it). The prose
//! blocks Python appends to `instructions` are not part of the args.

use serde_json::{Map, Value, json};

use super::{FrameworkAdapter, apply_overrides};
use crate::backend::args::{AgentArgs, Guardrail, McpConnection, ModelSpec, Secrets, ToolSpec};
use crate::backend::llm::LlmProvider;
use crate::backend::llm::families::is_reasoning_family;

/// Renders args as Agno `Agent` (or `Team`) keyword arguments.
///
/// ```
/// use xpander_runtime::backend::dispatch_get_args;
/// use xpander_runtime::backend::frameworks::{AgnoAdapter, FrameworkAdapter};
/// use xpander_runtime::backend::Secrets;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let agent = serde_json::from_value(serde_json::json!({
///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
///     "framework": "agno", "model_provider": "anthropic", "model_name": "claude-sonnet-4-5",
///     "llm_extra_headers": {"x-team": "support"},
/// })).unwrap();
/// let args = dispatch_get_args(&agent, None).await.unwrap();
/// let kwargs = AgnoAdapter.render(&args, Secrets::Redact);
/// assert_eq!(kwargs["model"]["class"], "Claude");
/// assert_eq!(kwargs["model"]["default_headers"]["x-team"], "[REDACTED]");
/// assert_eq!(kwargs["store_events"], true);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AgnoAdapter;

impl FrameworkAdapter for AgnoAdapter {
    fn name(&self) -> &str {
        "agno"
    }

    fn render(&self, args: &AgentArgs, secrets: Secrets) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("id".into(), json!(args.id));
        out.insert("store_events".into(), json!(true));
        out.insert("telemetry".into(), json!(false));
        output(&mut out, args);
        session(&mut out, args, secrets);
        if args.learning {
            out.insert("learning".into(), json!(true));
        }
        if let Some(context) = &args.additional_context {
            out.insert("additional_context".into(), json!(context));
        }
        if let Some(knowledge) = &args.knowledge {
            out.insert(
                "knowledge_retriever".into(),
                json!({
                    "class": "KnowledgeRetriever",
                    "knowledge_bases": knowledge.knowledge_base_ids,
                    "num_documents": knowledge.num_documents,
                }),
            );
            out.insert("search_knowledge".into(), json!(true));
        }
        out.insert("tool_call_limit".into(), json!(args.tool_call_limit));
        if !args.guardrails.is_empty() {
            let hooks: Vec<Value> = args
                .guardrails
                .iter()
                .map(|g| guardrail(g, secrets))
                .collect();
            out.insert("pre_hooks".into(), Value::Array(hooks));
        }
        let tools: Vec<Value> = args.tools.iter().map(|t| tool(t, secrets)).collect();
        out.insert("tools".into(), Value::Array(tools));
        if let Some(team) = &args.team {
            let members: Vec<Value> = team
                .members
                .iter()
                .map(|member| {
                    json!({
                        "class": if member.is_team() { "Team" } else { "Agent" },
                        "args": self.render(member, secrets),
                    })
                })
                .collect();
            out.insert("members".into(), Value::Array(members));
            out.insert("add_member_tools_to_context".into(), json!(true));
            out.insert("share_member_interactions".into(), json!(true));
            out.insert("show_members_responses".into(), json!(true));
        }
        out.insert("name".into(), json!(args.name));
        out.insert(
            "model".into(),
            args.model
                .as_ref()
                .map_or(Value::Null, |m| model(m, secrets)),
        );
        out.insert("description".into(), json!(args.description));
        out.insert("instructions".into(), json!(args.instructions));
        out.insert("expected_output".into(), json!(args.expected_output));
        out.insert(
            "add_datetime_to_context".into(),
            json!(args.datetime.enabled),
        );
        out.insert("datetime_format".into(), json!(args.datetime.format));
        out.insert("timezone_identifier".into(), json!(args.datetime.timezone));

        apply_overrides(&mut out, &args.overrides);
        // Reasoning families reject a temperature, an overriding model's too.
        if let Some(Value::Object(model)) = out.get_mut("model")
            && model
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(is_reasoning_family)
        {
            model.remove("temperature");
        }
        out
    }
}

fn output(out: &mut Map<String, Value>, args: &AgentArgs) {
    let spec = &args.output;
    if let Some(json_mode) = spec.json_mode {
        out.insert("use_json_mode".into(), json!(json_mode));
        if json_mode {
            out.insert(
                "output_schema".into(),
                spec.schema.as_ref().map_or(
                    Value::Null,
                    |schema| json!({"class": "StructuredOutput", "schema": schema}),
                ),
            );
        }
    }
    if let Some(markdown) = spec.markdown {
        out.insert("markdown".into(), json!(markdown));
    }
}

fn session(out: &mut Map<String, Value>, args: &AgentArgs, secrets: Secrets) {
    let Some(session) = &args.session else { return };
    out.insert("add_history_to_context".into(), json!(true));
    out.insert("session_id".into(), json!(session.session_id));
    out.insert("user_id".into(), json!(session.user_id));
    if session.summaries {
        out.insert("enable_session_summaries".into(), json!(true));
    }
    if let Some(runs) = session.num_history_runs {
        out.insert("num_history_runs".into(), json!(runs));
    }
    if let Some(max) = session.max_tool_calls_from_history {
        out.insert("max_tool_calls_from_history".into(), json!(max));
    }
    if let Some(db) = &session.db {
        let driver = if db.blocking {
            "postgresql+psycopg"
        } else {
            "postgresql+psycopg_async"
        };
        let url = crate::Secret::new(db.uri.expose().replace("postgresql", driver));
        out.insert(
            "db".into(),
            json!({
                "class": if db.blocking { "PostgresDb" } else { "AsyncPostgresDb" },
                "db_url": secrets.show(&url),
                "db_schema": db.schema,
            }),
        );
    }
}

/// The Agno model class and its constructor arguments.
fn model(spec: &ModelSpec, secrets: Secrets) -> Value {
    let mut m = Map::new();
    let class = match spec.provider {
        LlmProvider::OpenAi if spec.responses_api => "OpenAIResponses",
        LlmProvider::OpenAi => "OpenAIChat",
        LlmProvider::Nebius => "Nebius",
        LlmProvider::OpenRouter => "OpenRouter",
        LlmProvider::GoogleAiStudio => "Gemini",
        LlmProvider::Fireworks => "Fireworks",
        LlmProvider::Nim => "Nvidia",
        LlmProvider::AmazonBedrock => "AwsBedrock",
        LlmProvider::Anthropic => "Claude",
        LlmProvider::AzureAiFoundry => "AzureAIFoundry",
        _ => "OpenAILike",
    };
    m.insert("class".into(), json!(class));
    m.insert("provider".into(), json!(spec.provider));
    m.insert("id".into(), json!(spec.model_id));
    let key = spec
        .api_key
        .as_ref()
        .map_or(Value::Null, |k| secrets.show(k));
    let timeout = seconds(spec.request_timeout);
    match spec.provider {
        LlmProvider::AzureAiFoundry => {
            m.insert("azure_endpoint".into(), json!(spec.base_url));
            m.insert("api_key".into(), key);
        }
        LlmProvider::AmazonBedrock => {
            if let Some(token) = spec.api_key.as_ref().filter(|k| !k.is_empty()) {
                m.insert("aws_bearer_token".into(), secrets.show(token));
            }
            if let Some(region) = &spec.aws_region {
                m.insert("aws_region".into(), json!(region));
            }
            m.insert("endpoint_url".into(), json!(spec.base_url));
        }
        LlmProvider::GoogleAiStudio => {
            m.insert("api_key".into(), key);
            m.insert("timeout".into(), timeout.clone());
            if let Some(base) = &spec.base_url {
                let millis = (spec.request_timeout.as_secs_f64() * 1000.0) as u64;
                m.insert(
                    "client_params".into(),
                    json!({"http_options": {"base_url": base, "timeout": millis}}),
                );
            }
        }
        LlmProvider::Anthropic => {
            m.insert("api_key".into(), key);
            m.insert(
                "cache_system_prompt".into(),
                json!(spec.cache_system_prompt),
            );
            let mut client = Map::new();
            client.insert("timeout".into(), timeout.clone());
            if let Some(base) = &spec.base_url {
                client.insert("base_url".into(), json!(base));
            }
            m.insert("client_params".into(), Value::Object(client));
            m.insert("default_headers".into(), secrets.headers(&spec.headers));
        }
        _ => {
            m.insert("api_key".into(), key);
            if let Some(user) = &spec.user {
                m.insert("user".into(), json!(user));
            }
            m.insert("client_params".into(), json!({"timeout": timeout}));
            m.insert("extra_headers".into(), secrets.headers(&spec.headers));
            if let Some(base) = &spec.base_url {
                m.insert("base_url".into(), json!(base));
            }
            if let Some(key) = &spec.prompt_cache_key {
                m.insert("extra_body".into(), json!({"prompt_cache_key": key}));
            }
        }
    }
    m.insert("retries".into(), json!(spec.retries));
    m.insert(
        "exponential_backoff".into(),
        json!(spec.exponential_backoff),
    );
    if let Some(temperature) = spec.temperature {
        m.insert("temperature".into(), json!(temperature));
    }
    if let Some(effort) = &spec.reasoning_effort {
        m.insert("reasoning_effort".into(), json!(effort.as_str()));
    }
    if let Some(max) = spec.max_tokens {
        m.insert("max_tokens".into(), json!(max));
    }
    Value::Object(m)
}

/// Whole seconds as an integer, as Python's `12 * 60 * 60` is.
fn seconds(duration: std::time::Duration) -> Value {
    if duration.subsec_nanos() == 0 {
        json!(duration.as_secs())
    } else {
        json!(duration.as_secs_f64())
    }
}

fn tool(spec: &ToolSpec, secrets: Secrets) -> Value {
    match spec {
        ToolSpec::Platform(tool) => json!({
            "class": "Function",
            "name": tool.id,
            "description": tool.description,
            "parameters": tool.parameters,
        }),
        ToolSpec::Mcp(mcp) => {
            let (transport, params) = match &mcp.connection {
                McpConnection::Stdio { command, args, env } => (
                    "stdio",
                    json!({"command": command, "args": args, "env": secrets.headers(env)}),
                ),
                McpConnection::Http {
                    url,
                    sse,
                    headers,
                    timeout,
                } => (
                    if *sse { "sse" } else { "streamable-http" },
                    json!({
                        "url": url,
                        "headers": secrets.headers(headers),
                        "timeout": seconds(*timeout),
                        "sse_read_timeout": seconds(*timeout),
                    }),
                ),
            };
            json!({
                "class": "MCPTools",
                "name": mcp.name,
                "transport": transport,
                "server_params": params,
                "include_tools": if mcp.allowed_tools.is_empty() { Value::Null } else { json!(mcp.allowed_tools) },
                "timeout_seconds": seconds(mcp.call_timeout),
                "tool_name_prefix": mcp.tool_name_prefix,
            })
        }
        ToolSpec::Reasoning => json!({
            "class": "ReasoningTools",
            "enable_think": true,
            "enable_analyze": true,
            "add_instructions": true,
            "add_few_shot": true,
        }),
        ToolSpec::Custom(custom) => json!({
            "class": "Function",
            "name": custom.name,
            "description": custom.description,
            "parameters": custom.parameters,
        }),
    }
}

fn guardrail(guardrail: &Guardrail, secrets: Secrets) -> Value {
    match guardrail {
        Guardrail::PiiDetection { mask } => {
            json!({"class": "PIIDetectionGuardrail", "mask_pii": mask})
        }
        Guardrail::PromptInjection => json!({"class": "PromptInjectionGuardrail"}),
        Guardrail::OpenAiModeration {
            api_key,
            categories,
        } => {
            let mut g = Map::new();
            g.insert("class".into(), json!("OpenAIModerationGuardrail"));
            if let Some(key) = api_key {
                g.insert("api_key".into(), secrets.show(key));
            }
            if let Some(categories) = categories {
                g.insert("raise_for_categories".into(), json!(categories));
            }
            Value::Object(g)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Map, Value, json};

    use super::*;
    use crate::backend::agent_file::LocalAgents;
    use crate::backend::build::{BuildContext, build};
    use crate::backend::env::Env;
    use crate::model::{Agent, DeepPlanningItem, OutputFormat, Task, User};

    const OPENAI: &str = include_str!("../../../../tests/fixtures/agents/openai.json");
    const ANTHROPIC: &str =
        include_str!("../../../../tests/fixtures/agents/anthropic_headers.json");
    const JSON_OUTPUT: &str = include_str!("../../../../tests/fixtures/agents/json_output.json");
    const TEAM: &str = include_str!("../../../../tests/fixtures/agents/team.json");

    fn agents(text: &str) -> Vec<Agent> {
        match serde_json::from_str::<Value>(text).unwrap() {
            Value::Array(items) => items
                .into_iter()
                .map(|a| serde_json::from_value(a).unwrap())
                .collect(),
            one => vec![serde_json::from_value(one).unwrap()],
        }
    }

    fn env() -> Env {
        Env::from_fn(|name| match name {
            "OPENAI_API_KEY" => Some("sk-openai".into()),
            "ANTHROPIC_API_KEY" => Some("sk-anthropic".into()),
            _ => None,
        })
    }

    /// Builds offline (no platform) and renders with secrets shown.
    fn render(fixture: &str, task: Option<&Task>, overrides: Value) -> Map<String, Value> {
        let all = agents(fixture);
        let local = LocalAgents::Given(Arc::new(all.clone()));
        let env = env();
        let overrides = overrides.as_object().cloned().unwrap_or_default();
        let ctx = BuildContext::new(None, &env, &local, &overrides);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let args = runtime.block_on(build(&ctx, &all[0], task, false)).unwrap();
        AgnoAdapter.render(&args, Secrets::Reveal)
    }

    fn task() -> Task {
        let mut task = Task::from_prompt("hello");
        task.id = "task-1".into();
        task.input.user = Some(User {
            first_name: Some("Ada".into()),
            ..User::new("ada@example.com").with_id("user-1")
        });
        task.additional_context = Some("Be brief.".into());
        task
    }

    fn keys(map: &Map<String, Value>) -> Vec<&str> {
        map.keys().map(String::as_str).collect()
    }

    #[test]
    fn openai_fixture() {
        let out = render(OPENAI, Some(&task()), json!(null));
        assert_eq!(
            keys(&out),
            [
                "id",
                "store_events",
                "telemetry",
                "markdown",
                "add_history_to_context",
                "session_id",
                "user_id",
                "enable_session_summaries",
                "num_history_runs",
                "max_tool_calls_from_history",
                "learning",
                "additional_context",
                "knowledge_retriever",
                "search_knowledge",
                "tool_call_limit",
                "pre_hooks",
                "tools",
                "name",
                "model",
                "description",
                "instructions",
                "expected_output",
                "add_datetime_to_context",
                "datetime_format",
                "timezone_identifier",
            ]
        );
        assert_eq!(
            out["markdown"], false,
            "a task without a format turns the agent's markdown off"
        );
        assert_eq!(
            (out["session_id"].as_str(), out["user_id"].as_str()),
            (Some("task-1"), Some("user-1"))
        );
        assert_eq!(
            (
                out["num_history_runs"].as_i64(),
                out["max_tool_calls_from_history"].as_i64()
            ),
            (Some(7), Some(3))
        );
        assert_eq!(
            out["additional_context"],
            "User details: {\"id\":\"user-1\",\"first_name\":\"Ada\",\"last_name\":null,\"email\":\"ada@example.com\",\"additional_attributes\":null,\"timezone\":null}\nBe brief."
        );
        assert_eq!(out["tool_call_limit"], 800);
        assert_eq!(
            out["pre_hooks"],
            json!([{"class": "PIIDetectionGuardrail", "mask_pii": false},
                   {"class": "OpenAIModerationGuardrail", "api_key": "sk-openai", "raise_for_categories": ["violence"]}])
        );
        let tools: Vec<&str> = out["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["class"].as_str().unwrap())
            .collect();
        assert_eq!(
            tools,
            ["Function", "ReasoningTools"],
            "gpt-4.1 is a small model"
        );
        assert_eq!(
            out["model"],
            json!({"class": "OpenAIChat", "provider": "openai", "id": "gpt-4.1", "api_key": "sk-openai",
                   "user": "local-org", "client_params": {"timeout": 43200},
                   "extra_headers": {"x-agent-header": "agent-value", "x-shared": "from-agent"},
                   "extra_body": {"prompt_cache_key": "local-org:fixture-openai"},
                   "retries": 3, "exponential_backoff": true, "temperature": 0.0})
        );
        assert_eq!(
            out["instructions"],
            "\n        <instructions>\n            ['Be concise', 'It\\'s fine to say \"I don\\'t know\"', \
             'Paths look like C:\\\\temp', 'Line one\\nline two\\ttabbed', 'Café ✓ 日本', 'nb\\xa0space']\n        \
             </instructions>\n        <goals>\n            Answer accurately\nCite your sources\n        </goals>\n        "
        );
        assert_eq!(out["description"], "Finds and summarises research.");
        assert_eq!(out["expected_output"], "A short summary");
    }

    #[test]
    fn anthropic_fixture_with_custom_headers() {
        let mut task = task();
        task.output_format = Some(OutputFormat::Markdown);
        let out = render(ANTHROPIC, Some(&task), json!(null));
        assert_eq!(out["markdown"], true);
        assert!(out.get("use_json_mode").is_none());
        assert!(out.get("session_id").is_none(), "session storage is off");
        assert_eq!(out["tool_call_limit"], 12);
        assert_eq!(
            out["pre_hooks"],
            json!([{"class": "PromptInjectionGuardrail"}])
        );
        assert_eq!(out["tools"], json!([]), "Claude gets no reasoning tools");
        assert_eq!(
            out["description"], "Answers support tickets.",
            "description wins over general"
        );
        assert_eq!(
            out["model"],
            json!({"class": "Claude", "provider": "anthropic", "id": "claude-sonnet-4-5", "api_key": "sk-anthropic",
                   "cache_system_prompt": true, "client_params": {"timeout": 43200},
                   "default_headers": {"Authorization": "Bearer anthropic-proxy-token", "User-Agent": "local-org",
                                       "anthropic-beta": "tools-2025", "x-custom": "c1"},
                   "retries": 3, "exponential_backoff": true, "temperature": 0.0, "max_tokens": 32000})
        );
        let redacted = AgnoAdapter.render(
            &{
                let all = agents(ANTHROPIC);
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                runtime
                    .block_on(crate::backend::dispatch_get_args(&all[0], None))
                    .unwrap()
            },
            Secrets::Redact,
        );
        assert_eq!(
            redacted["model"]["default_headers"]["Authorization"],
            "[REDACTED]"
        );
    }

    #[test]
    fn json_output_fixture() {
        let mut task = task();
        task.output_format = Some(OutputFormat::Text);
        let out = render(JSON_OUTPUT, Some(&task), json!(null));
        // A text task keeps the agent's JSON mode and schema, and turns markdown off.
        assert_eq!(
            (out["use_json_mode"].as_bool(), out["markdown"].as_bool()),
            (Some(true), Some(false))
        );
        assert_eq!(out["output_schema"]["class"], "StructuredOutput");
        assert_eq!(
            out["output_schema"]["schema"]["required"],
            json!(["answer"])
        );
        assert_eq!(
            out["instructions"],
            "\n        <goals>\n            Extract the answer\n        </goals>\n        "
        );
        assert_eq!(out["description"], "");
        let model = &out["model"];
        assert_eq!(model["class"], "OpenAIResponses", "gpt-5 at high effort");
        assert_eq!(model["reasoning_effort"], "high");
        assert!(model.get("temperature").is_none());
        assert_eq!(out["tools"], json!([]), "gpt-5 reasons natively");

        // The task's own JSON format brings its schema.
        task.output_format = Some(OutputFormat::Json);
        task.output_schema =
            Some(json!({"type": "object", "properties": {"n": {"type": "integer"}}}));
        let out = render(OPENAI, Some(&task), json!(null));
        assert_eq!(out["use_json_mode"], true);
        assert_eq!(out["markdown"], false);
        assert_eq!(
            out["output_schema"]["schema"]["properties"]["n"]["type"],
            "integer"
        );
    }

    #[test]
    fn team_fixture() {
        let mut task = task();
        task.tool_call_limit = Some(40);
        task.output_format = Some(OutputFormat::Text);
        let out = render(TEAM, Some(&task), json!(null));
        assert_eq!(
            out["tool_call_limit"], 40,
            "the task's limit holds for the leader"
        );
        assert_eq!(
            out["tools"],
            json!([]),
            "a team leader gets no reasoning tools"
        );
        for key in [
            "add_member_tools_to_context",
            "share_member_interactions",
            "show_members_responses",
        ] {
            assert_eq!(out[key], true, "{key}");
        }
        assert!(out["instructions"].as_str().unwrap().ends_with(
            "\n        </goals>\n        \n\n            <expected_output>\n            A joint report\n            </expected_output>\n        "
        ));
        let members = out["members"].as_array().unwrap();
        assert_eq!(members.len(), 2);
        let a = &members[0]["args"];
        assert_eq!(members[0]["class"], "Agent");
        assert_eq!(a["model"], out["model"], "members share the leader's model");
        assert_eq!(a["tool_call_limit"], 25, "members keep their own limit");
        assert_eq!(
            a["use_json_mode"], true,
            "a member keeps its own format, not the task's"
        );
        assert!(a.get("markdown").is_none());
        assert_eq!(
            a["tools"][0]["class"], "ReasoningTools",
            "decided by the member's own model"
        );
        assert_eq!(a["additional_context"], out["additional_context"]);
        let b = &members[1]["args"];
        assert_eq!(b["markdown"], true);
        assert_eq!(b["tools"], json!([]), "Claude is not a small model");
    }

    #[test]
    fn voice_and_no_task() {
        let mut agent: Value = serde_json::from_str(ANTHROPIC).unwrap();
        agent["output_format"] = json!("voice");
        let out = render(&agent.to_string(), None, json!(null));
        assert_eq!(
            (out["use_json_mode"].as_bool(), out["markdown"].as_bool()),
            (Some(false), Some(false))
        );
        assert!(out.get("additional_context").is_none());
        assert_eq!(
            out["instructions"],
            "\n        <instructions>\n            ['Stay polite']\n        </instructions>\n        "
        );
    }

    #[test]
    fn overrides_win_and_the_plan_still_applies() {
        let mut task = task();
        task.deep_planning.enabled = true;
        task.deep_planning.tasks = vec![DeepPlanningItem {
            id: "p1".into(),
            title: "Search".into(),
            completed: false,
        }];
        let out = render(
            OPENAI,
            Some(&task),
            json!({"expected_output": "Custom", "temperature": 0.7, "model": {"id": "gpt-5-mini", "temperature": 1}}),
        );
        assert_eq!(
            out["expected_output"],
            "Custom\nAll planned tasks completed and marked as done."
        );
        assert_eq!(out["temperature"], 0.7);
        assert_eq!(
            out["model"],
            json!({"id": "gpt-5-mini"}),
            "a reasoning model takes no temperature"
        );
        let context = out["additional_context"].as_str().unwrap();
        assert!(
            context.starts_with(
                "Execution plan steps (read live completion status via xpget_agent_plan): [{\"id\": \"p1\", \"title\": \"Search\"}]\nUser details: "
            ),
            "{context}"
        );
        let tools: Vec<&str> = out["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["class"].as_str().unwrap())
            .collect();
        assert_eq!(
            tools,
            ["Function"],
            "the override's model (gpt-5) decides: no reasoning tools"
        );
    }

    #[test]
    fn instructions_override_replaces_the_agents() {
        let mut task = task();
        task.instructions_override = Some("Only answer in French.".into());
        task.expected_output = Some("French text".into());
        let out = render(OPENAI, Some(&task), json!(null));
        assert_eq!(out["instructions"], "Only answer in French.");
        assert_eq!(out["expected_output"], "French text");
    }
}
