//! Requests to the platform: the `x-api-key` header, timeouts, retries and typed errors.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::{debug, warn};

use crate::backoff::Backoff;
use crate::model::{DecodeError, decode};
use crate::{Configuration, Error, Result};

/// How transient failures of idempotent requests are retried: connection errors, and the
/// statuses 429, 502, 503 and 504. `Retry-After` is honoured up to the backoff cap.
///
/// ```
/// use std::time::Duration;
/// use xpander_runtime::{Backoff, RetryPolicy};
///
/// let patient = RetryPolicy { max_attempts: 6, ..RetryPolicy::default() };
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// assert_eq!(patient.backoff, Backoff::new(Duration::from_millis(200), Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The delays between attempts.
    pub backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(5)),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// The pooled HTTP client for requests with this connect timeout on the current tokio runtime.
///
/// Every configuration shares it, so a handler that builds a `Backend` per task reuses warm
/// connections instead of paying for a new pool and TLS handshakes. It is kept per runtime
/// because a pooled connection is driven by the runtime that opened it and dies with it.
pub(crate) fn http_client(connect_timeout: Duration) -> reqwest::Client {
    // Few entries: one per runtime and timeout. Runtime ids of ended runtimes are reused, and
    // their dead connections are dropped by the pool on checkout.
    const MOST: usize = 64;
    type Key = (Duration, Option<tokio::runtime::Id>);
    static CLIENTS: Mutex<Vec<(Key, reqwest::Client)>> = Mutex::new(Vec::new());
    let key = (
        connect_timeout,
        tokio::runtime::Handle::try_current().ok().map(|h| h.id()),
    );
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, client)) = clients.iter().find(|(k, _)| *k == key) {
        return client.clone();
    }
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config())
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(concat!("xpander-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        // Building fails only if the TLS backend cannot initialise, which no configuration
        // value influences.
        .expect("the HTTP client (rustls) could not be initialised");
    if clients.len() == MOST {
        clients.remove(0);
    }
    clients.push((key, client.clone()));
    client
}

/// TLS for platform requests: rustls on the ring provider with the operating system's trust
/// store. Given to the client directly, so the process-wide default provider stays the
/// application's choice (and ring builds in a fraction of aws-lc's time).
fn tls_config() -> rustls::ClientConfig {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        // ring supports the default protocol versions, and the verifier needs no set-up on
        // Linux, macOS or Windows: a failure here is a broken build, not a configuration.
        .expect("rustls (ring) with the platform verifier could not be initialised")
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

/// Body text kept in an error, in characters.
const ERROR_BODY_LIMIT: usize = 512;

/// One request to the platform, built with [`Configuration::request`].
pub(crate) struct PlatformRequest<'a> {
    config: &'a Configuration,
    method: Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    retry: bool,
    timeout: Duration,
}

impl Configuration {
    /// A request to a REST route. GET, PUT, PATCH and DELETE are retried by the configured
    /// policy; POST is not (the platform may not take it twice).
    pub(crate) fn request(&self, method: Method, route: &str) -> PlatformRequest<'_> {
        self.request_url(method, self.url(route))
    }

    /// A request to a full URL on the platform (the worker channel lives outside the REST root).
    pub(crate) fn request_url(&self, method: Method, url: String) -> PlatformRequest<'_> {
        let retry = method != Method::POST;
        PlatformRequest {
            config: self,
            method,
            url,
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
            retry,
            timeout: self.request_timeout(),
        }
    }
}

impl PlatformRequest<'_> {
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Self {
        // Our own model types always serialise; a failure here would be a bug in them.
        self.body = Some(serde_json::to_vec(body).expect("request bodies serialise to JSON"));
        self
    }

    /// Bounds the whole request (body included) by `timeout` instead of the configured one.
    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends the request and decodes a JSON response as `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        let context = format!("{} {}", self.method, self.url);
        let response = self.send().await?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response.bytes().await.map_err(|e| Error::Transport {
            message: format!("reading the response body: {}", error_chain(&e)),
            method: context.clone(),
            url: String::new(),
        })?;
        if !content_type.contains("application/json") {
            return Err(DecodeError {
                context,
                path: ".".into(),
                message: format!(
                    "expected a JSON response, got content type `{content_type}`: {}",
                    truncate(&String::from_utf8_lossy(&bytes))
                ),
            }
            .into());
        }
        Ok(decode(&context, &bytes)?)
    }

    /// Sends the request and returns the successful response, retrying transient failures.
    pub(crate) async fn send(self) -> Result<Response> {
        let policy = *self.config.retry_policy();
        let attempts = if self.retry {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let outcome = self.send_once().await;
            let retry_after = match &outcome {
                Ok(response) if response.status().is_success() => None,
                Ok(response) if is_transient(response.status()) => {
                    Some(retry_after(response).unwrap_or_else(|| policy.backoff.delay(attempt)))
                }
                Err(e) if e.is_connect() || (e.is_request() && !e.is_timeout()) => {
                    Some(policy.backoff.delay(attempt))
                }
                _ => None,
            };
            match retry_after {
                Some(delay) if attempt < attempts => {
                    let delay = delay.min(policy.backoff.cap);
                    let why = match &outcome {
                        Ok(response) => format!("HTTP {}", response.status().as_u16()),
                        Err(e) => error_chain(e),
                    };
                    warn!(
                        method = %self.method, url = %self.url, attempt, max_attempts = attempts,
                        delay_ms = delay.as_millis() as u64, error = %why,
                        "platform request failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                _ => return self.finish(outcome).await,
            }
        }
    }

    async fn send_once(&self) -> reqwest::Result<Response> {
        debug!(method = %self.method, url = %self.url, "platform request");
        let mut request = self
            .config
            .http()
            .request(self.method.clone(), &self.url)
            .header("x-api-key", self.config.api_key().expose())
            .timeout(self.timeout);
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        if !self.query.is_empty() {
            request = request.query(&self.query);
        }
        if let Some(body) = &self.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        request.send().await
    }

    async fn finish(&self, outcome: reqwest::Result<Response>) -> Result<Response> {
        let method = self.method.to_string();
        let url = self.url.clone();
        match outcome {
            Ok(response) if response.status().is_success() => Ok(response),
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                let body = truncate(&body).replace(self.config.api_key().expose(), "[REDACTED]");
                Err(Error::Http {
                    method,
                    url,
                    status,
                    body,
                })
            }
            Err(e) if e.is_timeout() => Err(Error::Timeout {
                method,
                url,
                seconds: self.timeout.as_secs_f64(),
            }),
            Err(e) => Err(Error::Transport {
                method,
                url,
                message: error_chain(&e),
            }),
        }
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

fn retry_after(response: &Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// An error with its causes, which reqwest keeps out of its own `Display`.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(ERROR_BODY_LIMIT) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
        None => text.to_owned(),
    }
}
