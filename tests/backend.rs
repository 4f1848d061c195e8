//! The Backend against the devserver over loopback: every example of the Backend docs
//! (`shared/seeds/000`–`003`) in Rust, the agent cache, offline resolution, tool invocation
//! and secrecy. Auth events are in `backend_auth.rs` (their `#[on_auth_event]` hooks are
//! process-wide), the comparison with the Python SDK in `backend_parity.rs`.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults};
use xpander_runtime::backend::{
    BackendError, CustomTool, PlatformTool, ToolSpec, dispatch_get_args,
};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, TaskReportRequest, Tokens, User};
use xpander_runtime::{Agents, Backend, Configuration, Task};

const OPENAI_KEY: &str = "sk-backend-test-openai";

fn agent_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Agent {id}"),
        "model_provider": "openai",
        "model_name": "gpt-4.1",
        "instructions": {"role": ["Be helpful"], "goal": ["Answer"], "general": "A test agent."},
        "llm_extra_headers": {"x-agent": "agent-header-secret"},
        "agno_settings": {"session_storage": false},
        "tools": [{
            "id": "lookup-order", "name": "Lookup order", "method": "POST",
            "path": "/tools/lookup-order", "description": "Looks an order up.",
            "parameters": {"type": "object", "properties": {"body_params": {"type": "object"}}},
        }],
    })
}

async fn start(agents: Vec<Value>) -> DevServerHandle {
    let mut options = DevServerOptions::default()
        .llm_extra_headers(json!({"x-org": "org-header"}).as_object().unwrap().clone())
        .tool_response(
            "lookup-order",
            json!({"status": "shipped", "internal": "hidden"}),
        );
    for agent in agents {
        options = options.agent(agent);
    }
    DevServer::start(options).await.unwrap()
}

fn config(server: &DevServerHandle) -> Configuration {
    server.configuration().build().unwrap()
}

fn backend_for(config: Configuration) -> Backend {
    Backend::builder()
        .configuration(config)
        .env_lookup(|name| (name == "OPENAI_API_KEY").then(|| OPENAI_KEY.to_owned()))
        .build()
}

async fn count(server: &DevServerHandle, method: &str, path: &str) -> usize {
    server
        .requests()
        .await
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn ada() -> User {
    User {
        first_name: Some("Ada".into()),
        ..User::new("ada@example.com").with_id("user-1")
    }
}

// --- seed 000/001/002: args by id, by the configured agent, sync and async ---------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn args_by_agent_id_async_and_blocking_inside_a_runtime() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = backend_for(config(&server));

    let args = backend.aget_args().agent_id("agent-123").await.unwrap();
    assert_eq!(args.id, "agent-123");
    let model = args.model.as_ref().unwrap();
    assert_eq!(model.model_id, "gpt-4.1");
    assert_eq!(model.api_key.as_ref().unwrap().expose(), OPENAI_KEY);
    // Org defaults, then the agent's own headers.
    let headers: Vec<&str> = model.headers.keys().map(String::as_str).collect();
    assert_eq!(headers, ["x-agent", "x-org"]);

    // The blocking call works inside a runtime too.
    let args_sync = backend.get_args().agent_id("agent-123").call().unwrap();
    assert_eq!(args_sync, args);
}

#[test]
fn blocking_args_from_plain_code() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(start(vec![agent_json("agent-123")]));
    let backend = backend_for(config(&server));
    // No runtime on this thread.
    assert!(tokio::runtime::Handle::try_current().is_err());
    let args = backend.get_args().agent_id("agent-123").call().unwrap();
    assert_eq!(args.name, "Agent agent-123");
    let task = backend
        .invoke_agent(CreateTaskRequest::new("Hello"))
        .agent_id("agent-123")
        .call()
        .unwrap();
    assert_eq!(task.input.text, "Hello");
    runtime.block_on(server.shutdown());
}

#[tokio::test]
async fn the_configured_agent_id_is_the_fallback_and_explicit_ids_win() {
    let server = start(vec![agent_json("agent-123"), agent_json("agent-456")]).await;
    // The Rust equivalent of XPANDER_AGENT_ID: the configuration's agent id.
    let backend = backend_for(config(&server).with_agent_id("agent-123"));
    let args_env = backend.aget_args().await.unwrap();
    assert_eq!(args_env.id, "agent-123");
    let explicit = backend.aget_args().agent_id("agent-456").await.unwrap();
    assert_eq!(explicit.id, "agent-456");
}

#[tokio::test]
async fn no_agent_anywhere_is_a_clear_error() {
    let server = start(vec![agent_json("agent-123")]).await;
    let err = backend_for(config(&server)).aget_args().await.unwrap_err();
    assert!(matches!(err, BackendError::NoAgent), "{err}");
    assert!(err.to_string().contains("XPANDER_AGENT_ID"));
}

// --- seed 002: a preloaded agent, task context, overrides ---------------------------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn args_from_a_preloaded_agent_load_nothing_more() {
    let server = start(vec![agent_json("agent-123")]).await;
    let agents = Agents::new(config(&server));
    let backend = backend_for(config(&server));
    let agent = agents.aget("agent-123").await.unwrap();
    let loads = count(&server, "GET", "/agents/agent-123").await;

    let args = backend.aget_args().agent(&agent).await.unwrap();
    assert_eq!(args.name, agent.name);
    let args_sync = backend.get_args().agent(&agent).call().unwrap();
    assert_eq!(args_sync, args);
    assert_eq!(count(&server, "GET", "/agents/agent-123").await, loads);

    // Blocking agent load, as in the sync example.
    let agent_sync = agents.get("agent-123").unwrap();
    assert_eq!(agent_sync.id, agent.id);
}

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn task_context_shapes_the_args() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = backend_for(config(&server));
    let agent = Agents::new(config(&server))
        .aget("agent-123")
        .await
        .unwrap();
    let task = agent
        .acreate_task(
            CreateTaskRequest::new("Analyze this dataset")
                .output_format(OutputFormat::Json)
                .output_schema(
                    json!({"type": "object", "properties": {"rows": {"type": "integer"}}}),
                )
                .user(ada())
                .additional_context("The dataset is sales.csv"),
        )
        .await
        .unwrap();

    let args = backend.aget_args().agent(&agent).task(&task).await.unwrap();
    assert_eq!(args.output.json_mode, Some(true));
    assert_eq!(args.output.markdown, Some(false));
    assert_eq!(
        args.output.schema.as_ref().unwrap()["properties"]["rows"]["type"],
        "integer"
    );
    let context = args.additional_context.as_deref().unwrap();
    assert!(
        context.starts_with(r#"User details: {"id":"user-1","first_name":"Ada","#),
        "{context}"
    );
    assert!(context.ends_with("\nThe dataset is sales.csv"), "{context}");

    // The same from a blocking caller, with a blocking task creation.
    let task_sync = agent
        .create_task(CreateTaskRequest::new("Analyze this dataset"))
        .unwrap();
    let args_sync = backend
        .get_args()
        .agent(&agent)
        .task(&task_sync)
        .call()
        .unwrap();
    assert_eq!(
        args_sync.output.markdown,
        Some(false),
        "no task format turns markdown off"
    );

    // Without a task: no session ids, the agent's own instructions.
    let bare = backend.aget_args().agent(&agent).await.unwrap();
    assert!(bare.additional_context.is_none());
    assert!(bare.instructions.contains("['Be helpful']"));
}

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn custom_overrides_replace_rendered_keys_and_skip_the_model() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = backend_for(config(&server));
    let overrides =
        json!({"model": "gpt-4", "temperature": 0.7, "max_tokens": 2000, "show_tool_calls": false});
    let args = backend
        .aget_args()
        .agent_id("agent-123")
        .overrides(overrides.clone())
        .await
        .unwrap();
    assert!(
        args.model.is_none(),
        "an overriding model skips model resolution"
    );
    let rendered = args.render();
    for (key, value) in overrides.as_object().unwrap() {
        assert_eq!(&rendered[key], value, "{key}");
    }
    assert_eq!(
        count(&server, "GET", "/metadata/default_llm_extra_headers").await,
        0,
        "no org-headers request without a model to build"
    );

    let sync = backend
        .get_args()
        .agent_id("agent-123")
        .overrides(json!({"model": "claude-3-sonnet", "temperature": 0.3, "use_json_mode": true}))
        .call()
        .unwrap()
        .render();
    assert_eq!(sync["model"], "claude-3-sonnet");
    assert_eq!(sync["use_json_mode"], true);

    let err = backend
        .aget_args()
        .agent_id("agent-123")
        .overrides(json!([1]))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Usage(_)), "{err}");
}

#[tokio::test]
async fn extra_tools_reach_the_agent() {
    let server = start(vec![agent_json("agent-123")]).await;
    let tool = ToolSpec::Custom(CustomTool::new(
        "local_echo",
        "Echoes.",
        json!({"type": "object"}),
    ));
    let args = backend_for(config(&server))
        .aget_args()
        .agent_id("agent-123")
        .tool(tool.clone())
        .await
        .unwrap();
    assert!(args.tools.contains(&tool));
    assert!(matches!(args.tools[0], ToolSpec::Platform(ref t) if t.id == "lookup-order"));
}

// --- seed 001/003: the on_task pattern, dispatch, framework rendering ---------------------------

#[tokio::test]
async fn the_on_task_pattern_uses_the_tasks_agent_version_and_records_the_model() {
    let server = start(vec![agent_json("agent-123")]).await;
    let mut v2 = agent_json("agent-123");
    v2["version"] = json!(2);
    v2["name"] = json!("Agent v2");
    server.upsert_agent(v2).await.unwrap();
    let mut task = server
        .create_task("agent-123", CreateTaskRequest::new("hi").agent_version("1"))
        .await
        .unwrap()
        .with_configuration(config(&server));
    task.tokens = Some(Tokens::new(10, 5));
    assert_eq!(task.metrics_report().unwrap().ai_model, "xpander");

    // Backend(task.configuration) + aget_args(agent_id, agent_version, task).
    let backend = Backend::new(task.configuration().unwrap().clone());
    let args = backend.aget_args().for_task(&mut task).await.unwrap();
    assert_eq!(
        args.name, "Agent agent-123",
        "version 1, not the newer version 2"
    );
    assert_eq!(task.metrics_report().unwrap().ai_model, "gpt-4.1");
    let latest = backend.aget_args().agent_id("agent-123").await.unwrap();
    assert_eq!(latest.name, "Agent v2");
}

#[tokio::test]
async fn dispatch_get_args_uses_the_agents_platform() {
    let server = start(vec![agent_json("agent-123")]).await;
    let agent = Agents::new(config(&server))
        .aget("agent-123")
        .await
        .unwrap();
    let task = agent
        .acreate_task(CreateTaskRequest::new("hi").user(ada()))
        .await
        .unwrap();
    let args = dispatch_get_args(&agent, Some(&task)).await.unwrap();
    let kwargs = args.render();
    assert_eq!(kwargs["model"]["class"], "OpenAIChat");
    assert_eq!(kwargs["model"]["extra_headers"]["x-org"], "[REDACTED]");
    assert_eq!(kwargs["id"], "agent-123");
    assert!(count(&server, "GET", "/metadata/default_llm_extra_headers").await <= 1);
}

#[tokio::test]
async fn agents_of_other_frameworks_keep_their_framework_and_get_the_agno_shape() {
    let mut agent = agent_json("adk-agent");
    agent["framework"] = json!("google-adk");
    let server = start(vec![agent]).await;
    let args = backend_for(config(&server))
        .aget_args()
        .agent_id("adk-agent")
        .await
        .unwrap();
    assert_eq!(args.framework.as_str(), "google-adk");
    assert_eq!(args.render()["store_events"], true);
}

// --- seed 003: invoking an agent ------------------------------------------------------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn invoke_agent_creates_a_task_and_the_task_id_shortcut_returns_it() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = backend_for(config(&server).with_agent_id("agent-123"));
    let task = backend
        .ainvoke_agent(CreateTaskRequest::new("Hello"))
        .await
        .unwrap();
    assert_eq!(
        (task.agent_id.as_str(), task.input.text.as_str()),
        ("agent-123", "Hello")
    );
    assert_eq!(task.source.as_deref(), Some("sdk"));

    let shortcut = json!({"xpander_task_id": task.id}).to_string();
    let again = backend
        .ainvoke_agent(CreateTaskRequest::new(shortcut))
        .agent_id("agent-123")
        .await
        .unwrap();
    assert_eq!(again.id, task.id);
    assert_eq!(
        server.tasks().await.len(),
        1,
        "the shortcut creates nothing"
    );

    let sync = backend
        .invoke_agent(CreateTaskRequest::new("Sync hello"))
        .call()
        .unwrap();
    assert_eq!(sync.input.text, "Sync hello");
}

// --- seeds 000/001: external task reports ----------------------------------------------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn external_tasks_are_reported_simple_and_comprehensive() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = backend_for(config(&server));
    let simple_id = uuid::Uuid::new_v4().to_string();
    let simple = backend
        .areport_external_task(TaskReportRequest {
            id: Some(simple_id.clone()),
            input: Some("Process customer data".into()),
            result: Some("Successfully processed 100 customer records".into()),
            duration: 2.5,
            ..Default::default()
        })
        .agent_id("agent-123")
        .await
        .unwrap();
    assert_eq!(
        (simple.id.as_str(), simple.agent_id.as_str()),
        (simple_id.as_str(), "agent-123")
    );

    let rich_id = uuid::Uuid::new_v4().to_string();
    let rich = backend
        .areport_external_task(TaskReportRequest {
            id: Some(rich_id.clone()),
            input: Some("Analyze sales data and generate report".into()),
            llm_response: Some(json!({"content": "Analysis complete", "model": "gpt-4"})),
            tokens: Some(Tokens::new(50, 150)),
            is_success: true,
            result: Some("Generated comprehensive sales analysis report".into()),
            duration: 4.2,
            used_tools: vec![
                "data_analyzer".into(),
                "chart_generator".into(),
                "report_writer".into(),
            ],
        })
        .agent_id("agent-123")
        .await
        .unwrap();
    assert_eq!(rich.id, rich_id);
    let info = server.task_info(&rich_id).await.unwrap();
    assert_eq!(
        info.llm_response,
        Some(json!({"content": "Analysis complete", "model": "gpt-4"}))
    );

    let sync = backend
        .report_external_task(TaskReportRequest {
            id: Some(uuid::Uuid::new_v4().to_string()),
            input: Some("Send notification email".into()),
            result: Some("Email sent successfully".into()),
            used_tools: vec!["email_sender".into()],
            ..Default::default()
        })
        .agent(
            &Agents::new(config(&server))
                .aget("agent-123")
                .await
                .unwrap(),
        )
        .call()
        .unwrap();
    assert_eq!(sync.result.as_deref(), Some("Email sent successfully"));
}

// --- the agent cache -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_loads_of_one_agent_share_one_request() {
    let server = start(vec![agent_json("agent-123")]).await;
    server
        .set_faults(Faults {
            delays: vec![xpander_devserver::DelayFault {
                pattern: "/agents/agent-123".into(),
                method: Some("GET".into()),
                delay_ms: 150,
                rate: 1.0,
            }],
            ..Faults::default()
        })
        .await
        .unwrap();
    let backend = Arc::new(backend_for(config(&server)));
    let calls = (0..8).map(|_| {
        let backend = backend.clone();
        tokio::spawn(async move { backend.aget_args().agent_id("agent-123").await.unwrap().id })
    });
    for call in calls {
        assert_eq!(call.await.unwrap(), "agent-123");
    }
    assert_eq!(count(&server, "GET", "/agents/agent-123").await, 1);
    assert_eq!(
        count(&server, "GET", "/metadata/default_llm_extra_headers").await,
        1
    );
}

#[tokio::test]
async fn the_current_version_expires_and_a_pinned_version_does_not() {
    let server = start(vec![agent_json("agent-123")]).await;
    let backend = Backend::builder()
        .configuration(config(&server))
        .agent_cache_ttl(Duration::from_millis(100))
        .build();
    backend.aget_args().agent_id("agent-123").await.unwrap();
    backend.aget_args().agent_id("agent-123").await.unwrap();
    assert_eq!(count(&server, "GET", "/agents/agent-123").await, 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    backend.aget_args().agent_id("agent-123").await.unwrap();
    assert_eq!(count(&server, "GET", "/agents/agent-123").await, 2);

    backend
        .aget_args()
        .agent_id("agent-123")
        .agent_version(1)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    backend
        .aget_args()
        .agent_id("agent-123")
        .agent_version(1)
        .await
        .unwrap();
    assert_eq!(
        count(&server, "GET", "/agents/agent-123").await,
        3,
        "version 1 is loaded once"
    );
}

// --- offline -------------------------------------------------------------------------------------

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/agents")
        .join(name)
}

#[tokio::test]
async fn an_agent_file_resolves_with_no_platform() {
    let backend = Backend::builder()
        .agent_file(fixture_path("openai.json"))
        .env_lookup(|name| (name == "OPENAI_API_KEY").then(|| OPENAI_KEY.to_owned()))
        .build();
    let mut task = Task::from_prompt("hi");
    task.input.user = Some(ada());
    let args = backend.aget_args().task(&mut task).await.unwrap();
    assert_eq!(args.id, "fixture-openai");
    let model = args.model.as_ref().unwrap();
    assert_eq!(model.api_key.as_ref().unwrap().expose(), OPENAI_KEY);
    assert_eq!(
        model.headers.len(),
        2,
        "no org headers offline: {:?}",
        model.headers.keys()
    );
    assert!(
        args.session.as_ref().unwrap().db.is_none(),
        "no database offline"
    );
    task.tokens = Some(Tokens::new(1, 1));
    assert_eq!(
        task.metrics_report().unwrap().ai_model,
        "gpt-4.1",
        "&mut task records the model"
    );

    // A team offline: members come from the same file.
    let team = Backend::builder()
        .agent_file(fixture_path("team.json"))
        .build();
    let args = team.get_args().call().unwrap();
    assert_eq!(args.team.as_ref().unwrap().members.len(), 2);

    // What needs the platform says so.
    let err = team
        .aget_args()
        .agent_id("not-in-the-file")
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NoPlatform { .. }), "{err}");
    assert!(err.to_string().contains("XPANDER_API_KEY"), "{err}");
    let err = team
        .ainvoke_agent(CreateTaskRequest::new("hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NoPlatform { .. }), "{err}");
}

#[tokio::test]
async fn an_oauth_server_offline_fails_only_when_a_login_is_needed() {
    let mut agent = agent_json("mcp-agent");
    agent["graph"] = json!([{
        "id": "node-mcp", "item_id": "mcp-1", "type": "mcp", "targets": [],
        "settings": {"mcp_settings": {"name": "GitHub", "url": "https://mcp.example.com/mcp", "auth_type": "oauth2"}},
    }]);
    let file = std::env::temp_dir().join(format!("xpander-backend-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, agent.to_string()).unwrap();
    let backend = Backend::builder().agent_file(&file).build();
    let mut task = Task::from_prompt("hi");
    task.input.user = Some(ada());
    let err = backend.aget_args().task(&task).await.unwrap_err();
    assert!(
        matches!(err, BackendError::McpAuthUnavailable { ref server, .. } if server == "GitHub"),
        "{err}"
    );

    // A token the caller supplies needs no login.
    task.user_tokens = Some(serde_json::from_value(json!({"node-mcp": "caller-token"})).unwrap());
    let args = backend.aget_args().task(&task).await.unwrap();
    let ToolSpec::Mcp(mcp) = &args.tools[1] else {
        panic!("{:?}", args.tools)
    };
    let rendered = format!(
        "{:?}",
        args.render_with_secrets()["tools"][1]["server_params"]["headers"]
    );
    assert!(rendered.contains("Bearer caller-token"), "{rendered}");
    assert!(!format!("{mcp:?}").contains("caller-token"));
    std::fs::remove_file(file).unwrap();
}

// --- tools ---------------------------------------------------------------------------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn platform_tools_are_invoked_with_the_platform_headers() {
    let mut agent = agent_json("agent-123");
    agent["graph"] = json!([{
        "id": "node-tool", "item_id": "lookup-order", "type": "tool", "targets": [],
        "settings": {"schemas": {
            "input": {"type": "object", "properties": {"body_params": {"type": "object", "properties": {"region": {"type": "string", "permanentValue": "eu"}}}}},
            "output": {"type": "object", "properties": {"internal": {"isBlocked": true}}},
        }},
    }]);
    let server = start(vec![agent]).await;
    let backend = backend_for(config(&server));
    let task = server
        .create_task("agent-123", CreateTaskRequest::new("where is my order?"))
        .await
        .unwrap();
    let args = backend
        .aget_args()
        .agent_id("agent-123")
        .task(&task)
        .await
        .unwrap();
    let ToolSpec::Platform(tool) = &args.tools[0] else {
        panic!("{:?}", args.tools)
    };

    let result = tool
        .ainvoke(json!({"body_params": {"order": 42, "region": "us"}}))
        .payload_extension(json!({"body_params": {"tenant": "acme"}}))
        .task_id(&task.id)
        .tool_call_id("call-1")
        .await;
    assert!(result.is_success && !result.is_error, "{result:?}");
    assert_eq!(
        result.result,
        json!({"status": "shipped"}),
        "the blocked key is filtered out"
    );
    assert_eq!(result.tool_call_id.as_deref(), Some("call-1"));
    let calls = server.task_info(&task.id).await.unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["tool_call_id"], "call-1");
    assert_eq!(
        calls[0]["payload"],
        json!({"body_params": {"order": 42, "region": "eu", "tenant": "acme"}}),
        "extension merged, permanent value forced"
    );

    // Errors are captured, not thrown; the blocking call mints a tool call id.
    server
        .set_faults(Faults {
            errors: vec![ErrorFault {
                pattern: "/agents/*/operations/*".into(),
                method: None,
                status: 502,
                rate: 1.0,
            }],
            ..Faults::default()
        })
        .await
        .unwrap();
    let agent = Agents::new(config(&server))
        .aget("agent-123")
        .await
        .unwrap();
    let failed = PlatformTool::of(&agent, "lookup-order")
        .unwrap()
        .invoke(json!({}));
    assert!(failed.is_error && !failed.is_success);
    assert_eq!(failed.status_code, 502);
    assert!(failed.tool_call_id.is_some());
}

// --- secrets -------------------------------------------------------------------------------------

#[tokio::test]
async fn keys_and_header_values_never_print() {
    let mut agent = agent_json("agent-123");
    agent["llm_credentials"] = json!({"name": "own", "value": "sk-agent-own-credential"});
    let server = start(vec![agent]).await;
    let backend = Backend::builder()
        .configuration(config(&server))
        .env_lookup(|_| None)
        .build();
    let args = backend.aget_args().agent_id("agent-123").await.unwrap();
    let model = args.model.as_ref().unwrap();
    assert_eq!(
        model.api_key.as_ref().unwrap().expose(),
        "sk-agent-own-credential"
    );
    for shown in [
        format!("{args:?}"),
        format!("{model:?}"),
        Value::Object(args.render()).to_string(),
        format!("{backend:?}"),
    ] {
        assert!(!shown.contains("sk-agent-own-credential"), "{shown}");
        assert!(!shown.contains("agent-header-secret"), "{shown}");
        assert!(!shown.contains(server.api_key()), "{shown}");
    }
    let revealed = Value::Object(args.render_with_secrets()).to_string();
    assert!(
        revealed.contains("sk-agent-own-credential") && revealed.contains("agent-header-secret")
    );

    // An error from the platform carries no key either.
    let wrong = Backend::new(
        Configuration::builder()
            .api_key("sk-wrong-platform-key")
            .organization_id(server.org())
            .base_url(server.base_url())
            .build()
            .unwrap(),
    );
    let err = wrong.aget_args().agent_id("agent-123").await.unwrap_err();
    assert!(
        !format!("{err} {err:?}").contains("sk-wrong-platform-key"),
        "{err}"
    );
}

// --- auth events by callback alone (no #[on_auth_event] hook in this test binary) ---------------

static CALLBACK_SAW: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// A callback written like an `#[on_auth_event]` hook: an async fn taking references.
async fn log_in_when_asked(
    agent: &xpander_runtime::Agent,
    task: &Task,
    event: &xpander_runtime::TaskUpdateEvent,
) {
    use xpander_runtime::backend::AuthEventData;
    let data = AuthEventData::of(event).expect("an auth event");
    CALLBACK_SAW.lock().unwrap().push(format!(
        "{}:{}:{}",
        agent.id,
        task.id,
        event.data["type"].as_str().unwrap()
    ));
    if let Some(url) = data.login_url() {
        support::open_login(url).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_events_reach_the_per_call_callback() {
    use xpander_runtime::backend::{AuthCallback, AuthPolling};
    let mut agent = agent_json("mcp-agent");
    agent["graph"] = json!([{
        "id": "node-mcp", "item_id": "mcp-1", "type": "mcp", "targets": [],
        "settings": {"mcp_settings": {"name": "Linear", "url": "https://mcp.linear.example/sse", "transport": "sse", "auth_type": "oauth2"}},
    }]);
    let server = start(vec![agent]).await;
    let task = server
        .create_task("mcp-agent", CreateTaskRequest::new("my issues").user(ada()))
        .await
        .unwrap();
    let backend = Backend::builder()
        .configuration(config(&server))
        .auth_polling(AuthPolling {
            interval: Duration::from_millis(20),
            timeout: Duration::from_secs(10),
        })
        .build();
    let args = backend
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .auth_events_callback(AuthCallback::new(log_in_when_asked))
        .await
        .unwrap();
    let saw: Vec<String> = CALLBACK_SAW.lock().unwrap().clone();
    assert_eq!(
        saw,
        [
            format!("mcp-agent:{}:login_required", task.id),
            format!("mcp-agent:{}:token_ready", task.id),
        ]
    );
    let ToolSpec::Mcp(mcp) = &args.tools[1] else {
        panic!("{:?}", args.tools)
    };
    let xpander_runtime::backend::McpConnection::Http { sse, headers, .. } = &mcp.connection else {
        panic!("{mcp:?}")
    };
    assert!(*sse);
    assert!(
        headers["Authorization"]
            .expose()
            .starts_with("Bearer devserver-mcp-")
    );
    assert_eq!(server.task_info(&task.id).await.unwrap().events.len(), 2);
}

// --- Backend::default() reads XPANDER_AGENT_FILE (real processes, real environment) --------------

fn offline_example(name: &str, agent_file: &std::path::Path) -> std::process::Output {
    Command::new(support::example(name))
        .env_remove("XPANDER_API_KEY")
        .env_remove("XPANDER_ORGANIZATION_ID")
        .env_remove("XPANDER_AGENT_ID")
        .env("XPANDER_AGENT_FILE", agent_file)
        .output()
        .expect("the example is built by `cargo test`")
}

#[test]
fn the_examples_resolve_args_from_an_agent_file() {
    let output = offline_example("print_args", &fixture_path("anthropic_headers.json"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["id"], "fixture-anthropic");
    assert_eq!(printed["model"]["class"], "Claude");
    assert_eq!(
        printed["model"]["default_headers"]["Authorization"],
        "[REDACTED]"
    );

    let examples_agent =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/agent.json");
    let output = offline_example("quickstart", &examples_agent);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "I received 16 characters: What can you do?\nQuickstart Agent would answer with gpt-4.1\n"
    );

    let output = offline_example(
        "print_args",
        std::path::Path::new("/nonexistent/agent.json"),
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("agent file /nonexistent/agent.json"),
        "{stderr}"
    );
}

// --- session database and knowledge bases ----------------------------------------------------------

// Blocking calls block this thread: the in-process devserver needs other worker threads.
#[tokio::test(flavor = "multi_thread")]
async fn session_storage_brings_the_agents_database() {
    let mut stored = agent_json("agent-123");
    stored["agno_settings"] = json!({"session_storage": true, "num_history_runs": 4});
    stored["knowledge_bases"] = json!([{"id": "kb-1"}, {"id": "kb-missing"}]);
    let server = DevServer::start(
        DevServerOptions::default()
            .agent(stored.clone())
            .db_uri("postgresql://agent:db-password@db.internal:5432/agents")
            .knowledge_base(
                xpander_devserver::KnowledgeBase::new("kb-1", "Handbook")
                    .document("Refunds are issued within 14 days.")
                    .document("Refunds by email only.")
                    .document("Support is open on weekdays."),
            ),
    )
    .await
    .unwrap();
    let backend = backend_for(config(&server));
    let task = server
        .create_task("agent-123", CreateTaskRequest::new("hi").user(ada()))
        .await
        .unwrap();
    let args = backend
        .aget_args()
        .agent_id("agent-123")
        .task(&task)
        .await
        .unwrap();
    let session = args.session.as_ref().unwrap();
    assert_eq!(session.session_id.as_deref(), Some(task.id.as_str()));
    assert_eq!(session.user_id.as_deref(), Some("user-1"));
    assert_eq!(session.num_history_runs, Some(4));
    let db = session.db.as_ref().unwrap();
    assert_eq!(db.schema, "ag_agent_123");
    let rendered = args.render();
    assert_eq!(rendered["db"]["class"], "AsyncPostgresDb");
    assert_eq!(rendered["db"]["db_url"], "[REDACTED]");
    assert!(!format!("{args:?}").contains("db-password"));
    let revealed = backend.get_args().agent_id("agent-123").call().unwrap();
    assert_eq!(
        revealed.render_with_secrets()["db"]["db_url"],
        "postgresql+psycopg://agent:db-password@db.internal:5432/agents",
        "the blocking API gets the synchronous driver"
    );

    // The knowledge retriever: every base searched, the best hits kept, failures empty.
    let knowledge = args.knowledge.as_ref().unwrap();
    let hits = knowledge.search("refunds email", Some(2)).await;
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].content, "Refunds by email only.");
    assert!(hits[0].score >= hits[1].score);

    // Without a database on the platform, sessions just do not persist.
    let bare = DevServer::start(DevServerOptions::default().agent(stored))
        .await
        .unwrap();
    let args = backend_for(config(&bare))
        .aget_args()
        .agent_id("agent-123")
        .await
        .unwrap();
    assert!(args.session.unwrap().db.is_none());
}

#[tokio::test]
async fn print_args_creates_a_task_for_a_prompt_and_resolves_with_it() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let output = tokio::process::Command::new(support::example("print_args"))
        .args([
            "--agent-id",
            ds.agent_id(),
            "--prompt",
            "Summarise",
            "--user-id",
            "u1",
        ])
        .args(["--user-email", "u1@example.com"])
        .env_remove("XPANDER_AGENT_FILE")
        .env_remove("XPANDER_AGENT_ID")
        .env("XPANDER_BASE_URL", ds.base_url())
        .env("XPANDER_ORGANIZATION_ID", ds.org())
        .env("XPANDER_API_KEY", ds.api_key())
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let context = printed["additional_context"].as_str().unwrap_or_default();
    assert!(
        context.contains("u1@example.com"),
        "the task's user reached the args: {printed:#}"
    );
    let tasks = ds.tasks().await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].input.text, "Summarise");
    assert!(!String::from_utf8_lossy(&output.stdout).contains(ds.api_key()));
}
