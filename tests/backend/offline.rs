//! Offline resolution from agent files, platform tools, and secrecy.

use super::*;

// --- offline -------------------------------------------------------------------------------------

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
