//! The worker's `/invoke` server over loopback, with a worker connected to the devserver:
//! both handler kinds (JSON and `text/event-stream` answers), the caller's key checked by the
//! platform, bad bodies, panics, the shared concurrency limit, and shutdown with a stream open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults};
use xpander_runtime::model::{
    AgentExecutionStatus, CreateTaskRequest, TaskUpdateEvent, TaskUpdateEventType,
};
use xpander_runtime::sse::{DEFAULT_MAX_EVENT, EventStream};
use xpander_runtime::{Events, EventsHandle, Handler, Task, TaskStream};

const LIMIT: Duration = Duration::from_secs(30);

/// A worker serving the devserver's agent, with its `/invoke` server on a free port.
struct Worker {
    handle: EventsHandle,
    url: String,
}

async fn serve(ds: &DevServerHandle, handler: Handler, slots: usize) -> Worker {
    let config = ds.configuration().build().unwrap();
    let handle = Events::new()
        .configuration(config)
        .max_sync_workers(slots)
        .shutdown_timeout(Duration::from_millis(500))
        .invoke_address(([127, 0, 0, 1], 0).into())
        .register_agent_worker(ds.agent_id(), handler)
        .spawn()
        .unwrap();
    ds.wait_for_workers(LIMIT, |w| !w.is_empty())
        .await
        .expect("the worker registers");
    let url = format!("http://{}/invoke", handle.invoke_address().unwrap());
    Worker { handle, url }
}

async fn start() -> DevServerHandle {
    DevServer::start(DevServerOptions::default()).await.unwrap()
}

/// A task on the platform that no worker is sent: the caller of `/invoke` runs it.
async fn platform_task(ds: &DevServerHandle, prompt: &str) -> Task {
    let request = CreateTaskRequest::new(prompt).run_locally(true);
    ds.create_task(ds.agent_id(), request).await.unwrap()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn invoke(url: &str, key: Option<&str>, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let mut request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    request.send().await.expect("the /invoke server answers")
}

async fn invoke_task(ds: &DevServerHandle, url: &str, task: &Task) -> reqwest::Response {
    invoke(url, Some(ds.api_key()), serde_json::to_vec(task).unwrap()).await
}

/// The events of a `text/event-stream` answer, read to its end.
async fn read_events(response: reqwest::Response) -> Vec<TaskUpdateEvent> {
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "text/event-stream");
    let mut stream = EventStream::new(Box::pin(response.bytes_stream()), DEFAULT_MAX_EVENT);
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(LIMIT, stream.next()).await.unwrap() {
        let event = event.expect("the stream reads");
        events.push(serde_json::from_str(&event.data).expect("each data line is an event"));
    }
    events
}

fn echo() -> Handler {
    Handler::new(|mut task: Task| async move {
        task.result = Some(format!("echo: {}", task.input.text));
        task
    })
}

fn words() -> Handler {
    Handler::streaming(|mut task: Task, stream: TaskStream| async move {
        let words: Vec<String> = task.input.text.split(' ').map(str::to_owned).collect();
        for word in &words {
            stream.chunk(format!("{word} ")).await;
        }
        task.result = Some(words.join(" "));
        task
    })
}

#[tokio::test]
async fn a_regular_handler_answers_with_the_saved_task() {
    let ds = start().await;
    let worker = serve(&ds, echo(), 2).await;
    let task = platform_task(&ds, "hello there").await;
    let response = invoke_task(&ds, &worker.url, &task).await;
    assert_eq!(response.status(), 200);
    let answer: Task = response.json().await.unwrap();
    assert_eq!(answer.id, task.id);
    assert_eq!(answer.status, AgentExecutionStatus::Completed);
    assert_eq!(answer.result.as_deref(), Some("echo: hello there"));
    let saved = ds.task(&task.id).await.unwrap();
    assert_eq!(
        saved.status,
        AgentExecutionStatus::Completed,
        "saved once, as delivered tasks are"
    );
    assert_eq!(saved.result, answer.result);
    let health = client()
        .get(worker.url.replace("/invoke", "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    worker.handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_streaming_handler_answers_with_its_events_then_task_finished() {
    let ds = start().await;
    let worker = serve(&ds, words(), 2).await;
    let task = platform_task(&ds, "one two three").await;
    let events = read_events(invoke_task(&ds, &worker.url, &task).await).await;
    let chunks: Vec<&Value> = events
        .iter()
        .filter(|e| e.event_type == TaskUpdateEventType::Chunk)
        .map(|e| &e.data)
        .collect();
    assert_eq!(chunks, [&json!("one "), &json!("two "), &json!("three ")]);
    let last = events.last().unwrap();
    assert_eq!(last.event_type, TaskUpdateEventType::TaskFinished);
    assert_eq!(
        events.len(),
        4,
        "the chunks, then task_finished: {events:?}"
    );
    assert_eq!(last.task_id, task.id);
    assert_eq!(last.data["status"], "completed");
    assert_eq!(last.data["result"], "one two three");
    let saved = ds.task(&task.id).await.unwrap();
    assert_eq!(saved.result.as_deref(), Some("one two three"));
    worker.handle.stop().await.unwrap();
}

#[tokio::test]
async fn callers_without_an_allowed_key_or_with_a_bad_body_are_refused() {
    let ds = start().await;
    let worker = serve(&ds, echo(), 2).await;
    let task = platform_task(&ds, "hi").await;
    let body = serde_json::to_vec(&task).unwrap();

    let missing = invoke(&worker.url, None, body.clone()).await;
    assert_eq!(missing.status(), 401);
    let detail: Value = missing.json().await.unwrap();
    assert_eq!(detail["detail"], "Missing x-api-key header");

    let refused = invoke(&worker.url, Some("not-the-key"), body.clone()).await;
    assert_eq!(refused.status(), 403);
    let detail: Value = refused.json().await.unwrap();
    assert_eq!(detail["detail"], "API key not allowed for this agent");

    // A platform that cannot answer the check refuses the call, and remembers nothing.
    let failing = Faults {
        errors: vec![ErrorFault {
            pattern: "/metadata/api_key_allowance".into(),
            method: None,
            status: 502,
            rate: 1.0,
        }],
        ..Faults::default()
    };
    ds.set_faults(failing).await.unwrap();
    let unchecked = invoke(&worker.url, Some(ds.api_key()), body.clone()).await;
    assert_eq!(unchecked.status(), 503);
    let detail: Value = unchecked.json().await.unwrap();
    let detail = detail["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.contains("HTTP 502") && detail.contains("try again"),
        "{detail}"
    );
    ds.set_faults(Faults::default()).await.unwrap();

    let mut broken: Value = serde_json::to_value(&task).unwrap();
    broken["input"] = json!(42);
    let bad = invoke(&worker.url, Some(ds.api_key()), broken.to_string()).await;
    assert_eq!(bad.status(), 400);
    let detail = bad.json::<Value>().await.unwrap()["detail"].to_string();
    assert!(
        detail.contains("Invalid Task payload") && detail.contains("input"),
        "{detail}"
    );

    let mut other: Value = serde_json::to_value(&task).unwrap();
    other["agent_id"] = json!("someone-else");
    let elsewhere = invoke(&worker.url, Some(ds.api_key()), other.to_string()).await;
    assert_eq!(elsewhere.status(), 404);

    // Nothing ran: the task is as it was created.
    let stored = ds.task(&task.id).await.unwrap();
    assert_eq!(stored.status, AgentExecutionStatus::Pending);
    // Two calls with the allowed key were checked with the platform once.
    let ok = invoke(&worker.url, Some(ds.api_key()), body.clone()).await;
    assert_eq!(ok.status(), 200);
    let checks = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.path.ends_with("/metadata/api_key_allowance"))
        .count();
    assert_eq!(
        checks, 3,
        "the refused key once; the allowed key on the failed check (not remembered) and once more"
    );
    worker.handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_an_error_stream_end() {
    let ds = start().await;
    let panicking = Handler::new(|task: Task| async move {
        if !task.id.is_empty() {
            panic!("the model exploded");
        }
        task
    });
    let worker = serve(&ds, panicking, 2).await;
    let task = platform_task(&ds, "boom").await;
    let response = invoke_task(&ds, &worker.url, &task).await;
    assert_eq!(response.status(), 500);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "handler panicked: the model exploded");
    let saved = ds.task(&task.id).await.unwrap();
    assert_eq!(saved.status, AgentExecutionStatus::Error);
    worker.handle.stop().await.unwrap();

    let streaming_panic = Handler::streaming(|task: Task, stream: TaskStream| async move {
        stream.chunk("partial ").await;
        if !task.id.is_empty() {
            panic!("mid-answer");
        }
        task
    });
    let worker = serve(&ds, streaming_panic, 2).await;
    let task = platform_task(&ds, "boom").await;
    let events = read_events(invoke_task(&ds, &worker.url, &task).await).await;
    assert_eq!(events[0].data, json!("partial "));
    let last = events.last().unwrap();
    assert_eq!(last.event_type, TaskUpdateEventType::TaskFinished);
    assert_eq!(last.data["status"], "error");
    assert_eq!(last.data["result"], "handler panicked: mid-answer");
    worker.handle.stop().await.unwrap();
}

/// Counts the handlers running at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    most: AtomicUsize,
    done: AtomicUsize,
}

#[tokio::test]
async fn invoked_and_delivered_tasks_share_the_concurrency_limit() {
    let ds = start().await;
    let gauge = Arc::new(Gauge::default());
    let handler = {
        let gauge = gauge.clone();
        Handler::new(move |task: Task| {
            let gauge = gauge.clone();
            async move {
                let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
                gauge.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                gauge.now.fetch_sub(1, Ordering::SeqCst);
                gauge.done.fetch_add(1, Ordering::SeqCst);
                task
            }
        })
    };
    let worker = serve(&ds, handler, 2).await;
    let mut invoked = Vec::new();
    for i in 0..4 {
        let task = platform_task(&ds, &format!("invoked {i}")).await;
        let (url, key) = (worker.url.clone(), ds.api_key().to_owned());
        invoked.push(tokio::spawn(async move {
            invoke(&url, Some(&key), serde_json::to_vec(&task).unwrap())
                .await
                .status()
        }));
    }
    for i in 0..4 {
        ds.create_task(
            ds.agent_id(),
            CreateTaskRequest::new(format!("delivered {i}")),
        )
        .await
        .unwrap();
    }
    for call in invoked {
        assert_eq!(call.await.unwrap(), 200);
    }
    ds.wait_for_tasks(8, LIMIT, |t| {
        t.task.status == AgentExecutionStatus::Completed
    })
    .await
    .expect("every task completes");
    assert_eq!(gauge.done.load(Ordering::SeqCst), 8);
    assert_eq!(
        gauge.most.load(Ordering::SeqCst),
        2,
        "never more than the two slots"
    );
    worker.handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_shutdown_ends_an_open_stream_with_an_error_status() {
    let ds = start().await;
    let stuck = Handler::streaming(|task: Task, stream: TaskStream| async move {
        stream.chunk("started ").await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        task
    });
    let worker = serve(&ds, stuck, 2).await;
    let task = platform_task(&ds, "never ends").await;
    let response = invoke_task(&ds, &worker.url, &task).await;
    let mut stream = EventStream::new(Box::pin(response.bytes_stream()), DEFAULT_MAX_EVENT);
    let first = stream.next().await.unwrap().unwrap();
    assert!(first.data.contains("started"), "{}", first.data);
    worker.handle.shutdown();
    // New calls are refused while the worker drains.
    let late = platform_task(&ds, "too late").await;
    assert_eq!(invoke_task(&ds, &worker.url, &late).await.status(), 503);
    let last = tokio::time::timeout(LIMIT, stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let last: TaskUpdateEvent = serde_json::from_str(&last.data).unwrap();
    assert_eq!(last.event_type, TaskUpdateEventType::TaskFinished);
    assert_eq!(last.data["status"], "error");
    assert_eq!(
        last.data["result"],
        "worker shut down before the task finished"
    );
    assert!(stream.next().await.is_none(), "the answer ends");
    tokio::time::timeout(LIMIT, worker.handle.join())
        .await
        .expect("the worker stops")
        .unwrap();
    let saved = ds.task(&task.id).await.unwrap();
    assert_eq!(saved.status, AgentExecutionStatus::Error);
}

#[tokio::test]
async fn a_caller_hanging_up_does_not_stop_the_task() {
    let ds = start().await;
    let slow = Handler::streaming(|mut task: Task, stream: TaskStream| async move {
        for i in 0..5 {
            stream.chunk(format!("{i} ")).await;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        task.result = Some("all five".into());
        task
    });
    let worker = serve(&ds, slow, 2).await;
    let task = platform_task(&ds, "hang up on me").await;
    let response = invoke_task(&ds, &worker.url, &task).await;
    let mut stream = EventStream::new(Box::pin(response.bytes_stream()), DEFAULT_MAX_EVENT);
    stream.next().await.unwrap().unwrap();
    drop(stream);
    let done = ds
        .wait_for_task(&task.id, LIMIT, |t| {
            t.status == AgentExecutionStatus::Completed
        })
        .await
        .expect("the task completes without its caller");
    assert_eq!(done.result.as_deref(), Some("all five"));
    worker.handle.stop().await.unwrap();
}
