//! The platform client against a real HTTP server on loopback: headers, retries, errors,
//! timeouts, blocking calls and the task operations.

mod common;

use std::time::Duration;

use common::{TestServer, config_for, json, redirect, task_json, text};
use serde_json::json;
use xpander_runtime::model::{
    CreateTaskRequest, TaskReportRequest, TaskUpdate, TaskUpdateEventType, Tokens,
};
use xpander_runtime::{
    AgentExecutionStatus, Agents, Configuration, Error, Task, TaskUpdateEvent, Tasks,
};

#[tokio::test]
async fn sends_the_api_key_and_retries_503_until_success() {
    let server = TestServer::start(|_, n| {
        if n < 2 {
            text(503, "text/plain", "busy")
        } else {
            json(200, task_json("t1"))
        }
    })
    .await;
    let task = Tasks::new(server.config()).aget("t1").await.unwrap();
    assert_eq!(task.id, "t1");
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|r| r.uri.path() == "/agent-execution/t1/status")
    );
    assert!(
        seen.iter()
            .all(|r| r.headers["x-api-key"] == "test-key-s3cr3t")
    );
}

#[tokio::test]
async fn gives_up_after_the_last_attempt() {
    let server = TestServer::start(|_, _| text(502, "text/plain", "bad gateway")).await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn post_is_not_retried() {
    let server = TestServer::start(|_, _| text(503, "text/plain", "busy")).await;
    let err = Tasks::new(server.config())
        .acreate("AGENT", CreateTaskRequest::new("hi"))
        .await;
    assert_eq!(err.unwrap_err().status(), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn forbidden_is_a_clear_error_without_the_key() {
    let server =
        TestServer::start(|_, _| json(403, json!({"error": "invalid key test-key-s3cr3t"}))).await;
    let err = Agents::new(server.config()).aget("a1").await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Http { status: 403, .. }), "{err:?}");
    assert!(message.starts_with(&format!(
        "GET {}/agents/a1 returned HTTP 403",
        server.base_url
    )));
    assert!(
        message.contains("check XPANDER_API_KEY and XPANDER_ORGANIZATION_ID"),
        "{message}"
    );
    assert!(!message.contains("test-key-s3cr3t"), "{message}");
    assert_eq!(server.requests().len(), 1, "a 403 is not retried");
}

#[tokio::test]
async fn the_key_never_follows_a_redirect_to_another_origin() {
    let elsewhere = TestServer::start(|_, _| json(200, task_json("t1"))).await;
    let target = format!("{}/agent-execution/t1/status", elsewhere.base_url);
    let platform = TestServer::start(move |_, _| redirect(&target)).await;
    let err = Tasks::new(platform.config()).aget("t1").await.unwrap_err();
    assert!(err.to_string().contains("another origin"), "{err}");
    assert!(!err.to_string().contains("test-key-s3cr3t"), "{err}");
    assert_eq!(
        elsewhere.requests().len(),
        0,
        "the other host saw no request"
    );
}

#[tokio::test]
async fn a_redirect_within_the_platform_is_followed() {
    let platform = TestServer::start(|seen, _| match seen.uri.path() {
        "/agent-execution/t1/status" => redirect("/moved/t1"),
        _ => json(200, task_json("t1")),
    })
    .await;
    let task = Tasks::new(platform.config()).aget("t1").await.unwrap();
    assert_eq!(task.id, "t1");
    let seen = platform.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers["x-api-key"], "test-key-s3cr3t");
}

#[tokio::test]
async fn an_answer_over_64_mib_is_refused_before_it_is_held() {
    const OVER: usize = 64 * 1024 * 1024 + 1;
    // Announced by Content-Length, and streamed without one.
    let announced =
        TestServer::start(|_, _| text(200, "application/json", &"x".repeat(OVER))).await;
    let streamed = TestServer::start(|_, _| {
        let chunks = (0..65).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024 * 1024]));
        axum::response::Response::builder()
            .header("content-type", "application/json")
            .body(axum::body::Body::from_stream(futures_util::stream::iter(
                chunks,
            )))
            .unwrap()
    })
    .await;
    for server in [announced, streamed] {
        let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("the answer is over 67108864 bytes"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn malformed_json_names_the_path() {
    let server = TestServer::start(|_, _| {
        let mut task = task_json("t1");
        task["input"]["user"] = json!({"id": "u1"});
        json(200, task)
    })
    .await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, "input.user.email");
    assert_eq!(decode.message, "missing field");
    assert!(
        err.to_string()
            .ends_with("/agent-execution/t1/status: input.user.email: missing field")
    );
}

#[tokio::test]
async fn a_non_json_response_is_a_decode_error() {
    let server = TestServer::start(|_, _| text(200, "text/html", "<html>login</html>")).await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a JSON response, got content type `text/html`: <html>login</html>"),
        "{err}"
    );
}

#[tokio::test]
async fn the_request_timeout_fires() {
    let server = TestServer::start(|_, _| {
        std::thread::sleep(Duration::from_millis(600));
        json(200, task_json("t1"))
    })
    .await;
    let config = Configuration::builder()
        .api_key("k")
        .organization_id("ORG")
        .base_url(&server.base_url)
        .request_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = Tasks::new(config).aget("t1").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out after 0.1 s"), "{err}");
}

#[tokio::test]
async fn an_unreachable_platform_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = Tasks::new(config_for(&base)).aget("t1").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("GET {base}/agent-execution/t1/status failed: "))
    );
}

#[tokio::test]
async fn agent_version_goes_in_a_header() {
    let server = TestServer::start(|_, _| {
        json(
            200,
            json!({"id": "a1", "organization_id": "ORG", "name": "A", "unique_name": "a",
            "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1"}),
        )
    })
    .await;
    let agents = Agents::new(server.config());
    agents.aget("a1").await.unwrap();
    agents.aget_version("a1", 3).await.unwrap();
    let seen = server.requests();
    assert!(!seen[0].headers.contains_key("x-agent-version"));
    assert_eq!(seen[1].headers["x-agent-version"], "3");
}

#[tokio::test]
async fn create_sends_every_key_and_the_version_header() {
    let server = TestServer::start(|_, _| json(200, task_json("t1"))).await;
    let request = CreateTaskRequest::new("hi")
        .agent_version("2")
        .source("sdk");
    Tasks::new(server.config())
        .acreate("AGENT", request)
        .await
        .unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.uri.path(), "/agent-execution/AGENT");
    assert_eq!(seen.headers["x-agent-version"], "2");
    assert_eq!(seen.headers["content-type"], "application/json");
    let body = seen.json();
    assert_eq!(body.as_object().unwrap().len(), 27);
    assert_eq!(
        body["input"],
        json!({"text": "hi", "files": [], "user": null})
    );
}

#[tokio::test]
async fn save_is_authoritative_and_set_status_keeps_the_result() {
    let server = TestServer::start(|request, _| {
        let mut body = request.json();
        body["internal_status"] = json!("seen-by-server");
        json(200, body)
    })
    .await;
    let mut task = Tasks::new(server.config())
        .aupdate("t1", &TaskUpdate::default())
        .await;
    // The sparse update echoes a sparse body, which is not a task.
    assert!(matches!(task, Err(Error::Decode(_))));
    task = Ok(Task {
        id: "t1".into(),
        ..Task::from_prompt("hi")
    }
    .with_configuration(server.config()));
    let mut task = task.unwrap();
    task.result = Some("kept".into());
    task.set_status(AgentExecutionStatus::Executing)
        .await
        .unwrap();
    assert_eq!(task.result.as_deref(), Some("kept"));
    assert_eq!(task.internal_status.as_deref(), Some("seen-by-server"));
    let patch = server.requests().pop().unwrap();
    assert_eq!(patch.method, "PATCH");
    assert_eq!(patch.uri.path(), "/agent-execution/t1/update");
    let body = patch.json();
    assert_eq!(body["status"], "executing");
    assert!(body.get("deep_planning").is_none());
    assert_eq!(body.as_object().unwrap().len(), 55);
}

#[tokio::test]
async fn metrics_use_the_tasks_own_configuration_and_duration() {
    let server = TestServer::start(|_, _| json(200, json!({}))).await;
    let mut task = Task {
        agent_id: "AGENT".into(),
        ..Task::from_prompt("hi")
    }
    .with_configuration(server.config());
    assert!(
        task.report_metrics().await.is_err(),
        "no tokens, nothing to report"
    );
    task.tokens = Some(Tokens::new(7, 5));
    task.duration = 1.5;
    task.used_tools = vec!["search".into()];
    task.status = AgentExecutionStatus::Completed;
    task.report_metrics().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].uri.path(), "/agents-metrics/AGENT/execution");
    let body = seen[0].json();
    assert_eq!(body["duration"], 1.5);
    assert_eq!(body["source"], "sdk");
    assert_eq!(body["status"], "completed");
    assert_eq!(body["api_calls_made"], json!(["search"]));
    assert_eq!(body["llm_tokens"]["worker"]["total_tokens"], 12);
}

#[tokio::test]
async fn external_reports_and_event_pushes() {
    let server = TestServer::start(|request, _| {
        if request.uri.path().ends_with("/report_task") {
            json(200, task_json("x"))
        } else {
            json(200, json!({}))
        }
    })
    .await;
    let report = TaskReportRequest {
        id: Some("x".into()),
        input: Some("in".into()),
        ..Default::default()
    };
    let task = Task::report_external_task(&server.config(), "AGENT", &report)
        .await
        .unwrap();
    let event = TaskUpdateEvent::new(
        TaskUpdateEventType::AuthEvent,
        &task.id,
        "ORG",
        json!({"type": "token_ready"}),
    );
    task.push_event(&event).await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].uri.path(), "/agent-execution/AGENT/report_task");
    assert_eq!(seen[0].json()["is_success"], true);
    assert_eq!(seen[1].uri.path(), "/agent-execution/x/events/push");
    let pushed = seen[1].json();
    assert_eq!(pushed[0]["type"], "auth_event");
    assert_eq!(pushed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unbound_task_says_how_to_bind_it() {
    let mut task = Task::from_prompt("hi");
    let err = task.save().await.unwrap_err();
    assert!(
        err.to_string().contains("is not bound to a platform"),
        "{err}"
    );
}

#[tokio::test]
async fn to_message_inlines_readable_files_and_their_errors() {
    let server = TestServer::start(|request, _| match request.uri.path() {
        "/notes.txt" => text(200, "text/plain", "café"),
        _ => text(404, "text/plain", "nope"),
    })
    .await;
    let mut task = Task::from_prompt("Read these").with_configuration(server.config());
    let notes = format!("{}/notes.txt", server.base_url);
    let missing = format!("{}/missing.md", server.base_url);
    let image = format!("{}/pic.png", server.base_url);
    task.input.files = vec![notes.clone(), image.clone(), missing.clone()];
    let message = task.to_message().await;
    let mut lines = message.lines();
    assert_eq!(lines.next(), Some("Read these"));
    assert_eq!(
        lines.next(),
        Some(format!("Files: {notes}, {image}, {missing}").as_str())
    );
    assert_eq!(lines.next(), Some("Files contents:"));
    assert_eq!(
        lines.next(),
        Some(format!(r#"{{"url": "{notes}", "content": "caf\u00e9"}}"#).as_str())
    );
    let error_line = lines.next().unwrap();
    assert!(
        error_line.starts_with(&format!(r#"{{"url": "{missing}", "content": "Error: "#)),
        "{error_line}"
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.headers.contains_key("x-api-key")),
        "file fetches carry no key"
    );

    task.disable_attachment_injection = true;
    let before = server.requests().len();
    let message = task.to_message().await;
    assert!(message.ends_with(&format!(
        "Files contents:\n{{\"url\": \"{notes}\"}}\n{{\"url\": \"{missing}\"}}"
    )));
    assert_eq!(server.requests().len(), before, "nothing fetched");
}

#[test]
fn blocking_calls_work_from_plain_sync_code() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(|_, _| json(200, task_json("t1"))));
    let tasks = Tasks::new(server.config());
    assert_eq!(tasks.get("t1").unwrap().id, "t1");
    assert_eq!(tasks.get("t1").unwrap().id, "t1");
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_calls_work_inside_a_current_thread_runtime() {
    // The server runs on its own runtime: this one is blocked while the call waits.
    let (server, runtime) = std::thread::spawn(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(TestServer::start(|_, _| json(200, task_json("t1"))));
        (server, runtime)
    })
    .join()
    .unwrap();
    assert_eq!(Tasks::new(server.config()).get("t1").unwrap().id, "t1");
    std::thread::spawn(move || drop(runtime));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_calls_work_inside_a_multi_thread_runtime() {
    let server = TestServer::start(|_, _| json(200, task_json("t1"))).await;
    assert_eq!(Tasks::new(server.config()).get("t1").unwrap().id, "t1");
}
