//! Resolving args: by id, by the configured agent, blocking and async, a preloaded agent, task
//! context, overrides, extra tools, dispatch and framework rendering (seeds 000-003).

use super::*;

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
