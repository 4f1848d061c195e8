//! Invoking agents, reporting external tasks, and the agent cache.

use super::*;

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
