//! The vocabulary of [`super::routes`]: a [`Route`] (method, path, headers, query, body) and the
//! [`Endpoint`] trait that pairs a typed request with the type of its answer.

use std::time::Duration;

use reqwest::Method;
use serde::Serialize;

use crate::Result;
use crate::model::{DecodeError, decode};

/// Which root a route's path hangs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// The REST API: [`Configuration::rest_root`](crate::Configuration::rest_root).
    Rest,
    /// The worker channel: [`Configuration::events_base`](crate::Configuration::events_base).
    Events,
    /// The organization on the event-streaming host:
    /// [`Configuration::events_root`](crate::Configuration::events_root).
    Organization,
}

/// One HTTP request to the platform, as data. The `x-api-key` header, the timeouts and the
/// retries are added when it is sent.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) method: Method,
    pub(crate) root: Root,
    pub(crate) path: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
    /// Bounds the whole request instead of the configured request timeout.
    pub(crate) timeout: Option<Duration>,
}

impl Route {
    fn new(method: Method, path: String) -> Self {
        Self {
            method,
            root: Root::Rest,
            path,
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
            timeout: None,
        }
    }

    pub(crate) fn get(path: String) -> Self {
        Self::new(Method::GET, path)
    }

    pub(crate) fn post(path: String) -> Self {
        Self::new(Method::POST, path)
    }

    pub(crate) fn patch(path: String) -> Self {
        Self::new(Method::PATCH, path)
    }

    pub(crate) fn delete(path: String) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// The path is under the worker channel's base, not the REST root.
    pub(crate) fn on_worker_channel(mut self) -> Self {
        self.root = Root::Events;
        self
    }

    /// The path is under the organization's root on the event-streaming host.
    pub(crate) fn on_events_root(mut self) -> Self {
        self.root = Root::Organization;
        self
    }

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

    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Whether sending it twice is harmless, so a transient failure may be retried: every
    /// method but POST (the platform may not take a POST twice).
    pub(crate) fn is_idempotent(&self) -> bool {
        self.method != Method::POST
    }
}

/// A typed request to one platform endpoint, listed in [`super::routes`].
pub(crate) trait Endpoint {
    /// What the platform answers.
    type Response: Answer;

    /// The request as data.
    fn route(self) -> Route;
}

/// An answer read from a successful response's content type and body.
pub(crate) trait Answer: Sized {
    /// `context` names the request (`GET https://...`) in errors.
    fn read(context: &str, content_type: &str, body: &[u8]) -> Result<Self>;
}

/// The answer of an endpoint whose body the SDK does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ignored;

impl Answer for Ignored {
    fn read(_: &str, _: &str, _: &[u8]) -> Result<Self> {
        Ok(Self)
    }
}

/// A JSON answer, decoded with the JSON path in errors.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    context: &str,
    content_type: &str,
    body: &[u8],
) -> Result<T> {
    if !content_type.contains("application/json") {
        return Err(DecodeError {
            context: context.to_owned(),
            path: ".".into(),
            message: format!(
                "expected a JSON response, got content type `{content_type}`: {}",
                // Masked like an error body: a proxy's page may echo credentials.
                super::error_text::truncate(&crate::secret::redact::http_body(
                    &String::from_utf8_lossy(body),
                    ""
                ))
            ),
        }
        .into());
    }
    Ok(decode(context, body)?)
}

/// Implements [`Answer`] for types the platform sends as JSON.
macro_rules! json_answers {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::platform::endpoint::Answer for $ty {
            fn read(context: &str, content_type: &str, body: &[u8]) -> $crate::Result<Self> {
                $crate::platform::endpoint::read_json(context, content_type, body)
            }
        }
    )*};
}
pub(crate) use json_answers;

json_answers!(serde_json::Value);
