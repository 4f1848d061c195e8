//! MCP OAuth auth events during args resolution, against the devserver: the platform push, the
//! per-call callback and the `#[on_auth_event]` hooks (in registry order, isolated), polling,
//! timeouts, refusals, and the tokens callers supply.
//!
//! The hooks below are registered for this whole test binary, so every recording is keyed by
//! task id.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults};
use xpander_runtime::backend::{
    AuthCallback, AuthEventData, AuthPolling, BackendError, McpConnection, ToolSpec,
};
use xpander_runtime::model::{CreateTaskRequest, User};
use xpander_runtime::{Agent, Backend, Task, TaskUpdateEvent, on_auth_event};

/// What handlers saw: (task id, "who:event type").
static SEEN: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn record(task: &Task, who: &str, event: &TaskUpdateEvent) {
    let kind = event.data["type"].as_str().unwrap_or("?").to_owned();
    SEEN.lock()
        .unwrap()
        .push((task.id.clone(), format!("{who}:{kind}")));
}

fn seen(task_id: &str) -> Vec<String> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|(id, _)| id == task_id)
        .map(|(_, what)| what.clone())
        .collect()
}

#[on_auth_event]
async fn a_failing_hook(
    _agent: &Agent,
    task: &Task,
    event: &TaskUpdateEvent,
) -> Result<(), String> {
    record(task, "a", event);
    Err("this hook always fails".into())
}

#[on_auth_event]
async fn b_recording_hook(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
    assert_eq!(agent.id, "mcp-agent");
    record(task, "b", event);
}

const SERVER_URL: &str = "https://mcp.example.com/mcp";

async fn start() -> DevServerHandle {
    let agent = json!({
        "id": "mcp-agent", "name": "MCP Agent", "model_provider": "openai", "model_name": "gpt-4.1",
        "agno_settings": {"session_storage": false},
        "graph": [{
            "id": "node-github", "item_id": "mcp-github", "type": "mcp", "targets": [],
            "settings": {"mcp_settings": {"name": "GitHub", "url": SERVER_URL, "auth_type": "oauth2",
                                          "headers": {"x-static": "kept"}}},
        }],
    });
    DevServer::start(DevServerOptions::default().agent(agent))
        .await
        .unwrap()
}

fn backend(server: &DevServerHandle, timeout: Duration) -> Backend {
    let config = server.configuration().build().unwrap();
    Backend::builder()
        .configuration(config)
        .auth_polling(AuthPolling {
            interval: Duration::from_millis(20),
            timeout,
        })
        .build()
}

async fn task_with_user(server: &DevServerHandle, user_id: &str) -> Task {
    let user = User::new(format!("{user_id}@example.com")).with_id(user_id);
    server
        .create_task(
            "mcp-agent",
            CreateTaskRequest::new("list my repos").user(user),
        )
        .await
        .unwrap()
}

fn bearer(args: &xpander_runtime::AgentArgs) -> String {
    let ToolSpec::Mcp(mcp) = args
        .tools
        .iter()
        .find(|t| matches!(t, ToolSpec::Mcp(_)))
        .unwrap()
    else {
        unreachable!()
    };
    let McpConnection::Http { headers, .. } = &mcp.connection else {
        panic!("{mcp:?}")
    };
    assert_eq!(headers["x-static"].expose(), "kept");
    headers["Authorization"].expose().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_and_hooks_both_run_in_order_and_a_failing_one_stops_nothing() {
    let server = Arc::new(start().await);
    let backend = backend(&server, Duration::from_secs(10));
    let task = task_with_user(&server, "user-both").await;

    let pushed_before_callback = Arc::new(Mutex::new(Vec::new()));
    let callback = {
        let server = server.clone();
        let pushed = pushed_before_callback.clone();
        AuthCallback::owned(move |agent: Agent, task: Task, event: TaskUpdateEvent| {
            let server = server.clone();
            let pushed = pushed.clone();
            async move {
                assert_eq!(agent.id, "mcp-agent");
                record(&task, "callback", &event);
                let on_platform = server.task_info(&task.id).await.unwrap().events.len();
                pushed.lock().unwrap().push(on_platform);
                if let Some(AuthEventData::LoginRequired {
                    url,
                    server_url,
                    server_name,
                }) = AuthEventData::of(&event)
                {
                    assert_eq!(server_url.as_deref(), Some(SERVER_URL));
                    assert_eq!(server_name.as_deref(), Some("GitHub"));
                    support::open_login(&url).await;
                }
            }
        })
    };
    let args = backend
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .auth_events_callback(callback)
        .await
        .unwrap();

    assert_eq!(
        seen(&task.id),
        [
            "callback:login_required",
            "a:login_required",
            "b:login_required",
            "callback:token_ready",
            "a:token_ready",
            "b:token_ready",
        ]
    );
    assert_eq!(
        *pushed_before_callback.lock().unwrap(),
        [1, 2],
        "each event reached the platform first"
    );

    let token = bearer(&args);
    assert!(token.starts_with("Bearer devserver-mcp-"), "{token}");
    let events = server.task_info(&task.id).await.unwrap().events;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["type"], "auth_event");
    assert_eq!(events[0]["data"]["type"], "login_required");
    assert_eq!(
        events[1]["data"],
        json!({"type": "token_ready", "data": {"access_token": "REDACTED", "server_url": SERVER_URL, "server_name": "GitHub"}})
    );
    let raw_token = token.trim_start_matches("Bearer ");
    for shown in [
        Value::Array(events).to_string(),
        format!("{args:?}"),
        Value::Object(args.render()).to_string(),
    ] {
        assert!(!shown.contains(raw_token), "the token leaked: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hooks_alone_are_invoked() {
    let server = Arc::new(start().await);
    let task = task_with_user(&server, "user-hooks").await;
    let approver = tokio::spawn(support::approve_when_asked(server.clone(), task.id.clone()));
    let args = backend(&server, Duration::from_secs(10))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap();
    approver.await.unwrap();
    assert!(bearer(&args).starts_with("Bearer devserver-mcp-"));
    assert_eq!(
        seen(&task.id),
        [
            "a:login_required",
            "b:login_required",
            "a:token_ready",
            "b:token_ready"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_callback_does_not_stop_the_hooks_or_the_login() {
    let server = Arc::new(start().await);
    let task = task_with_user(&server, "user-failing-callback").await;
    let approver = tokio::spawn(support::approve_when_asked(server.clone(), task.id.clone()));
    let callback = AuthCallback::owned(
        |_agent: Agent, task: Task, event: TaskUpdateEvent| async move {
            record(&task, "callback", &event);
            Err::<(), _>("the callback failed")
        },
    );
    let args = backend(&server, Duration::from_secs(10))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .auth_events_callback(callback)
        .await
        .unwrap();
    approver.await.unwrap();
    assert!(bearer(&args).starts_with("Bearer "));
    assert_eq!(seen(&task.id).len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_goes_on_through_transient_errors() {
    let server = Arc::new(start().await);
    let task = task_with_user(&server, "user-transient").await;
    let callback = {
        let server = server.clone();
        AuthCallback::owned(move |_agent: Agent, _task: Task, event: TaskUpdateEvent| {
            let server = server.clone();
            async move {
                let Some(url) =
                    AuthEventData::of(&event).and_then(|d| d.login_url().map(str::to_owned))
                else {
                    return;
                };
                // The platform stumbles for a while; then the user logs in.
                let failing = Faults {
                    errors: vec![ErrorFault {
                        pattern: "/mcp_auth/*".into(),
                        method: None,
                        status: 503,
                        rate: 1.0,
                    }],
                    ..Faults::default()
                };
                server.set_faults(failing).await.unwrap();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    server.set_faults(Faults::default()).await.unwrap();
                    support::open_login(&url).await;
                });
            }
        })
    };
    let args = backend(&server, Duration::from_secs(10))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .auth_events_callback(callback)
        .await
        .unwrap();
    assert!(bearer(&args).starts_with("Bearer devserver-mcp-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_not_completed_in_time_is_a_clear_error() {
    let server = start().await;
    let task = task_with_user(&server, "user-timeout").await;
    let started = std::time::Instant::now();
    let err = backend(&server, Duration::from_millis(200))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(err, BackendError::McpAuthTimeout { ref server, .. } if server == "GitHub"),
        "{err}"
    );
    assert!(
        err.to_string().contains("did not complete the login"),
        "{err}"
    );
    assert_eq!(seen(&task.id), ["a:login_required", "b:login_required"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_request_is_a_clear_error() {
    let server = start().await;
    server
        .set_faults(Faults {
            errors: vec![ErrorFault {
                pattern: "/mcp_auth/*".into(),
                method: None,
                status: 403,
                rate: 1.0,
            }],
            ..Faults::default()
        })
        .await
        .unwrap();
    let task = task_with_user(&server, "user-refused").await;
    let err = backend(&server, Duration::from_secs(5))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BackendError::Platform(ref e) if e.status() == Some(403)),
        "{err}"
    );
    assert!(seen(&task.id).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_the_caller_supplies_need_no_login() {
    let server = start().await;
    let backend = backend(&server, Duration::from_millis(200));
    let mut task = task_with_user(&server, "user-supplied").await;

    task.user_tokens =
        Some(serde_json::from_value(json!({"node-github": "caller-token"})).unwrap());
    let args = backend
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap();
    assert_eq!(bearer(&args), "Bearer caller-token");

    // A headers object replaces the server's headers and carries the credential itself.
    task.user_tokens = Some(
        serde_json::from_value(
            json!({"node-github": {"x-static": "kept", "Authorization": "Token abc"}}),
        )
        .unwrap(),
    );
    let args = backend
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap();
    assert_eq!(bearer(&args), "Token abc");
    assert!(seen(&task.id).is_empty(), "no login, no events");
    assert!(server.task_info(&task.id).await.unwrap().events.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_without_a_user_cannot_log_in() {
    let server = start().await;
    let task = server
        .create_task("mcp-agent", CreateTaskRequest::new("hi"))
        .await
        .unwrap();
    let err = backend(&server, Duration::from_millis(200))
        .aget_args()
        .agent_id("mcp-agent")
        .task(&task)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BackendError::McpAuthUnavailable { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("task.input.user.id"), "{err}");
}
