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

/// serde_json appends " at line L column C"; the JSON path says where, more usefully.
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) if e.line() > 0 => message[..at].to_owned(),
        _ => message,
    }
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
    use super::{decode, decode_with_path};
    use crate::model::Task;

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
