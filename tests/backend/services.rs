//! Auth events by callback, the examples as processes, the session database and knowledge
//! bases, and print_args.

use super::*;

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
