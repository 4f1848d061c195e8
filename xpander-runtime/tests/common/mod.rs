//! A scriptable HTTP server on 127.0.0.1 for the client tests: it records every request and
//! answers with whatever the test's responder returns.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use xpander_runtime::{Backoff, Configuration, RetryPolicy};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

pub type Responder = Arc<dyn Fn(&Seen, usize) -> Response + Send + Sync>;

pub struct TestServer {
    pub base_url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    /// Starts a server on the current runtime; `respond` gets the request and how many
    /// requests came before it.
    pub async fn start(respond: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> Self {
        let respond: Responder = Arc::new(respond);
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |request: Request| {
            let respond = respond.clone();
            let log = log.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let request = Seen {
                    method: parts.method,
                    uri: parts.uri,
                    headers: parts.headers,
                    body,
                };
                let count = {
                    let mut log = log.lock().unwrap();
                    log.push(request.clone());
                    log.len() - 1
                };
                respond(&request, count)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base_url, seen }
    }

    pub fn config(&self) -> Configuration {
        config_for(&self.base_url)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A configuration for `base_url` with fast retries, so tests do not wait.
pub fn config_for(base_url: &str) -> Configuration {
    Configuration::builder()
        .api_key("test-key-s3cr3t")
        .organization_id("ORG")
        .base_url(base_url)
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            backoff: Backoff::new(
                std::time::Duration::from_millis(5),
                std::time::Duration::from_millis(20),
            ),
        })
        .build()
        .unwrap()
}

pub fn json(status: u16, body: serde_json::Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn text(status: u16, content_type: &str, body: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A `307 Temporary Redirect` to `location`.
pub fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::TEMPORARY_REDIRECT)
        .header("location", location)
        .body(Body::empty())
        .unwrap()
}

/// A task as the platform returns it.
pub fn task_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "agent_id": "AGENT", "organization_id": "ORG",
        "created_at": "2025-01-01T00:00:00Z",
        "input": {"text": "hello", "files": [], "user": null},
        "status": "pending", "expected_output": null, "mcp_servers": [],
        "triggering_agent_id": null, "title": null
    })
}
