//! The Agno adapter: [`AgentArgs`] as the keyword arguments of Agno's `Agent`/`Team`, key for
//! key what the Python SDK's `build_agent_args` (2.0.537) returns.
//!
//! Values Python holds as objects (the model, tools, guardrails, the database, members) are
//! described as JSON objects with a `"class"` naming the Agno class and its constructor
//! arguments as fields. Three Python keys have no counterpart here: `compression_manager` and
//! `tool_hooks` belong to the Python runtime's harness (context optimizer, tool middleware),
//! and `_xpander_hidden_mcp_toolkits` is private to it (Agno itself rejects it). The prose
//! blocks Python appends to `instructions` are not part of the args.

mod duration;
mod llm;
mod tools;

use serde_json::{Map, Value, json};

use super::adapter::{FrameworkAdapter, apply_overrides};
use super::options::RenderOptions;
use crate::backend::args::AgentArgs;
use crate::backend::llm::families::is_reasoning_family;
use llm::model;
use tools::{guardrail, tool};

/// Renders args as Agno `Agent` (or `Team`) keyword arguments.
///
/// ```
/// use xpander_runtime::backend::dispatch_get_args;
/// use xpander_runtime::backend::frameworks::{AgnoAdapter, FrameworkAdapter};
/// use xpander_runtime::backend::{RenderOptions, Secrets};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let agent = serde_json::from_value(serde_json::json!({
///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
///     "framework": "agno", "model_provider": "anthropic", "model_name": "claude-sonnet-4-5",
///     "llm_extra_headers": {"x-team": "support"},
/// })).unwrap();
/// let args = dispatch_get_args(&agent, None).await.unwrap();
/// let kwargs = AgnoAdapter.render(&args, RenderOptions::new(Secrets::Redact));
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

    fn render(&self, args: &AgentArgs, options: RenderOptions) -> Map<String, Value> {
        let secrets = options.secrets;
        let mut out = Map::new();
        out.insert("id".into(), json!(args.id));
        out.insert("store_events".into(), json!(true));
        out.insert("telemetry".into(), json!(false));
        output(&mut out, args);
        session(&mut out, args, options);
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
                        "args": self.render(member, options),
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

fn session(out: &mut Map<String, Value>, args: &AgentArgs, options: RenderOptions) {
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
        let driver = if options.blocking {
            "postgresql+psycopg"
        } else {
            "postgresql+psycopg_async"
        };
        let url = crate::Secret::new(db.uri.expose().replace("postgresql", driver));
        out.insert(
            "db".into(),
            json!({
                "class": if options.blocking { "PostgresDb" } else { "AsyncPostgresDb" },
                "db_url": options.secrets.show(&url),
                "db_schema": db.schema,
            }),
        );
    }
}
