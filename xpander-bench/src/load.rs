//! The load: tasks created over REST, as a platform user would, and the wait until every one
//! of them is terminal.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Client;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use xpander_devserver::DevServerHandle;

/// How often the wait looks at the task count (the figures come from the server's timestamps,
/// not from this poll).
const POLL: Duration = Duration::from_millis(10);

/// The platform's REST routes, as the benchmark calls them.
#[derive(Clone)]
pub struct Rest {
    client: Client,
    base_url: String,
    api_key: String,
}

impl Rest {
    pub fn new(server: &DevServerHandle) -> Result<Self, String> {
        // reqwest is built with `rustls-no-provider` (the runtime configures its own TLS); this
        // client speaks plain HTTP to loopback, but building one needs a process-wide provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self {
            client,
            base_url: server.base_url().to_owned(),
            api_key: server.api_key().to_owned(),
        })
    }

    /// `POST /agent-execution/{agent_id}` with this prompt; the created task as JSON text.
    pub async fn create_task(&self, agent_id: &str, prompt: &str) -> Result<Bytes, String> {
        let url = format!("{}/agent-execution/{agent_id}", self.base_url);
        let body = json!({"input": {"text": prompt}});
        self.send(self.client.post(url).json(&body)).await
    }

    /// `PATCH /agent-execution/{id}/update` with the whole task (the answer is not read).
    pub async fn save_task(&self, id: &str, task: Vec<u8>) -> Result<(), String> {
        let url = format!("{}/agent-execution/{id}/update", self.base_url);
        self.send(self.client.patch(url).body(task)).await.map(drop)
    }

    /// `GET /agent-execution/{id}/status` (the answer is not read).
    pub async fn get_task(&self, id: &str) -> Result<(), String> {
        let url = format!("{}/agent-execution/{id}/status", self.base_url);
        self.send(self.client.get(url)).await.map(drop)
    }

    /// `GET {url}` as a worker's event stream (the response, to be read by the caller).
    pub async fn open_stream(&self, url: &str) -> Result<reqwest::Response, String> {
        self.client
            .get(url)
            .header("x-api-key", &self.api_key)
            .header("accept", "text/event-stream")
            .timeout(Duration::from_secs(24 * 3600))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("GET {url}: {e}"))
    }

    /// `POST {url}` with a worker message (heartbeat), answer ignored.
    pub async fn post_json(&self, url: &str, body: &Value) -> Result<(), String> {
        self.send(self.client.post(url).json(body)).await.map(drop)
    }

    /// Sends with the key; the body of a successful answer, unparsed (the load client stays
    /// cheap, so the CPU it takes from the server is as small as it can be).
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Bytes, String> {
        let response = request
            .header("x-api-key", &self.api_key)
            .header(CONTENT_TYPE, "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
        }
        Ok(body)
    }
}

/// Creates `count` tasks with `prompt` for the server's agent, `in_flight` requests at a time.
pub async fn create_tasks(
    rest: &Rest,
    agent_id: &str,
    prompt: &str,
    count: usize,
    in_flight: usize,
) -> Result<(), String> {
    stream::iter(0..count)
        .map(|_| rest.create_task(agent_id, prompt))
        .buffer_unordered(in_flight.max(1))
        .try_for_each(|_| async { Ok(()) })
        .await
}

/// Waits until `count` tasks are terminal, up to `limit`; `check` is called on every poll and
/// may end the wait early with an error (the worker died).
pub async fn wait_terminal(
    server: &DevServerHandle,
    count: usize,
    limit: Duration,
    mut check: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        let done = server.count_tasks(|t| t.task.status.is_terminal()).await;
        if done >= count {
            return Ok(());
        }
        check()?;
        if Instant::now() > deadline {
            return Err(format!(
                "only {done} of {count} tasks ended within {limit:?}"
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}
