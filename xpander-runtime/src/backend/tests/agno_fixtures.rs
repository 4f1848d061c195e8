//! The Agno rendering of the fixture agents (`tests/fixtures/agents`), resolved offline: key
//! for key what the Python SDK's `build_agent_args` (2.0.537) returns.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::backend::agent_file::LocalAgents;
use crate::backend::env::Env;
use crate::backend::frameworks::{AgnoAdapter, FrameworkAdapter, RenderOptions, Secrets};
use crate::backend::resolve::{ResolveContext, dispatch_get_args, resolve};
use crate::model::{Agent, DeepPlanningItem, OutputFormat, Task, User};

const OPENAI: &str = include_str!("../../../../tests/fixtures/agents/openai.json");
const ANTHROPIC: &str = include_str!("../../../../tests/fixtures/agents/anthropic_headers.json");
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

/// Resolves offline (no platform) and renders with secrets shown.
fn render(fixture: &str, task: Option<&Task>, overrides: Value) -> Map<String, Value> {
    let all = agents(fixture);
    let local = LocalAgents::Given(Arc::new(all.clone()));
    let env = env();
    let overrides = overrides.as_object().cloned().unwrap_or_default();
    let ctx = ResolveContext::new(None, &env, &local, &overrides);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let args = runtime
        .block_on(resolve(&ctx, &all[0], task, false))
        .unwrap();
    AgnoAdapter.render(&args, RenderOptions::new(Secrets::Reveal))
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
            runtime.block_on(dispatch_get_args(&all[0], None)).unwrap()
        },
        RenderOptions::new(Secrets::Redact),
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
    task.output_schema = Some(json!({"type": "object", "properties": {"n": {"type": "integer"}}}));
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
