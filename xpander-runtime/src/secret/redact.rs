//! Text fit for a log line or an error: what did not decode is worth seeing, and so is what the
//! platform answered with an error, but not the secrets in them.

use std::fmt;

use serde_json::Value;

/// What a masked value is replaced with.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Parts of a key that mark its value as a secret (`user_oidc_token`, `user_tokens`,
/// `api_key`, `client_secret`, `llm_credentials`, `authorization`, `sso_fetch_key`, ...).
const SECRET_KEY_PARTS: &[&str] = &[
    "token",
    "key",
    "secret",
    "password",
    "passwd",
    "credential",
    "authorization",
    "cookie",
    "signature",
];

/// Authorization schemes whose next word is the credential (`Bearer eyJ...`), lower-cased.
const SCHEMES: &[&str] = &["bearer", "basic", "token", "digest"];

/// A scheme word in free text: as HTTP spells it, so that prose (`basic validation`) is kept.
fn is_scheme_in_text(word: &str) -> bool {
    matches!(
        word,
        "Bearer" | "bearer" | "BEARER" | "Basic" | "Digest" | "Token"
    )
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| key.contains(part))
}

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

/// An HTTP error body fit for an error message: the API key replaced wherever it appears, and
/// the values of secret-looking keys masked (at any depth of a JSON body; as `key: value`,
/// `key=value` or `"key": "value"` in text), as are `Bearer`/`Basic` credentials and JWTs.
/// A body with nothing to mask is returned unchanged.
pub(crate) fn http_body(body: &str, api_key: &str) -> String {
    let body = if api_key.is_empty() {
        body.to_owned()
    } else {
        body.replace(api_key, REDACTED)
    };
    if let Ok(mut value) = serde_json::from_str::<Value>(&body) {
        let original = value.clone();
        mask(&mut value);
        if value != original {
            return value.to_string();
        }
    }
    text(&body)
}

/// Masks the value of every secret-looking key, at any depth.
fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_secret_key(key) {
                    *value = Value::String(REDACTED.into());
                } else {
                    mask(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::String(s) => {
            let masked = text(s);
            if masked != *s {
                *s = masked;
            }
        }
        _ => {}
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Free text with secret-looking `key: value` / `key=value` values, scheme credentials and
/// JWTs masked.
fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = rest.find(is_word_char) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c| !is_word_char(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if looks_like_jwt(word) {
            out.push_str(REDACTED);
            continue;
        }
        out.push_str(word);
        if is_scheme_in_text(word) && rest.starts_with(' ') {
            let value = rest.trim_start_matches(' ');
            let len = value.find(char::is_whitespace).unwrap_or(value.len());
            if len > 0 && !value.starts_with(['{', '[']) {
                out.push(' ');
                out.push_str(REDACTED);
                rest = &value[len..];
            }
        } else if is_secret_key(word)
            && let Some((separator, value)) = split_assignment(rest)
        {
            out.push_str(separator);
            let len = value_len(value);
            out.push_str(REDACTED);
            rest = &value[len..];
        }
    }
    out.push_str(rest);
    out
}

/// After a key: a closing quote, `:` or `=`, and spaces; the separator and what follows it.
fn split_assignment(rest: &str) -> Option<(&str, &str)> {
    let after_quote = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let after_spaces = after_quote.trim_start_matches(' ');
    let after_sign = after_spaces.strip_prefix([':', '='])?;
    let value = after_sign.trim_start_matches(' ');
    // A nested object or list is masked key by key, inside.
    if value.is_empty() || value.starts_with(['{', '[']) {
        return None;
    }
    let separator_len = rest.len() - value.len();
    Some((&rest[..separator_len], value))
}

/// The length of the value at the start of `value`: a quoted string (to its closing quote),
/// or a scheme and its credential, or a run up to a space or a delimiter.
fn value_len(value: &str) -> usize {
    if let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let mut escaped = false;
        for (i, c) in value.char_indices().skip(1) {
            match c {
                '\\' if !escaped => escaped = true,
                c if c == quote && !escaped => return i + 1,
                _ => escaped = false,
            }
        }
        return value.len();
    }
    let run = |s: &str| {
        s.find(|c: char| c.is_whitespace() || matches!(c, '&' | ',' | ';' | '}' | ']' | '"'))
            .unwrap_or(s.len())
    };
    let first = run(value);
    if SCHEMES.contains(&value[..first].to_ascii_lowercase().as_str()) {
        let after = &value[first..];
        let credential = after.trim_start_matches(' ');
        if !credential.is_empty() {
            return value.len() - credential.len() + run(credential);
        }
    }
    first
}

/// Three base64url segments, the first one a JSON object (`eyJ`).
fn looks_like_jwt(word: &str) -> bool {
    word.starts_with("eyJ") && word.split('.').filter(|s| !s.is_empty()).count() >= 2
}

/// A map's `Debug` with its keys and every value shown as `[REDACTED]`: for maps whose values
/// may be credentials (headers, environment variables, payload extensions).
pub(crate) struct ValuesRedacted<M>(pub(crate) M);

impl<'a, M, K, V> fmt::Debug for ValuesRedacted<M>
where
    M: IntoIterator<Item = (&'a K, &'a V)> + Copy,
    K: fmt::Debug + 'a,
    V: 'a,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.into_iter().map(|(k, _)| (k, Masked)))
            .finish()
    }
}

struct Masked;

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{ValuesRedacted, for_log, http_body};

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

    #[test]
    fn http_bodies_lose_the_key_and_secret_values_and_keep_the_rest() {
        let bodies = [
            r#"{"detail":"denied","token":"s-1","nested":{"sso_fetch_key":"s-2"}}"#,
            r#"{"detail":"upstream said Authorization: Bearer s-1 for key=s-2"}"#,
            "upstream said: Authorization: Bearer s-1; api_key=s-2&x=1",
            r#"proxy error {"client_secret": "s-1", "password":'s-2'"#,
            "Token s-1 rejected, password: s-2",
            "expired: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "the key xpk-live-s-3 is not valid: key='s-1', secret=\"s-2\"",
        ];
        for body in bodies {
            let shown = http_body(body, "xpk-live-s-3");
            for secret in ["s-1", "s-2", "s-3", "eyJhbGci"] {
                assert!(
                    !shown.contains(secret),
                    "{secret} in {shown:?} (from {body:?})"
                );
            }
            assert!(shown.contains("[REDACTED]"), "{shown}");
        }
        let shown = http_body("the key xpk-live-s-3 is not valid for s-1", "xpk-live-s-3");
        assert_eq!(shown, "the key [REDACTED] is not valid for s-1");
    }

    #[test]
    fn a_body_without_secrets_is_unchanged() {
        for body in [
            r#"{"detail": "agent \"a1\" not found", "status": 404}"#,
            "<html>Bad gateway</html>",
            "missing field: name; basic validation failed",
            "",
        ] {
            assert_eq!(http_body(body, "xpk"), body);
        }
    }

    #[test]
    fn maps_show_their_keys_only() {
        let headers: BTreeMap<String, String> =
            [("Authorization".to_owned(), "Bearer s-1".to_owned())].into();
        assert_eq!(
            format!("{:?}", ValuesRedacted(&headers)),
            r#"{"Authorization": [REDACTED]}"#
        );
    }
}
