//! Typed query strings: [`Q<T>`] reads the query into a route's `#[derive(Deserialize)]` struct,
//! and the field helpers give every route the same rules. An empty value is an absent one; a
//! flag is `true`/`false` (any case) or `1`/`0`; a value that does not parse answers 400 naming
//! its key (`query since: "x" is not a number`); unknown keys are ignored.
//!
//! Every field is an `Option` read with `#[serde(default, deserialize_with = "...")]`: `default`
//! for an absent key, a helper here for an empty or malformed value.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use xpander_runtime::model::{DecodeError, decode_value};

use crate::error::ApiError;

/// The query string as `T`; a problem answers 400 JSON naming the key.
pub(crate) struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("query: {}", e.body_text())))?;
        // Through a map, so that a repeated key keeps its last value rather than being refused
        // as a duplicate field; the key path of a problem names the parameter.
        let map: Map<String, Value> = pairs
            .into_iter()
            .map(|(key, value)| (key, Value::String(value)))
            .collect();
        decode_value("query", Value::Object(map))
            .map(Q)
            .map_err(rejection)
    }
}

/// `query since: "x" is not a number`, the wording routes used when they read keys by hand.
fn rejection(e: DecodeError) -> ApiError {
    ApiError::bad_request(if e.path == "." {
        format!("query: {}", e.message)
    } else {
        format!("query {}: {}", e.path, e.message)
    })
}

/// A text value; empty is absent.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = String::deserialize(d)?;
    Ok(Some(value).filter(|v| !v.is_empty()))
}

/// A boolean: `true` or `false` in any case, or `1` or `0`; empty is absent.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match text(d)?.map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(D::Error::custom(format!(
            "expected true or false, got {other:?}"
        ))),
    }
}

/// A number; empty is absent.
pub(crate) fn number<'de, D: Deserializer<'de>, T: FromStr>(d: D) -> Result<Option<T>, D::Error> {
    parsed(d, "a number")
}

/// A count of items; empty is absent.
pub(crate) fn count<'de, D: Deserializer<'de>, T: FromStr>(d: D) -> Result<Option<T>, D::Error> {
    parsed(d, "a count")
}

fn parsed<'de, D: Deserializer<'de>, T: FromStr>(d: D, what: &str) -> Result<Option<T>, D::Error> {
    text(d)?
        .map(|v| {
            v.parse()
                .map_err(|_| D::Error::custom(format!("{v:?} is not {what}")))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Params {
        #[serde(default, deserialize_with = "text")]
        name: Option<String>,
        #[serde(default, deserialize_with = "flag")]
        on: Option<bool>,
        #[serde(default, deserialize_with = "number")]
        since: Option<u64>,
        #[serde(default, deserialize_with = "count")]
        top_k: Option<usize>,
    }

    async fn read(query: &str) -> Result<Params, String> {
        let request = Request::builder().uri(format!("/x?{query}")).body(());
        let (mut parts, ()) = request.unwrap().into_parts();
        match Q::<Params>::from_request_parts(&mut parts, &()).await {
            Ok(Q(params)) => Ok(params),
            Err(e) => Err(e.message),
        }
    }

    #[tokio::test]
    async fn empty_values_and_absent_keys_are_none_and_unknown_keys_are_ignored() {
        let params = read("name=&on=&since=&top_k=&other=1").await.unwrap();
        assert_eq!(
            (params.name, params.on, params.since, params.top_k),
            (None, None, None, None)
        );
        assert!(read("").await.unwrap().name.is_none());
    }

    #[tokio::test]
    async fn values_parse_and_a_repeated_key_keeps_its_last_value() {
        let params = read("name=a%20b&on=TRUE&since=7&top_k=3&name=c")
            .await
            .unwrap();
        assert_eq!(params.name.as_deref(), Some("c"));
        assert_eq!(
            (params.on, params.since, params.top_k),
            (Some(true), Some(7), Some(3))
        );
        for (value, expected) in [("True", true), ("1", true), ("false", false), ("0", false)] {
            assert_eq!(
                read(&format!("on={value}")).await.unwrap().on,
                Some(expected)
            );
        }
    }

    #[tokio::test]
    async fn a_bad_value_names_its_key() {
        assert_eq!(
            read("on=Maybe").await.unwrap_err(),
            r#"query on: expected true or false, got "maybe""#
        );
        assert_eq!(
            read("since=-1").await.unwrap_err(),
            r#"query since: "-1" is not a number"#
        );
        assert_eq!(
            read("top_k=x").await.unwrap_err(),
            r#"query top_k: "x" is not a count"#
        );
    }
}
