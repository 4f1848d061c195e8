//! Decoding with the JSON path in the error, and lenient field helpers.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A message that did not decode: what was decoded, where in the JSON, and why.
///
/// ```
/// use xpander_runtime::model::{Task, decode};
///
/// let err = decode::<Task>("agent-execution", br#"{"id":"t","agent_id":"a","organization_id":"o",
///     "created_at":"2025-01-01T00:00:00Z","input":{"user":{"id":"u"}}}"#).unwrap_err();
/// assert_eq!(err.to_string(), "agent-execution: input.user.email: missing field");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What was being decoded (an event name, or `METHOD URL` of a response).
    pub context: String,
    /// The JSON path of the problem (`.` for the document itself).
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            write!(f, "{}: {}", self.context, self.message)
        } else {
            write!(f, "{}: {}: {}", self.context, self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes JSON bytes as `T`, naming the JSON path of any problem.
///
/// Tracking the path costs about a third of a task's decode and only an error needs it, so a
/// plain decode runs first and the path-tracking one only to word an error.
pub fn decode<T: DeserializeOwned>(context: &str, bytes: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(bytes).or_else(|_| decode_with_path(context, bytes))
}

fn decode_with_path<T: DeserializeOwned>(context: &str, bytes: &[u8]) -> Result<T, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| error(context, e))?;
    de.end().map_err(|e| DecodeError {
        context: context.to_owned(),
        path: ".".to_owned(),
        message: without_position(&e),
    })?;
    Ok(value)
}

/// Decodes an already parsed JSON value as `T`, naming the JSON path of any problem (the path
/// is tracked only when the plain decode fails, as in [`decode`]).
pub fn decode_value<T: DeserializeOwned>(
    context: &str,
    value: serde_json::Value,
) -> Result<T, DecodeError> {
    T::deserialize(&value)
        .or_else(|_| serde_path_to_error::deserialize(value).map_err(|e| error(context, e)))
}

fn error(context: &str, e: serde_path_to_error::Error<serde_json::Error>) -> DecodeError {
    let mut path = e.path().to_string();
    let mut message = without_position(e.inner());
    // Name the missing key in the path itself: `input.user.email: missing field`.
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'));
    if let Some(field) = missing {
        path = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        message = "missing field".to_owned();
    }
    DecodeError {
        context: context.to_owned(),
        path,
        message,
    }
}

/// serde_json appends " at line L column C"; the JSON path says where, more usefully. The
/// input's strings are left out ([`without_strings`]).
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) if e.line() > 0 => &message[..at],
        _ => &message,
    };
    without_strings(message)
}

/// serde quotes the string it did not expect (`invalid type: string "sk-…", expected a map`),
/// and an unknown variant (``unknown variant `…`, expected one of …``): a token in the wrong
/// place, or a double-encoded object of tokens, would go into the logs and the task's result.
/// That string is dropped, so the message names the kind of value and what was expected, and
/// the path says where. (Messages a deserializer words itself are kept as they are.)
fn without_strings(message: &str) -> String {
    if let Some(after) = message.strip_prefix("unknown variant `") {
        let end = after
            .find("`, expected ")
            .or_else(|| after.find("`, there are no variants"));
        return format!("unknown variant{}", end.map_or("", |end| &after[end + 1..]));
    }
    for marker in ["invalid type: string", "invalid value: string"] {
        let Some(at) = message.find(&format!("{marker} \"")) else {
            continue;
        };
        let kept = at + marker.len();
        let literal = &message[kept + 2..];
        let mut escaped = false;
        let end = literal.char_indices().find_map(|(i, c)| match c {
            '\\' if !escaped => {
                escaped = true;
                None
            }
            '"' if !escaped => Some(i + 1),
            _ => {
                escaped = false;
                None
            }
        });
        let rest = end.map_or("", |end| &literal[end..]);
        return format!("{}{rest}", &message[..kept]);
    }
    message.to_owned()
}

/// A `null` where the Python SDK tolerates one becomes the type's default.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Defines, for a default the type's `Default` does not give, the function serde calls when the
/// key is absent and a reader that maps `null` to the same value (both with the visibility
/// written before the names, private when none is).
macro_rules! wire_default {
    ($( $vis:vis $default:ident, $or_null:ident: $ty:ty = $value:expr; )+) => { $(
        $vis fn $default() -> $ty {
            $value
        }

        $vis fn $or_null<'de, D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<$ty, D::Error> {
            Ok(<Option<$ty> as ::serde::Deserialize>::deserialize(deserializer)?
                .unwrap_or_else($default))
        }
    )+ };
}

pub(crate) use wire_default;

#[cfg(test)]
mod tests {
    use super::{decode, decode_value, decode_with_path};
    use crate::model::Task;

    const TASK: &str =
        r#""id":"t","agent_id":"a","organization_id":"o","created_at":"2025-01-01T00:00:00Z""#;

    #[test]
    fn errors_never_quote_the_input_strings() {
        let cases = [
            // A double-encoded `user_tokens`.
            (
                format!(
                    r#"{{{TASK},"input":{{"text":"x"}},"user_tokens":"{{\"oidc_tokens\":{{\"llm\":\"sk-s3cr3t\"}}}}"}}"#
                ),
                "agent-execution: user_tokens: invalid type: string, expected a map",
            ),
            // A token where a number goes.
            (
                format!(r#"{{{TASK},"input":{{"text":"x"}},"tool_call_limit":"sk-s3cr3t"}}"#),
                "agent-execution: tool_call_limit: invalid type: string, expected i64",
            ),
            // A token where a flag goes, in a nested object.
            (
                format!(
                    r#"{{{TASK},"input":{{"text":"x"}},"mcp_servers":[{{"use_secrets_manager":"sk-s3cr3t"}}]}}"#
                ),
                "",
            ),
        ];
        for (json, expected) in cases {
            let err = decode::<Task>("agent-execution", json.as_bytes()).unwrap_err();
            assert!(!err.to_string().contains("s3cr3t"), "{err}");
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            let err_value = decode_value::<Task>("agent-execution", value).unwrap_err();
            assert!(!err_value.to_string().contains("s3cr3t"), "{err_value}");
            if !expected.is_empty() {
                assert_eq!(err.to_string(), expected);
                assert_eq!(err_value.to_string(), expected);
            }
        }
    }

    #[test]
    fn quoted_strings_and_variants_are_dropped_from_serde_messages() {
        use super::without_strings;
        for (message, expected) in [
            (
                r#"invalid type: string "a \"quoted\" sk-1", expected a map"#,
                "invalid type: string, expected a map",
            ),
            (
                r#"invalid value: string "sk-1", expected a date"#,
                "invalid value: string, expected a date",
            ),
            (
                "unknown variant `sk-1`, expected one of `a`, `b`",
                "unknown variant, expected one of `a`, `b`",
            ),
            ("unknown variant `sk-1", "unknown variant"),
            ("missing field `email`", "missing field `email`"),
            (
                "invalid type: integer `5`, expected a string",
                "invalid type: integer `5`, expected a string",
            ),
            (
                r#"invalid type: string "unterminated sk-1"#,
                "invalid type: string",
            ),
            (
                r#"query on: expected true or false, got "maybe""#,
                r#"query on: expected true or false, got "maybe""#,
            ),
        ] {
            assert_eq!(without_strings(message), expected);
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_path_tracking_one() {
        let good = br#"{"id":"t","agent_id":"a","organization_id":"o","created_at":"2025-01-01T00:00:00Z","input":{"text":"hi"}}"#;
        let fast: Task = decode("agent-execution", good).unwrap();
        let slow: Task = decode_with_path("agent-execution", good).unwrap();
        assert_eq!(
            serde_json::to_value(&fast).unwrap(),
            serde_json::to_value(&slow).unwrap()
        );
        for bad in [
            &br#"{"id":"t","agent_id":"a","organization_id":"o","created_at":"2025-01-01T00:00:00Z","input":{"user":{"id":"u"}}}"#[..],
            b"{\"id\": ",
            b"{} trailing",
        ] {
            assert_eq!(
                decode::<Task>("agent-execution", bad).unwrap_err(),
                decode_with_path::<Task>("agent-execution", bad).unwrap_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
