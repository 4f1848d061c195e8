//! Errors: [`Error`] for starting a devserver, and `ApiError`, the JSON error a route answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use xpander_runtime::model::DecodeError;

use crate::http::json_response;

/// Why a devserver could not start or persist.
///
/// ```
/// use xpander_devserver::Error;
///
/// let err = Error::Agent("agents[0].id: missing field".into());
/// assert_eq!(err.to_string(), "bad agent: agents[0].id: missing field");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address could not be bound, or another I/O failure.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A seeded agent is not a valid agent.
    #[error("bad agent: {0}")]
    Agent(String),
    /// The state file could not be read or written.
    #[error("state file {path}: {message}")]
    State {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A scripted LLM turn cannot be answered (see `LlmTurn::check`).
    #[error("bad llm script: {0}")]
    LlmScript(String),
    /// A task could not be created in-process.
    #[error("{status}: {message}")]
    Api {
        /// The HTTP status the route would answer.
        status: u16,
        /// The message.
        message: String,
    },
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An HTTP error answered as `{"error": message}` with `Content-Type: application/json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn unknown_agent(agent_id: &str) -> Self {
        Self::not_found(format!("agent {agent_id:?} not found"))
    }

    pub fn unknown_task(task_id: &str) -> Self {
        Self::not_found(format!("task {task_id:?} not found"))
    }
}

impl From<DecodeError> for ApiError {
    fn from(e: DecodeError) -> Self {
        Self::bad_request(e.to_string())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api {
            status: e.status.as_u16(),
            message: e.message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &json!({ "error": self.message }))
    }
}
