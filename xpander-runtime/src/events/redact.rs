//! A payload fit for a log line: what did not decode is worth seeing, its secrets are not.

use serde_json::Value;

/// Parts of a key that mark its value as a secret (`user_oidc_token`, `user_tokens`,
/// `api_key`, `client_secret`, `llm_credentials`, `authorization`, ...).
const SECRET_KEY_PARTS: &[&str] = &[
    "token",
    "key",
    "secret",
    "password",
    "credential",
    "authorization",
];

/// `payload` with the value of every secret-looking key masked, at any depth. Text that is
/// not JSON may hold a secret anywhere, so only its size is shown.
pub(crate) fn for_log(payload: &str) -> String {
    match serde_json::from_str::<Value>(payload) {
        Ok(mut value) => {
            mask(&mut value);
            value.to_string()
        }
        Err(_) => format!("({} bytes, not JSON)", payload.len()),
    }
}

fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEY_PARTS.iter().any(|part| key.contains(part)) {
                    *value = Value::String("[REDACTED]".into());
                } else {
                    mask(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::for_log;

    #[test]
    fn secrets_are_masked_at_any_depth_and_the_rest_is_kept() {
        let payload = r#"{"id":"t1","agent_id":42,"user_oidc_token":"jwt-1",
            "user_tokens":{"oidc_tokens":{"llm":"jwt-2"}},"input":{"text":"hi"},
            "mcp_servers":[{"api_key":"k-3","url":"u"}],
            "payload_extension":{"llm_gateway":{"token":"gw-4"}}}"#;
        let shown = for_log(payload);
        for secret in ["jwt-1", "jwt-2", "k-3", "gw-4"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for kept in ["\"t1\"", "42", "\"hi\"", "\"u\""] {
            assert!(shown.contains(kept), "{kept} missing from {shown}");
        }
    }

    #[test]
    fn text_that_is_not_json_shows_only_its_size() {
        assert_eq!(
            for_log(r#"{"id": "t", "user_oidc_token": "jwt-"#),
            "(36 bytes, not JSON)"
        );
    }
}
