//! Sending a [`Route`]: the `x-api-key` header, timeouts, retries of transient failures, and
//! typed errors that never hold the key.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use tracing::{debug, warn};

use super::endpoint::{Answer, Endpoint, Root, Route};
use super::error_text::{error_chain, truncate};
use super::handle::Platform;
use crate::{Configuration, Error, Result};

impl Platform {
    /// Sends a request to one endpoint and reads its answer.
    pub(crate) async fn send<E: Endpoint>(&self, endpoint: E) -> Result<E::Response> {
        let sending = Sending::new(self, endpoint.route());
        let response = sending.send().await?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|message| Error::Transport {
                method: sending.route.method.to_string(),
                url: sending.url.clone(),
                message,
            })?;
        E::Response::read(&sending.context(), &content_type, &body)
    }

    /// Opens a streaming response (the worker channel): one attempt, no overall timeout (the
    /// caller watches the stream), only the response head bounded by the request timeout.
    /// Any status is returned, for the caller to judge.
    pub(crate) async fn open_stream<E: Endpoint>(&self, endpoint: E) -> Result<Response> {
        let sending = Sending::new(self, endpoint.route());
        let limit = self.configuration().request_timeout();
        match tokio::time::timeout(limit, sending.request(None).send()).await {
            Err(_) => Err(sending.timed_out(limit)),
            Ok(Err(e)) => Err(sending.transport(&e)),
            Ok(Ok(response)) => Ok(response),
        }
    }

    /// The full URL of a route.
    pub(crate) fn url(&self, route: &Route) -> String {
        url(self.configuration(), route)
    }
}

/// The largest answer read from the platform: far above any agent or task, and a bound on
/// what a broken or hostile server can make the worker hold.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Reads a response body, refusing one longer than `limit` bytes before holding it all.
async fn read_capped(mut response: Response, limit: usize) -> std::result::Result<Vec<u8>, String> {
    let too_long = || format!("the answer is over {limit} bytes; refusing to read it");
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_long());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the response body: {}", error_chain(&e)))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn url(config: &Configuration, route: &Route) -> String {
    match route.root {
        Root::Rest => config.url(&route.path),
        Root::Events => format!("{}/{}", config.events_base(), route.path),
        Root::Organization => format!("{}/{}", config.events_root(), route.path),
    }
}

/// One route on its way: where it goes and how long each attempt may take.
struct Sending<'a> {
    platform: &'a Platform,
    route: Route,
    url: String,
    timeout: Duration,
}

impl<'a> Sending<'a> {
    fn new(platform: &'a Platform, route: Route) -> Self {
        let config = platform.configuration();
        Self {
            url: url(config, &route),
            timeout: route.timeout.unwrap_or(config.request_timeout()),
            platform,
            route,
        }
    }

    fn context(&self) -> String {
        format!("{} {}", self.route.method, self.url)
    }

    /// Sends the route and returns the successful response. Transient failures of idempotent
    /// routes are retried by the configured policy.
    async fn send(&self) -> Result<Response> {
        let policy = *self.platform.configuration().retry_policy();
        let attempts = if self.route.is_idempotent() {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let outcome = self.request(Some(self.timeout)).send().await;
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
                        method = %self.route.method, url = %self.url, attempt, max_attempts = attempts,
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

    fn request(&self, timeout: Option<Duration>) -> reqwest::RequestBuilder {
        debug!(method = %self.route.method, url = %self.url, "platform request");
        let config = self.platform.configuration();
        let mut request = self
            .platform
            .http()
            .request(self.route.method.clone(), &self.url)
            .header("x-api-key", api_key_header(config));
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        for (name, value) in &self.route.headers {
            request = request.header(*name, value);
        }
        if !self.route.query.is_empty() {
            request = request.query(&self.route.query);
        }
        if let Some(body) = &self.route.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        request
    }

    async fn finish(&self, outcome: reqwest::Result<Response>) -> Result<Response> {
        match outcome {
            Ok(response) if response.status().is_success() => Ok(response),
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                let key = self.platform.configuration().api_key().expose();
                Err(Error::Http {
                    method: self.route.method.to_string(),
                    url: self.url.clone(),
                    status,
                    body: truncate(&crate::secret::redact::http_body(&body, key)),
                })
            }
            Err(e) if e.is_timeout() => Err(self.timed_out(self.timeout)),
            Err(e) => Err(self.transport(&e)),
        }
    }

    fn timed_out(&self, limit: Duration) -> Error {
        Error::Timeout {
            method: self.route.method.to_string(),
            url: self.url.clone(),
            seconds: limit.as_secs_f64(),
        }
    }

    fn transport(&self, error: &reqwest::Error) -> Error {
        Error::Transport {
            method: self.route.method.to_string(),
            url: self.url.clone(),
            message: error_chain(error),
        }
    }
}

/// The key as a header value marked sensitive, so HTTP internals never log or index it. A key
/// that is no valid header value is sent empty: the platform then answers 401, which says
/// what to check.
fn api_key_header(config: &Configuration) -> HeaderValue {
    let mut value = HeaderValue::from_str(config.api_key().expose())
        .unwrap_or_else(|_| HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
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
