//! The worker against xpander-devserver over loopback: task lifecycle, concurrency and
//! capacity, failures, reconnects, faults, shutdown, several agents, the request sequence.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use xpander_devserver::{
    DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults, TaskInfo,
};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, Tokens};
use xpander_runtime::{
    AgentExecutionStatus, Configuration, Error, Events, EventsHandle, Handler, Task,
};

const WAIT: Duration = Duration::from_secs(20);

async fn devserver() -> DevServerHandle {
    DevServer::start(DevServerOptions::default()).await.unwrap()
}

fn config(ds: &DevServerHandle) -> Configuration {
    ds.configuration().agent_id(ds.agent_id()).build().unwrap()
}

fn events(ds: &DevServerHandle) -> Events {
    Events::new()
        .configuration(config(ds))
        .reconnect_backoff(Duration::from_millis(50), Duration::from_millis(400))
}

/// Counts how often each task ran and how many ran at once.
#[derive(Default)]
struct Probe {
    runs: Mutex<HashMap<String, usize>>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl Probe {
    fn runs_of(&self, id: &str) -> usize {
        self.runs.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

/// The echo handler of examples/echo_worker.rs, instrumented.
fn echo(probe: Arc<Probe>) -> Handler {
    Handler::new(move |mut task: Task| {
        let probe = probe.clone();
        async move {
            *probe
                .runs
                .lock()
                .unwrap()
                .entry(task.id.clone())
                .or_default() += 1;
            let now = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
            probe.most_at_once.fetch_max(now, Ordering::SeqCst);
            let outcome = respond(&mut task).await;
            probe.running.fetch_sub(1, Ordering::SeqCst);
            outcome.map(|()| task)
        }
    })
}

async fn respond(task: &mut Task) -> Result<(), String> {
    let prompt = task.input.text.clone();
    let mut text = prompt.as_str();
    if let Some(rest) = text.strip_prefix("sleep:") {
        let (millis, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        tokio::time::sleep(Duration::from_millis(millis.parse().unwrap())).await;
        text = rest;
    }
    if text.starts_with("panic") {
        panic!("asked to panic");
    }
    if text.starts_with("fail") {
        return Err(format!("asked to fail: {text}"));
    }
    if task.output_format == Some(OutputFormat::Json) {
        task.set_result_json(&json!({ "echo": text }));
    } else {
        task.result = Some(text.to_owned());
    }
    task.tokens = Some(Tokens::new(7, 5));
    task.used_tools = vec!["echo".into()];
    Ok(())
}

/// Serves the devserver's agent with the echo handler.
fn serve_echo(ds: &DevServerHandle, events: Events) -> (EventsHandle, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    let handle = events
        .register_agent_worker(ds.agent_id(), echo(probe.clone()))
        .spawn()
        .unwrap();
    (handle, probe)
}

/// Creates `count` tasks `t0`, `t1`, ... and waits until all completed.
async fn create_and_complete(ds: &DevServerHandle, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(create(ds, &format!("t{i}")).await);
    }
    for info in all_terminal(ds, count).await {
        assert_eq!(
            info.task.status,
            AgentExecutionStatus::Completed,
            "{}",
            info.task.id
        );
    }
    ids
}

async fn create(ds: &DevServerHandle, prompt: &str) -> String {
    ds.create_task(ds.agent_id(), CreateTaskRequest::new(prompt))
        .await
        .unwrap()
        .id
}

async fn all_terminal(ds: &DevServerHandle, count: usize) -> Vec<TaskInfo> {
    ds.wait_for_tasks(count, WAIT, |t| t.task.status.is_terminal())
        .await
        .unwrap_or_else(|| panic!("not all {count} tasks ended: {:#?}", statuses(ds)))
}

fn statuses(ds: &DevServerHandle) -> String {
    let ds = ds.base_url().to_owned();
    format!("(see {ds}/_dev/tasks)")
}

async fn registered(ds: &DevServerHandle, workers: usize) {
    ds.wait_for_workers(WAIT, |w| {
        w.iter().filter(|w| w.gone_at.is_none()).count() >= workers
    })
    .await
    .expect("the worker registered");
}

#[tokio::test]
async fn runs_every_task_once_and_saves_results_timestamps_and_metrics() {
    let ds = devserver().await;
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(create(&ds, &format!("hello {i}")).await);
    }
    let json_id = ds
        .create_task(
            ds.agent_id(),
            CreateTaskRequest::new("structured").output_format(OutputFormat::Json),
        )
        .await
        .unwrap()
        .id;
    all_terminal(&ds, 21).await;
    // Metrics follow the final save: wait for them too.
    let done = ds
        .wait_for_tasks(21, WAIT, |t| {
            t.task.status.is_terminal() && !t.metrics.is_empty()
        })
        .await
        .expect("metrics for every task");
    for info in &done {
        let task = &info.task;
        assert_eq!(task.status, AgentExecutionStatus::Completed, "{}", task.id);
        assert_eq!(probe.runs_of(&task.id), 1);
        assert!(task.started_at.is_some() && task.finished_at.is_some());
        assert_eq!(task.used_tools, ["echo"], "the handler's tools are kept");
        assert_eq!(info.metrics.len(), 1, "metrics reported once");
        assert_eq!(info.metrics[0]["llm_tokens"]["worker"]["total_tokens"], 12);
        assert!(
            info.metrics[0]["duration"].as_f64().unwrap() > 0.0,
            "a real duration"
        );
    }
    let first = ds.task(&ids[3]).await.unwrap();
    assert_eq!(first.result.as_deref(), Some("hello 3"));
    assert_eq!(
        ds.task(&json_id).await.unwrap().result.as_deref(),
        Some(r#"{"echo": "structured"}"#)
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn never_exceeds_the_concurrency_limit_and_reports_capacity_on_transitions() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .max_sync_workers(3)
        .register_agent_worker(ds.agent_id(), echo(probe.clone()))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    for _ in 0..9 {
        create(&ds, "sleep:200 x").await;
    }
    all_terminal(&ds, 9).await;
    assert_eq!(probe.most_at_once.load(Ordering::SeqCst), 3);
    let worker = ds
        .wait_for_workers(WAIT, |w| {
            w.iter().any(|w| w.capacity_updates >= 2 && !w.is_busy)
        })
        .await;
    let worker = &worker.expect("busy then free")[0];
    assert_eq!(
        worker.capacity_updates % 2,
        0,
        "busy and free alternate: {worker:?}"
    );
    assert!(
        worker.capacity_updates <= 6,
        "transitions only, not one per task: {worker:?}"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn panics_errors_and_timeouts_fail_only_their_task() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .task_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    let panicked = create(&ds, "panic now").await;
    let failed = create(&ds, "fail please").await;
    let slow = create(&ds, "sleep:5000 too slow").await;
    let fine = create(&ds, "fine").await;
    all_terminal(&ds, 4).await;
    let result = |id: String| {
        let ds = &ds;
        async move {
            let task = ds.task(&id).await.unwrap();
            (task.status, task.result.unwrap_or_default())
        }
    };
    assert_eq!(
        result(panicked).await,
        (
            AgentExecutionStatus::Error,
            "handler panicked: asked to panic".into()
        )
    );
    assert_eq!(
        result(failed).await,
        (
            AgentExecutionStatus::Error,
            "asked to fail: fail please".into()
        )
    );
    assert_eq!(
        result(slow).await,
        (
            AgentExecutionStatus::Error,
            "handler timed out after 0.3 s".into()
        )
    );
    assert_eq!(
        result(fine).await,
        (AgentExecutionStatus::Completed, "fine".into())
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn sync_handlers_run_on_the_blocking_pool() {
    let ds = devserver().await;
    let handler = Handler::blocking(|mut task: Task| {
        std::thread::sleep(Duration::from_millis(50));
        task.result = Some(format!("blocking: {}", task.input.text));
        task
    });
    let handle = events(&ds)
        .register_agent_worker(ds.agent_id(), handler)
        .spawn()
        .unwrap();
    let id = create(&ds, "hi").await;
    all_terminal(&ds, 1).await;
    assert_eq!(
        ds.task(&id).await.unwrap().result.as_deref(),
        Some("blocking: hi")
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn dropped_streams_reconnect_and_lose_or_repeat_nothing() {
    let ds = devserver().await;
    ds.set_faults(Faults {
        drop_sse_every: Some(3),
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let ids = create_and_complete(&ds, 30).await;
    assert!(
        ids.iter().all(|id| probe.runs_of(id) == 1),
        "each task ran exactly once"
    );
    let connects = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/events/"))
        .count();
    assert!(
        connects >= 5,
        "the worker reconnected ({connects} connections)"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn transient_503s_on_updates_are_retried() {
    let ds = devserver().await;
    let fault = ErrorFault {
        pattern: "/agent-execution/*/update".into(),
        method: Some("PATCH".into()),
        status: 503,
        rate: 0.3,
    };
    ds.set_faults(Faults {
        seed: 7,
        errors: vec![fault],
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    create_and_complete(&ds, 15).await;
    let rejected = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.status == 503)
        .count();
    assert!(rejected > 0, "the fault fired");
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_malformed_event_is_skipped_and_the_worker_keeps_serving() {
    let ds = devserver().await;
    ds.set_faults(Faults {
        malformed_every: Some(2),
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    create_and_complete(&ds, 6).await;
    // Every other malformed payload is cut short (no id can be read); the others are reported.
    let reports = ds
        .requests()
        .await
        .into_iter()
        .filter(|r| r.path.starts_with("/agent-execution/MALFORMED-"))
        .count();
    assert!(
        reports >= 1,
        "a malformed task with a readable id was reported"
    );
    assert!(!handle.is_finished());
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_waits_for_running_tasks_then_says_finished() {
    let ds = devserver().await;
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let ids = [
        create(&ds, "sleep:700 a").await,
        create(&ds, "sleep:700 b").await,
    ];
    ds.wait_for_tasks(2, WAIT, |t| {
        t.task.status == AgentExecutionStatus::Executing
    })
    .await
    .unwrap();
    handle.stop().await.unwrap();
    for id in ids {
        assert_eq!(
            ds.task(&id).await.unwrap().status,
            AgentExecutionStatus::Completed
        );
    }
    let finished = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.event.as_deref() == Some("worker-finished"))
        .count();
    assert_eq!(finished, 1);
}

#[tokio::test]
async fn tasks_still_running_at_the_shutdown_timeout_are_reported_as_errors() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .shutdown_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    let id = create(&ds, "sleep:30000 forever").await;
    ds.wait_for_task(&id, WAIT, |t| t.status == AgentExecutionStatus::Executing)
        .await
        .unwrap();
    handle.stop().await.unwrap();
    let task = ds.task(&id).await.unwrap();
    assert_eq!(task.status, AgentExecutionStatus::Error);
    assert_eq!(
        task.result.as_deref(),
        Some("worker shut down before the task finished")
    );
}

#[tokio::test]
async fn a_wrong_key_on_the_first_connection_is_a_clear_error() {
    let ds = devserver().await;
    let config = Configuration::builder()
        .api_key("wrong")
        .organization_id(ds.org())
        .base_url(ds.base_url())
        .build()
        .unwrap();
    let handle = Events::new()
        .configuration(config)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    let err = tokio::time::timeout(WAIT, handle.join())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, Error::WorkerRejected { status: 403, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("check XPANDER_API_KEY and XPANDER_ORGANIZATION_ID"),
        "{err}"
    );
}

#[tokio::test]
async fn a_worker_of_the_other_environment_is_a_conflict() {
    let ds = devserver().await;
    let local = events(&ds)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    let cloud = ds.configuration().cloud(true).build().unwrap();
    let conflicting = Events::new()
        .configuration(cloud)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    let err = tokio::time::timeout(WAIT, conflicting.join())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::EnvironmentConflict(_)), "{err}");
    local.stop().await.unwrap();
}

#[tokio::test]
async fn one_process_serves_two_agents() {
    let ds = devserver().await;
    let second = ds
        .upsert_agent(json!({"id": "agent-two", "organization_id": ds.org(), "name": "Two",
            "unique_name": "two", "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1"}))
        .await
        .unwrap();
    let handle = events(&ds)
        .register_agent_worker(
            ds.agent_id(),
            Handler::new(|mut t: Task| async move {
                t.result = Some("one".into());
                t
            }),
        )
        .register_agent_worker(
            &second.id,
            Handler::new(|mut t: Task| async move {
                t.result = Some("two".into());
                t
            }),
        )
        .spawn()
        .unwrap();
    let a = create(&ds, "x").await;
    let b = ds
        .create_task(&second.id, CreateTaskRequest::new("y"))
        .await
        .unwrap()
        .id;
    all_terminal(&ds, 2).await;
    assert_eq!(ds.task(&a).await.unwrap().result.as_deref(), Some("one"));
    assert_eq!(ds.task(&b).await.unwrap().result.as_deref(), Some("two"));
    assert_eq!(handle.agents().len(), 2);
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn heartbeats_every_two_seconds() {
    let ds = devserver().await;
    let handle = events(&ds)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let beats: Vec<f64> = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.event.as_deref() == Some("worker-heartbeat"))
        .map(|r| r.time.parse().unwrap().timestamp_millis() as f64 / 1000.0)
        .collect();
    assert!((3..=4).contains(&beats.len()), "{beats:?}");
    for pair in beats.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((1.7..2.6).contains(&gap), "heartbeat gap {gap:.2} s");
    }
    handle.stop().await.unwrap();
}

/// protocol.md §3.6 with the documented improvements: no capacity message without a
/// transition, and `worker-finished` at the end.
#[tokio::test]
async fn the_request_sequence_of_two_tasks_matches_the_protocol() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle: EventsHandle = events(&ds)
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    let before = ds.requests().await.len();
    let ids = [create(&ds, "a").await, create(&ds, "b").await];
    ds.wait_for_tasks(2, WAIT, |t| !t.metrics.is_empty())
        .await
        .expect("both reported");
    handle.stop().await.unwrap();
    let log = ds.requests().await;
    let (org, agent) = (ds.org().to_owned(), ds.agent_id().to_owned());
    let first = &log[0];
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("GET", format!("/{org}/events/{agent}/").as_str())
    );
    assert_eq!(first.query.as_deref(), Some("environment=local"));
    let heartbeat = log
        .iter()
        .find(|r| r.event.as_deref() == Some("worker-heartbeat"))
        .unwrap();
    assert!(
        heartbeat
            .path
            .starts_with(&format!("/{org}/events/WORKER-"))
    );
    assert_eq!(
        heartbeat.query.as_deref(),
        Some(format!("type=worker&agent_id={agent}").as_str())
    );
    let worker_channel = format!("/{org}/events/");
    let calls: Vec<(String, String)> = log[before..]
        .iter()
        .filter(|r| !r.path.starts_with(&worker_channel) && !r.path.starts_with("/_dev"))
        .filter(|r| !(r.method == "POST" && r.path == format!("/agent-execution/{agent}")))
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    for id in &ids {
        let mine: Vec<_> = calls
            .iter()
            .filter(|(_, path)| path.contains(id.as_str()))
            .cloned()
            .collect();
        let update = format!("/agent-execution/{id}/update");
        let status = format!("/agent-execution/{id}/status");
        assert_eq!(
            mine,
            [
                ("PATCH".into(), update.clone()),
                ("GET".into(), status),
                ("PATCH".into(), update)
            ],
            "the calls for task {id}"
        );
    }
    let metrics = format!("/agents-metrics/{agent}/execution");
    let rest: Vec<_> = calls
        .iter()
        .filter(|(_, p)| !ids.iter().any(|id| p.contains(id.as_str())))
        .collect();
    assert_eq!(
        rest,
        [
            &("POST".to_owned(), metrics.clone()),
            &("POST".to_owned(), metrics)
        ]
    );
    let post_backs: Vec<_> = log
        .iter()
        .filter(|r| r.path.starts_with(&worker_channel) && r.method == "POST")
        .collect();
    assert!(
        post_backs.iter().all(|r| r.status == 200),
        "every POST-back accepted: {post_backs:#?}"
    );
    assert_eq!(
        post_backs.last().unwrap().event.as_deref(),
        Some("worker-finished")
    );
    // Two tasks never fill six slots; the only capacity message allowed is the busy one a
    // stopping worker sends while its last task reports metrics, just before it finishes.
    let capacity: Vec<_> = post_backs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.event.as_deref() == Some("worker-capacity-update"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        capacity.is_empty() || capacity == [post_backs.len() - 2],
        "{post_backs:#?}"
    );
}

#[tokio::test]
async fn survives_a_devserver_restart_with_its_state() {
    let state = std::env::temp_dir().join(format!(
        "xpander-worker-restart-{}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&state);
    let options = DevServerOptions {
        state_file: Some(state.clone()),
        ..DevServerOptions::default()
    };
    let ds = DevServer::start(options.clone()).await.unwrap();
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let before = create(&ds, "before").await;
    all_terminal(&ds, 1).await;
    let (port, key) = (ds.addr().port(), ds.api_key().to_owned());
    ds.shutdown().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = DevServerOptions {
        port,
        api_key: Some(key),
        ..options
    };
    let ds = DevServer::start(restarted).await.unwrap();
    let after = create(&ds, "after").await;
    all_terminal(&ds, 2).await;
    assert_eq!(
        ds.task(&before).await.unwrap().result.as_deref(),
        Some("before"),
        "state was kept"
    );
    assert_eq!(
        ds.task(&after).await.unwrap().result.as_deref(),
        Some("after")
    );
    assert_eq!((probe.runs_of(&before), probe.runs_of(&after)), (1, 1));
    handle.stop().await.unwrap();
    let _ = std::fs::remove_file(&state);
}

#[tokio::test]
async fn a_silent_connection_is_replaced_after_the_read_idle_timeout() {
    let options = DevServerOptions {
        keep_alive: Duration::from_secs(30),
        ..DevServerOptions::default()
    };
    let ds = DevServer::start(options).await.unwrap();
    let handle = events(&ds)
        .read_idle_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let connects = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/events/"))
        .count();
    assert!(
        connects >= 3,
        "a silent stream is dropped and reopened ({connects} connections)"
    );
    handle.stop().await.unwrap();
}
