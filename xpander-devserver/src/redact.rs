//! Secrets hidden from `/_dev` answers. Agents hold LLM keys and MCP credentials, tasks hold
//! user tokens; the platform routes serve them to workers (with the key), but the developer
//! routes need no key, so there they read `[REDACTED]`.
//!
//! Redaction goes by key name over the JSON, so keys kept as sent (an MCP server's unknown
//! keys, a task's pushed events) are covered too. Request headers recorded for the scripted
//! LLM go by name as well ([`redacted_headers`]).

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use serde::Serialize;
use serde_json::Value;

/// What a secret reads as.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Keys whose value is secret: a key or token, or a map of headers or environment values
/// (whose names stay visible).
const SECRET_KEYS: &[&str] = &[
    "api_key",
    "apikey",
    "x-api-key",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "auth_value",
    "password",
    "secret",
    "token",
    "user_oidc_token",
    "user_tokens",
    "llm_extra_headers",
    "custom_headers",
    "headers",
    "env_vars",
];

/// `value` as JSON with every secret replaced by [`REDACTED`].
pub(crate) fn redacted<T: Serialize + ?Sized>(value: &T) -> Value {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    redact(&mut json);
    json
}

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEYS.contains(&key.as_str()) {
                    hide(value);
                } else if key == "llm_credentials" {
                    // `{name, description, value}`: only the value is the key.
                    if let Some(secret) = value.get_mut("value") {
                        hide(secret);
                    }
                } else {
                    redact(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Replaces every string and number under `value` (empty strings stay: nothing to hide).
fn hide(value: &mut Value) {
    match value {
        Value::String(s) if s.is_empty() => {}
        Value::String(_) | Value::Number(_) => *value = Value::from(REDACTED),
        Value::Object(map) => map.values_mut().for_each(hide),
        Value::Array(items) => items.iter_mut().for_each(hide),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Parts of a header name that mark its value as a credential (`x-api-key`, `api-key`,
/// `authorization`, `x-amz-security-token`, `cookie`, ...), besides [`SECRET_KEYS`].
const SECRET_HEADER_PARTS: &[&str] = &[
    "auth",
    "key",
    "token",
    "secret",
    "password",
    "cookie",
    "credential",
    "signature",
];

/// Whether a header's value is a credential.
fn secret_header(name: &str) -> bool {
    SECRET_KEYS.contains(&name) || SECRET_HEADER_PARTS.iter().any(|part| name.contains(part))
}

/// The headers by lower-case name (repeated ones joined by `, `), credentials replaced by
/// [`REDACTED`]. An `Authorization` keeps its scheme (`Bearer [REDACTED]`), so a test can
/// still see how the client authenticated.
pub(crate) fn redacted_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let name = name.as_str();
        let value = String::from_utf8_lossy(value.as_bytes());
        let shown = match value.split_once(' ') {
            _ if !secret_header(name) => value.into_owned(),
            Some((scheme, _)) if name.ends_with("authorization") => {
                format!("{scheme} {REDACTED}")
            }
            _ => REDACTED.to_owned(),
        };
        out.entry(name.to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&shown);
            })
            .or_insert(shown);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_by_key() {
        let agent = json!({
            "id": "a", "name": "A", "tokens": {"prompt_tokens": 3},
            "llm_credentials": {"name": "mine", "value": "sk-1"},
            "llm_extra_headers": {"Authorization": "Bearer x"},
            "graph": [{"mcp_settings": {
                "url": "https://m", "api_key": "k", "client_secret": "",
                "headers": {"X-Key": "h"}, "env_vars": {"PORT": 8080, "DEBUG": true},
            }}],
            "user_tokens": {"oidc_tokens": {"llm": "jwt"}},
        });
        assert_eq!(
            redacted(&agent),
            json!({
                "id": "a", "name": "A", "tokens": {"prompt_tokens": 3},
                "llm_credentials": {"name": "mine", "value": REDACTED},
                "llm_extra_headers": {"Authorization": REDACTED},
                "graph": [{"mcp_settings": {
                    "url": "https://m", "api_key": REDACTED, "client_secret": "",
                    "headers": {"X-Key": REDACTED}, "env_vars": {"PORT": REDACTED, "DEBUG": true},
                }}],
                "user_tokens": {"oidc_tokens": {"llm": REDACTED}},
            })
        );
    }

    #[test]
    fn credential_headers() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer sk-live"),
            ("x-api-key", "sk-ant"),
            ("api-key", "azure"),
            ("x-xpander-api-key", "run-token"),
            ("content-type", "application/json"),
            ("accept", "text/event-stream"),
            ("accept", "application/json"),
        ] {
            headers.append(name, value.parse().unwrap());
        }
        let shown = redacted_headers(&headers);
        assert_eq!(shown["authorization"], "Bearer [REDACTED]");
        for name in ["x-api-key", "api-key", "x-xpander-api-key"] {
            assert_eq!(shown[name], REDACTED, "{name}");
        }
        assert_eq!(shown["content-type"], "application/json");
        assert_eq!(shown["accept"], "text/event-stream, application/json");
    }
}
