//! The agent engine (`Backend::aget_agent`, feature `agent`) against the devserver's scripted
//! LLM and a real rmcp MCP server, over loopback: tool calls on the platform and over MCP, the
//! pushed tool-call events, tokens and metrics, the output format, OAuth logins, and provider
//! errors.

mod common;
mod mcp_server;
mod parity;
#[path = "../support/mod.rs"]
mod support;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, LlmTurn};
use xpander_runtime::backend::BackendError;
use xpander_runtime::model::{AgentExecutionStatus, CreateTaskRequest, OutputFormat};
use xpander_runtime::{Backend, Task};

use common::{LIMIT, LLM_KEY, agent, config, run_task, serve, start};
use mcp_server::McpServer;

#[tokio::test]
async fn a_task_calls_a_platform_tool_then_an_mcp_tool_then_answers() {
    let mcp = McpServer::start().await;
    let ds = start(vec![]).await;
    let settings = json!({"name": "Local tools", "type": "remote", "url": mcp.url,
                          "transport": "streamable-http", "auth_type": "none"});
    ds.upsert_agent(agent(&ds, "weather", Some(settings)))
        .await
        .unwrap();
    let script = vec![
        LlmTurn::call("weather_lookup", json!({"body_params": {"city": "Oslo"}}))
            .usage(100, 10, 40),
        LlmTurn::call("mcp_tool_add", json!({"a": 2, "b": 3})).usage(150, 12, 0),
        LlmTurn::answer("Sunny in Oslo, and 2 + 3 = 5.").usage(200, 20, 0),
    ];
    ds.set_llm_script(Some("weather"), script).await.unwrap();
    let worker = serve(&ds, "weather");
    let done = run_task(
        &ds,
        "weather",
        CreateTaskRequest::new("Weather in Oslo? And 2+3?"),
    )
    .await;
    worker.stop().await.unwrap();

    assert_eq!(
        done.status,
        AgentExecutionStatus::Completed,
        "{:?}",
        done.result
    );
    assert_eq!(
        done.result.as_deref(),
        Some("Sunny in Oslo, and 2 + 3 = 5.")
    );
    let info = ds.task_info(&done.id).await.unwrap();
    // The platform tool was invoked for the task, with a tool call id.
    assert_eq!(info.tool_calls.len(), 1, "{:?}", info.tool_calls);
    assert_eq!(info.tool_calls[0]["tool_id"], "weather_lookup");
    assert_eq!(info.tool_calls[0]["payload"]["body_params"]["city"], "Oslo");
    assert!(info.tool_calls[0]["tool_call_id"].is_string());
    // The MCP server was called.
    assert_eq!(mcp.authorizations().len(), 1);
    // Each call was pushed as a request, then its result, in order.
    let kinds: Vec<(String, String)> = info
        .events
        .iter()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("tool_call"))
        })
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["data"]["operation_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("tool_call_request", "weather_lookup"),
        ("tool_call_result", "weather_lookup"),
        ("tool_call_request", "mcp_tool_add"),
        ("tool_call_result", "mcp_tool_add"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(kinds, expected);
    let mcp_result = info
        .events
        .iter()
        .rev()
        .find(|e| e["type"] == "tool_call_result")
        .unwrap();
    assert_eq!(mcp_result["data"]["result"], 5);
    // Tokens (summed over the three calls), tools used and the model reach the metrics.
    let tokens = done.tokens.expect("tokens are saved");
    assert_eq!(
        (
            tokens.prompt_tokens,
            tokens.completion_tokens,
            tokens.cache_read_tokens
        ),
        (450, 42, 40)
    );
    assert_eq!(done.used_tools, ["weather_lookup", "mcp_tool_add"]);
    assert_eq!(info.metrics.len(), 1, "{:?}", info.metrics);
    assert_eq!(info.metrics[0]["ai_model"], "gpt-4.1");
    // What the model was sent: the model, the agent's system prompt, the tools, the headers.
    let requests = ds.llm_requests().await;
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.model.as_deref(), Some("gpt-4.1"));
    let system = first.system.as_deref().unwrap_or_default();
    assert!(system.starts_with("A weather helper\n"), "{system}");
    assert!(
        system.contains("<expected_output>\nOne sentence.\n</expected_output>"),
        "{system}"
    );
    let offered: Vec<&str> = first.tools.iter().map(|t| t.name.as_str()).collect();
    // The args add the reasoning tools (as the Python SDK does for this model).
    let expected = [
        "weather_lookup",
        "think",
        "analyze",
        "mcp_tool_add",
        "mcp_tool_private_note",
    ];
    assert_eq!(offered, expected);
    assert_eq!(
        first.headers.get("x-team").map(String::as_str),
        Some("forecasts")
    );
    let auth = first
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    assert!(
        !auth.contains(LLM_KEY),
        "the key is stored redacted: {auth}"
    );
}

#[tokio::test]
async fn the_recorded_system_prompt_is_the_one_the_agent_builds_from_its_args() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "plain", None)).await.unwrap();
    ds.set_llm_script(Some("plain"), vec![LlmTurn::answer("Fine.")])
        .await
        .unwrap();
    let backend = Backend::new(config(&ds));
    let mut task = local_task(&ds).await;
    let agent = backend.aget_agent().for_task(&mut task).await.unwrap();
    let expected = agent.system_prompt();
    assert!(expected.contains(&agent.args().instructions), "{expected}");
    agent.run(&mut task).await.unwrap();
    assert_eq!(task.result.as_deref(), Some("Fine."));
    let recorded = ds.llm_requests().await.remove(0).system.unwrap_or_default();
    assert_eq!(recorded, expected);
}

/// A task on the devserver for agent `plain`, run by nobody but the test.
async fn local_task(ds: &DevServerHandle) -> Task {
    let request = CreateTaskRequest::new("How is it?").run_locally(true);
    let task = ds.create_task("plain", request).await.unwrap();
    task.with_configuration(config(ds))
}

#[tokio::test]
async fn a_json_task_gets_json_checked_against_its_schema() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "plain", None)).await.unwrap();
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"},
                        "celsius": {"type": "integer"}}, "required": ["city", "celsius"]});
    let backend = Backend::new(config(&ds));
    for (answer, ok) in [
        (json!({"city": "Oslo", "celsius": 4}), true),
        (json!({"city": "Oslo", "celsius": "cold"}), false),
    ] {
        ds.set_llm_script(Some("plain"), vec![LlmTurn::answer_json(answer.clone())])
            .await
            .unwrap();
        let mut task = local_task(&ds).await;
        task.output_format = Some(OutputFormat::Json);
        task.output_schema = Some(schema.clone());
        let agent = backend.aget_agent().for_task(&mut task).await.unwrap();
        let outcome = agent.run(&mut task).await;
        if ok {
            outcome.unwrap();
            let saved: Value = serde_json::from_str(task.result.as_deref().unwrap()).unwrap();
            assert_eq!(saved, answer);
        } else {
            let err = outcome.unwrap_err();
            assert!(matches!(err, BackendError::Output(_)), "{err:?}");
            assert!(
                err.to_string().contains("$.celsius should be integer"),
                "{err}"
            );
        }
    }
}

#[tokio::test]
async fn a_provider_error_fails_the_task_clearly_and_the_worker_goes_on() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "plain", None)).await.unwrap();
    let worker = serve(&ds, "plain");
    for (status, message) in [
        (500, "the model is overloaded"),
        (429, "rate limited, retry later"),
    ] {
        ds.set_llm_script(Some("plain"), vec![LlmTurn::fail(status, message)])
            .await
            .unwrap();
        let done = run_task(&ds, "plain", CreateTaskRequest::new("Hello?")).await;
        assert_eq!(done.status, AgentExecutionStatus::Error);
        let result = done.result.unwrap_or_default();
        assert!(result.contains(&format!("HTTP {status}")), "{result}");
        assert!(result.contains(message), "{result}");
        assert!(!result.contains(LLM_KEY));
    }
    ds.set_llm_script(Some("plain"), vec![LlmTurn::answer("Back again.")])
        .await
        .unwrap();
    let done = run_task(&ds, "plain", CreateTaskRequest::new("Hello?")).await;
    assert_eq!(done.result.as_deref(), Some("Back again."));
    worker.stop().await.unwrap();
}

#[tokio::test]
async fn the_agent_worker_example_runs_the_demo_agent_offline() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let _worker = support::WorkerProcess::spawn("agent_worker", &ds, &[], &[]);
    ds.wait_for_workers(LIMIT, |w| !w.is_empty())
        .await
        .expect("the example registers");
    let done = run_task(&ds, ds.agent_id(), CreateTaskRequest::new("Hi there")).await;
    assert_eq!(
        done.status,
        AgentExecutionStatus::Completed,
        "{:?}",
        done.result
    );
    assert_eq!(done.result.as_deref(), Some(xpander_devserver::DEMO_ANSWER));
    // Metrics follow the final save.
    let infos = ds.wait_for_tasks(1, LIMIT, |t| !t.metrics.is_empty()).await;
    assert_eq!(
        infos.expect("metrics arrive")[0].metrics[0]["ai_model"],
        "gpt-4.1"
    );
}

/// Auth events the `#[on_auth_event]` hook saw: (task id, event type).
static AUTH_EVENTS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

#[xpander_runtime::on_auth_event]
async fn record_auth_event(
    _agent: &xpander_runtime::Agent,
    task: &Task,
    event: &xpander_runtime::TaskUpdateEvent,
) {
    let kind = event.data["type"].as_str().unwrap_or("?").to_owned();
    AUTH_EVENTS.lock().unwrap().push((task.id.clone(), kind));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oauth_mcp_server_gets_the_users_bearer_token_after_the_login() {
    let mcp = McpServer::start().await;
    let ds = std::sync::Arc::new(start(vec![]).await);
    let settings = json!({"name": "Notes", "type": "remote", "url": mcp.url,
                          "transport": "streamable-http", "auth_type": "oauth2"});
    ds.upsert_agent(agent(&ds, "notes", Some(settings)))
        .await
        .unwrap();
    let script = vec![
        LlmTurn::call("mcp_tool_private_note", json!({"topic": "shopping"})),
        LlmTurn::answer("Remember the milk."),
    ];
    ds.set_llm_script(Some("notes"), script).await.unwrap();
    let worker = serve(&ds, "notes");
    let user = xpander_runtime::model::User::new("ada@example.com").with_id("user-ada");
    let task = ds
        .create_task(
            "notes",
            CreateTaskRequest::new("My shopping note?").user(user),
        )
        .await
        .unwrap();
    support::approve_when_asked(ds.clone(), task.id.clone()).await;
    let done = ds
        .wait_for_task(&task.id, LIMIT, |t| t.status.is_terminal())
        .await
        .unwrap();
    worker.stop().await.unwrap();

    assert_eq!(
        done.result.as_deref(),
        Some("Remember the milk."),
        "{:?}",
        done.status
    );
    let seen: Vec<String> = AUTH_EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|(id, _)| *id == task.id)
        .map(|(_, kind)| kind.clone())
        .collect();
    assert_eq!(seen, ["login_required", "token_ready"]);
    let auth = mcp.authorizations();
    assert_eq!(auth.len(), 1);
    assert!(
        auth[0]
            .as_deref()
            .unwrap_or_default()
            .starts_with("Bearer devserver-mcp-")
    );
    let info = ds.task_info(&task.id).await.unwrap();
    let result = info
        .events
        .iter()
        .find(|e| e["type"] == "tool_call_result")
        .unwrap();
    assert_eq!(
        result["data"]["result"],
        "note about shopping: remember the milk"
    );
    assert_eq!(result["data"]["is_error"], false);
}

#[tokio::test]
async fn calls_past_the_tool_call_limit_are_skipped_and_the_model_told_why() {
    let ds = start(vec![]).await;
    let mut limited = agent(&ds, "limited", None);
    limited["agno_settings"]["tool_call_limit"] = json!(1);
    ds.upsert_agent(limited).await.unwrap();
    let call = || LlmTurn::call("weather_lookup", json!({"body_params": {"city": "Oslo"}}));
    let script = vec![call(), call(), LlmTurn::answer("Probably sunny.")];
    ds.set_llm_script(Some("limited"), script).await.unwrap();
    let worker = serve(&ds, "limited");
    let done = run_task(&ds, "limited", CreateTaskRequest::new("Weather twice?")).await;
    worker.stop().await.unwrap();

    assert_eq!(done.result.as_deref(), Some("Probably sunny."));
    let info = ds.task_info(&done.id).await.unwrap();
    assert_eq!(info.tool_calls.len(), 1, "the second call is not made");
    let last = ds.llm_requests().await.pop().unwrap();
    let told = serde_json::to_string(&last.messages).unwrap();
    assert!(told.contains("at most 1 tool calls"), "{told}");
}

#[tokio::test]
async fn an_anthropic_agent_runs_on_the_messages_api() {
    let ds = start(vec![]).await;
    let mut claude = agent(&ds, "claude", None);
    claude["model_provider"] = json!("anthropic");
    claude["model_name"] = json!("claude-sonnet-4-5");
    claude["llm_api_base"] = json!(format!(
        "{}/_dev/llm/agents/claude/anthropic",
        ds.base_url()
    ));
    ds.upsert_agent(claude).await.unwrap();
    let script = vec![
        LlmTurn::call("weather_lookup", json!({"body_params": {"city": "Bergen"}})),
        LlmTurn::answer("Rain in Bergen.").usage(90, 9, 30),
    ];
    ds.set_llm_script(Some("claude"), script).await.unwrap();
    let worker = serve(&ds, "claude");
    let done = run_task(&ds, "claude", CreateTaskRequest::new("Weather in Bergen?")).await;
    worker.stop().await.unwrap();

    assert_eq!(
        done.result.as_deref(),
        Some("Rain in Bergen."),
        "{:?}",
        done.status
    );
    let requests = ds.llm_requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].api, xpander_devserver::LlmApi::Anthropic);
    assert_eq!(requests[0].model.as_deref(), Some("claude-sonnet-4-5"));
    assert!(
        requests[0]
            .system
            .as_deref()
            .unwrap_or_default()
            .contains("A weather helper")
    );
    let info = ds.task_info(&done.id).await.unwrap();
    assert_eq!(
        info.tool_calls[0]["payload"]["body_params"]["city"],
        "Bergen"
    );
}

#[tokio::test]
async fn an_sse_only_mcp_server_is_a_clear_error() {
    let ds = start(vec![]).await;
    let settings = json!({"name": "Legacy", "type": "remote", "url": "http://127.0.0.1:9/sse",
                          "transport": "sse", "auth_type": "none"});
    ds.upsert_agent(agent(&ds, "legacy", Some(settings)))
        .await
        .unwrap();
    ds.set_llm_script(Some("legacy"), vec![LlmTurn::answer("unused")])
        .await
        .unwrap();
    let backend = Backend::new(config(&ds));
    let request = CreateTaskRequest::new("Hi").run_locally(true);
    let mut task = ds.create_task("legacy", request).await.unwrap();
    let agent = backend.aget_agent().for_task(&mut task).await.unwrap();
    let err = agent.run(&mut task).await.unwrap_err();
    assert!(matches!(err, BackendError::Mcp { .. }), "{err:?}");
    assert!(err.to_string().contains("streamable HTTP"), "{err}");
    assert!(
        ds.llm_requests().await.is_empty(),
        "the model is not called"
    );
}
