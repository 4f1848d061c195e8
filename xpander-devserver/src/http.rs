//! HTTP helpers: JSON responses, body decoding that names the JSON path, and a path extractor
//! whose rejection is JSON too (query strings: [`crate::query`]).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xpander_runtime::model::decode;

use crate::error::ApiError;

/// A JSON response with `Content-Type: application/json`.
pub(crate) fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => {
            let body = format!(r#"{{"error":"response could not be encoded: {e}"}}"#);
            let mut response = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    }
}

/// `200` with a JSON body.
pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> Response {
    json_response(StatusCode::OK, body)
}

/// Decodes a request body as `T`; a problem answers 400 naming its JSON path
/// (`create task: input.user.email: missing field`).
pub(crate) fn decode_body<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "{what}: the body is empty; a JSON document is required"
        )));
    }
    Ok(decode::<T>(what, body)?)
}

/// Decodes a request body that must be a JSON object as `T` (serde would otherwise also read a
/// struct from a positional array); problems answer 400 naming the JSON path.
pub(crate) fn decode_object<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        let _: Value = decode_body(what, body)?;
        return Err(ApiError::bad_request(format!(
            "{what}: the body must be a JSON object"
        )));
    }
    decode_body(what, body)
}

/// Decodes an optional JSON body: empty means `Value::Null`.
pub(crate) fn optional_json(what: &str, body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    Ok(decode::<Value>(what, body)?)
}

/// Path parameters; a rejection answers 400 JSON.
pub(crate) struct P<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(P(value)),
            Err(e) => Err(ApiError::bad_request(format!("path: {}", e.body_text()))),
        }
    }
}

/// A header value as text, `None` when absent or not visible ASCII.
pub(crate) fn header_str<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
