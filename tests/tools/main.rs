//! Local tools (`#[register_tool]`) and tool hooks (`#[on_tool_before]`, `#[on_tool_after]`,
//! `#[on_tool_error]`) with the agent engine, against the devserver's scripted LLM and a real
//! rmcp server: argument validation the model sees, a panicking tool, the hooks around
//! platform, MCP and local calls (and a direct `PlatformTool::ainvoke`), a failing hook, and
//! the sync of `add_to_graph` tools at start-up.
//!
//! The tools and hooks below are registered for this whole test binary: every agent of it gets
//! the tools, and the hooks record every call (keyed by task id).

#[path = "../agent/common.rs"]
mod common;
#[path = "../agent/mcp_server.rs"]
mod mcp_server;

use std::sync::Mutex;

use serde_json::{Value, json};
use xpander_devserver::LlmTurn;
use xpander_runtime::backend::PlatformTool;
use xpander_runtime::model::{AgentExecutionStatus, CreateTaskRequest, ToolCallInfo};
use xpander_runtime::{Agents, on_tool_after, on_tool_before, on_tool_error};

use common::{agent, config, run_task, serve, start};
use mcp_server::McpServer;

/// Converts a temperature from Celsius to Fahrenheit.
#[xpander_runtime::register_tool(add_to_graph = true)]
fn celsius_to_fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

/// Always panics (a bug in a tool).
#[xpander_runtime::register_tool]
async fn broken_tool(reason: String) -> String {
    if !reason.is_empty() {
        panic!("broken: {reason}");
    }
    reason
}

/// What the hooks saw: (task id, "hook:kind:tool", the call).
static SEEN: Mutex<Vec<(String, String, ToolCallInfo)>> = Mutex::new(Vec::new());

fn record(call: &ToolCallInfo, hook: &str) {
    let kind = serde_json::to_value(call.kind).unwrap();
    let entry = format!("{hook}:{}:{}", kind.as_str().unwrap(), call.name);
    let task = call.task_id.clone().unwrap_or_default();
    SEEN.lock().unwrap().push((task, entry, call.clone()));
}

fn seen(task_id: &str) -> Vec<String> {
    calls(task_id).into_iter().map(|(entry, _)| entry).collect()
}

fn calls(task_id: &str) -> Vec<(String, ToolCallInfo)> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|(id, _, _)| id == task_id)
        .map(|(_, entry, call)| (entry.clone(), call.clone()))
        .collect()
}

#[on_tool_before]
async fn a_before(call: &ToolCallInfo) {
    record(call, "before");
}

#[on_tool_before]
fn b_failing_before(call: &ToolCallInfo) -> Result<(), String> {
    let _ = call;
    Err("this hook always fails".into())
}

#[on_tool_after]
async fn c_after(call: &ToolCallInfo, result: &Value) {
    assert!(!result.is_null() || call.name == "nothing");
    record(call, "after");
}

#[on_tool_after]
async fn d_panicking_after(_call: &ToolCallInfo, _result: &Value) {
    panic!("this hook always panics");
}

#[on_tool_error]
fn e_error(call: &ToolCallInfo, error: &str) {
    assert!(!error.is_empty());
    record(call, "error");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_argument_is_shown_to_the_model_and_the_next_call_succeeds() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "temps", None)).await.unwrap();
    let script = vec![
        LlmTurn::call(
            "celsius_to_fahrenheit",
            json!({"payload": {"celsius": "warm"}}),
        ),
        LlmTurn::call("celsius_to_fahrenheit", json!({"payload": {"celsius": 20}})),
        LlmTurn::answer("68 F."),
    ];
    ds.set_llm_script(Some("temps"), script).await.unwrap();
    let worker = serve(&ds, "temps");
    let done = run_task(&ds, "temps", CreateTaskRequest::new("20 C in F?")).await;
    worker.stop().await.unwrap();

    assert_eq!(done.result.as_deref(), Some("68 F."), "{:?}", done.status);
    let requests = ds.llm_requests().await;
    let offered: Vec<&str> = requests[0].tools.iter().map(|t| t.name.as_str()).collect();
    assert!(offered.contains(&"celsius_to_fahrenheit") && offered.contains(&"broken_tool"));
    let told = serde_json::to_string(&requests[1].messages).unwrap();
    assert!(told.contains("invalid arguments at `celsius`"), "{told}");
    let info = ds.task_info(&done.id).await.unwrap();
    let results: Vec<(Value, Value)> = info
        .events
        .iter()
        .filter(|e| e["type"] == "tool_call_result")
        .map(|e| (e["data"]["is_error"].clone(), e["data"]["result"].clone()))
        .collect();
    assert_eq!(results[0].0, true);
    assert_eq!(results[1], (json!(false), json!(68.0)));
    assert_eq!(
        seen(&done.id),
        [
            "before:local:celsius_to_fahrenheit",
            "error:local:celsius_to_fahrenheit",
            "before:local:celsius_to_fahrenheit",
            "after:local:celsius_to_fahrenheit",
        ],
        "the failing and panicking hooks stopped nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_tool_is_a_tool_error_and_the_task_completes() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "panics", None)).await.unwrap();
    let script = vec![
        LlmTurn::call("broken_tool", json!({"payload": {"reason": "bug"}})),
        LlmTurn::answer("The tool is broken."),
    ];
    ds.set_llm_script(Some("panics"), script).await.unwrap();
    let worker = serve(&ds, "panics");
    let done = run_task(&ds, "panics", CreateTaskRequest::new("Try it")).await;
    worker.stop().await.unwrap();

    assert_eq!(done.status, AgentExecutionStatus::Completed);
    assert_eq!(done.result.as_deref(), Some("The tool is broken."));
    let told = serde_json::to_string(&ds.llm_requests().await[1].messages).unwrap();
    assert!(told.contains("the tool panicked: broken: bug"), "{told}");
    assert_eq!(
        seen(&done.id),
        ["before:local:broken_tool", "error:local:broken_tool"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hooks_run_around_platform_mcp_and_local_calls_in_order() {
    let mcp = McpServer::start().await;
    let ds = start(vec![]).await;
    let settings = json!({"name": "Local tools", "type": "remote", "url": mcp.url,
                          "transport": "streamable-http", "auth_type": "none"});
    ds.upsert_agent(agent(&ds, "all", Some(settings)))
        .await
        .unwrap();
    let script = vec![
        LlmTurn::call(
            "weather_lookup",
            json!({"payload": {"body_params": {"city": "Oslo"}}}),
        ),
        LlmTurn::call("mcp_tool_add", json!({"a": 1, "b": 2})),
        LlmTurn::call("celsius_to_fahrenheit", json!({"payload": {"celsius": 0}})),
        LlmTurn::answer("Done."),
    ];
    ds.set_llm_script(Some("all"), script).await.unwrap();
    let worker = serve(&ds, "all");
    let done = run_task(&ds, "all", CreateTaskRequest::new("Everything")).await;
    worker.stop().await.unwrap();

    assert_eq!(done.result.as_deref(), Some("Done."), "{:?}", done.status);
    assert_eq!(
        seen(&done.id),
        [
            "before:platform:weather_lookup",
            "after:platform:weather_lookup",
            "before:mcp:mcp_tool_add",
            "after:mcp:mcp_tool_add",
            "before:local:celsius_to_fahrenheit",
            "after:local:celsius_to_fahrenheit",
        ]
    );
    let info = ds.task_info(&done.id).await.unwrap();
    assert_eq!(info.tool_calls[0]["payload"]["body_params"]["city"], "Oslo");
    // The hooks got each call's arguments: the platform call's id is the one the platform got.
    let calls = calls(&done.id);
    let platform = &calls[0].1;
    assert_eq!(platform.payload["body_params"]["city"], "Oslo");
    assert_eq!(
        platform.tool_call_id.as_ref(),
        info.tool_calls[0]["tool_call_id"]
            .as_str()
            .map(str::to_owned)
            .as_ref()
    );
    assert!(platform.agent_version.is_some());
    assert_eq!(calls[2].1.payload, json!({"a": 1, "b": 2}));
    assert_eq!(calls[4].1.payload, json!({"celsius": 0}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_direct_platform_tool_call_runs_the_hooks_too() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "direct", None)).await.unwrap();
    let loaded = Agents::new(config(&ds)).aget("direct").await.unwrap();
    let tool = PlatformTool::of(&loaded, "weather_lookup").unwrap();
    let result = tool
        .ainvoke(json!({"body_params": {"city": "Rome"}}))
        .task_id("direct-call")
        .await;
    assert!(result.is_success, "{}", result.result);
    assert_eq!(
        seen("direct-call"),
        [
            "before:platform:weather_lookup",
            "after:platform:weather_lookup"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn add_to_graph_tools_are_synced_to_the_agent_at_start() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "synced", None)).await.unwrap();
    let worker = serve(&ds, "synced");
    let synced = tokio::time::timeout(common::LIMIT, async {
        loop {
            let tools = ds.synced_local_tools("synced").await;
            if !tools.is_empty() {
                return tools;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the worker syncs its tools");
    worker.stop().await.unwrap();

    let names: Vec<&str> = synced.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(
        names,
        ["celsius_to_fahrenheit"],
        "only the add_to_graph tool"
    );
    assert_eq!(synced[0]["is_local"], true);
    assert_eq!(synced[0]["parameters"]["required"], json!(["celsius"]));
    let agent = Agents::new(config(&ds)).aget("synced").await.unwrap();
    assert!(
        agent
            .graph
            .iter()
            .any(|item| item.item_id == "celsius_to_fahrenheit"),
        "the tool is in the agent's graph"
    );
}

#[tokio::test]
async fn the_args_list_the_local_tools_for_other_frameworks() {
    let ds = start(vec![]).await;
    ds.upsert_agent(agent(&ds, "listed", None)).await.unwrap();
    let backend = xpander_runtime::Backend::new(config(&ds));
    let args = backend.aget_args().agent_id("listed").await.unwrap();
    let local: Vec<&str> = args
        .tools
        .iter()
        .filter_map(|t| match t {
            xpander_runtime::backend::ToolSpec::Local(local) => Some(local.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(local, ["broken_tool", "celsius_to_fahrenheit"]);
    let rendered = serde_json::to_string(&args.render()).unwrap();
    assert!(rendered.contains("\"is_local\":true"), "{rendered}");
}
