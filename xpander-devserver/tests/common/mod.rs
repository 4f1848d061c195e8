//! Helpers for the integration tests: a devserver on loopback, an HTTP client with the key, and
//! a small SSE worker client.
#![allow(dead_code)]

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions};
use xpander_runtime::sse::{DEFAULT_MAX_EVENT, EventStream};

pub const KEY: &str = "test-key";
pub const WAIT: Duration = Duration::from_secs(5);

/// Options for tests: a fixed key, slow heartbeats (tests that check loss set their own) and
/// fast keep-alives.
pub fn options() -> DevServerOptions {
    DevServerOptions::default()
        .api_key(KEY)
        .heartbeat_interval(Duration::from_secs(60))
        .keep_alive(Duration::from_millis(200))
}

pub async fn start() -> DevServerHandle {
    DevServer::start(options()).await.expect("devserver starts")
}

pub async fn start_with(options: DevServerOptions) -> DevServerHandle {
    DevServer::start(options).await.expect("devserver starts")
}

/// A reqwest client builder. The workspace builds reqwest with `rustls-no-provider` (the runtime
/// configures TLS itself), so a plain client needs a process-wide provider: ring, as the
/// runtime uses. These tests speak plain HTTP over loopback anyway.
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

pub fn client() -> reqwest::Client {
    client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// An answer: status, content type and JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

/// Sends a request with the key; `body` is sent as raw bytes when a string, as JSON otherwise.
pub async fn call(
    server: &DevServerHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    call_with(server, method, path, body, &[("x-api-key", KEY)]).await
}

pub async fn call_with(
    server: &DevServerHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = client().request(method, format!("{}{path}", server.base_url()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.header("content-type", "application/json");
        req = match body {
            Value::String(raw) => req.body(raw),
            other => req.body(other.to_string()),
        };
    }
    let response = req.send().await.expect("request sent");
    let status = response.status();
    let content_type = content_type(&response);
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        body,
        text,
    }
}

/// A response's `Content-Type` (empty when absent).
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub async fn get(server: &DevServerHandle, path: &str) -> Answer {
    call(server, Method::GET, path, None).await
}

pub async fn post(server: &DevServerHandle, path: &str, body: Value) -> Answer {
    call(server, Method::POST, path, Some(body)).await
}

pub async fn patch(server: &DevServerHandle, path: &str, body: Value) -> Answer {
    call(server, Method::PATCH, path, Some(body)).await
}

/// Creates a task over REST; its JSON.
pub async fn create_task(server: &DevServerHandle, agent: &str, text: &str) -> Value {
    let a = post(
        server,
        &format!("/agent-execution/{agent}"),
        json!({"input": {"text": text, "files": [], "user": null}, "source": "sdk"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body
}

/// The minimal full-task PATCH a worker sends: the task JSON with a status.
pub async fn set_status(server: &DevServerHandle, task: &Value, status: &str) -> Value {
    let mut body = task.clone();
    body["status"] = json!(status);
    let id = task["id"].as_str().unwrap();
    let a = patch(server, &format!("/agent-execution/{id}/update"), body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body
}

/// One SSE event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// A worker's SSE connection; dropping it disconnects.
pub struct Worker {
    pub id: String,
    pub registration: Value,
    events: mpsc::UnboundedReceiver<SseEvent>,
    reader: JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Opens an SSE stream at `path_and_query` (relative to the base URL) and returns its events.
pub async fn open_stream(
    server: &DevServerHandle,
    path_and_query: &str,
) -> (mpsc::UnboundedReceiver<SseEvent>, JoinHandle<()>, String) {
    let response = client_without_timeout()
        .get(format!("{}{path_and_query}", server.base_url()))
        .header("x-api-key", KEY)
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("stream opens");
    let content_type = content_type(&response);
    let (tx, rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        // The runtime's own parser: the one the worker reads its channel with.
        let mut stream = EventStream::new(Box::pin(response.bytes_stream()), DEFAULT_MAX_EVENT);
        while let Some(Ok(event)) = stream.next().await {
            if tx
                .send(SseEvent {
                    event: event.event,
                    data: event.data,
                })
                .is_err()
            {
                break;
            }
        }
    });
    (rx, reader, content_type)
}

fn client_without_timeout() -> reqwest::Client {
    client_builder().build().unwrap()
}

impl Worker {
    /// Connects as the Python 2.0.537 worker does (trailing slash, `supports_llm_gateway`).
    pub async fn connect(server: &DevServerHandle, agent: &str) -> Worker {
        Self::connect_at(
            server,
            &format!(
                "/{}/events/{agent}/?environment=local&supports_llm_gateway=true",
                server.org()
            ),
        )
        .await
    }

    pub async fn connect_at(server: &DevServerHandle, path_and_query: &str) -> Worker {
        let (mut events, reader, content_type) = open_stream(server, path_and_query).await;
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let first = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("registration in time")
            .expect("registration");
        assert_eq!(first.event, "worker-registration", "{first:?}");
        let registration = first.json();
        Worker {
            id: registration["id"].as_str().unwrap().to_owned(),
            registration,
            events,
            reader,
        }
    }

    /// The next event, within `WAIT`.
    pub async fn next(&mut self) -> Option<SseEvent> {
        self.next_within(WAIT).await
    }

    pub async fn next_within(&mut self, wait: Duration) -> Option<SseEvent> {
        tokio::time::timeout(wait, self.events.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next `agent-execution` task, within `WAIT`.
    pub async fn next_task(&mut self) -> Value {
        let event = self.next().await.expect("an agent-execution event");
        assert_eq!(event.event, "agent-execution", "{event:?}");
        event.json()
    }

    /// Whether nothing arrives for `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        self.next_within(wait).await.is_none()
    }

    /// Sends a POST-back envelope.
    pub async fn post_back(&self, server: &DevServerHandle, event: &str, data: Value) -> Answer {
        post(
            server,
            &format!(
                "/{}/events/{}?type=worker&agent_id={}",
                server.org(),
                self.id,
                self.registration["dedicated_agent_id"].as_str().unwrap()
            ),
            json!({"id": "00000000-0000-4000-8000-000000000000", "event": event, "data": data}),
        )
        .await
    }
}

/// Agent JSON for seeding.
pub fn agent(id: &str) -> Value {
    json!({"id": id, "name": format!("Agent {id}"), "agno_settings": {"session_storage": false}})
}
