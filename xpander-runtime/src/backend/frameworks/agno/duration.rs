//! Durations as the Python SDK writes them into Agno's arguments.

use std::time::Duration;

use serde_json::{Value, json};

/// Whole seconds as an integer, as Python's `12 * 60 * 60` is.
pub(super) fn seconds(duration: Duration) -> Value {
    if duration.subsec_nanos() == 0 {
        json!(duration.as_secs())
    } else {
        json!(duration.as_secs_f64())
    }
}
