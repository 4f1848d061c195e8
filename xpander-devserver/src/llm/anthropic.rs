//! Anthropic Messages: `POST .../anthropic/v1/messages`, plain or streamed (`event:` and
//! `data:` lines: `message_start`, content blocks with their deltas, `message_delta`,
//! `message_stop`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::stream;
use serde_json::{Map, Value, json};

use super::{Content, Dialect, LlmApi, LlmRequestRecord, LlmTool, Reply, Usage};
use crate::http::{json_response, ok};

/// The Anthropic dialect.
pub(crate) struct Anthropic;

impl Dialect for Anthropic {
    const API: LlmApi = LlmApi::Anthropic;
    const CALL_ID_PREFIX: &'static str = "toolu_";
    const KEYS: &'static [&'static str] = &["system", "tools", "max_tokens", "output_format"];

    fn read(body: &Map<String, Value>, record: &mut LlmRequestRecord) {
        record.system = body.get("system").and_then(super::text_of);
        record.tools = body
            .get("tools")
            .and_then(Value::as_array)
            .map(|tools| tools.iter().map(tool).collect())
            .unwrap_or_default();
        record.max_tokens = body.get("max_tokens").and_then(Value::as_u64);
        let config = body.get("output_config");
        record.reasoning_effort = config
            .and_then(|c| c.get("effort"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        record.response_format = body
            .get("output_format")
            .or_else(|| config.and_then(|c| c.get("format")))
            .cloned();
    }

    fn reply(reply: Reply) -> Response {
        let id = super::new_id("msg_");
        if reply.stream {
            return crate::sse::stream_response(stream::iter(events(&id, &reply)));
        }
        let content: Vec<Value> = match &reply.content {
            Content::Text(text) => vec![json!({"type": "text", "text": text})],
            Content::Calls(calls) => calls
                .iter()
                .map(|c| {
                    // Arguments were serialized from a JSON object: they parse back.
                    let input: Value = serde_json::from_str(&c.arguments).unwrap_or_default();
                    json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input})
                })
                .collect(),
        };
        ok(&json!({
            "id": id, "type": "message", "role": "assistant", "model": reply.model,
            "content": content, "stop_reason": stop_reason(&reply.content), "stop_sequence": null,
            "usage": usage_json(reply.usage, reply.usage.completion),
        }))
    }

    fn error(status: StatusCode, message: &str) -> Response {
        json_response(
            status,
            &json!({"type": "error", "error": {"type": super::error_type(status), "message": message}}),
        )
    }
}

/// A tool of the request in the common shape: `{name, description, input_schema}`, or a
/// built-in tool (`{type, name}`).
fn tool(value: &Value) -> LlmTool {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    LlmTool {
        name: text("name").or_else(|| text("type")).unwrap_or_default(),
        description: text("description"),
        parameters: value.get("input_schema").cloned(),
    }
}

fn stop_reason(content: &Content) -> &'static str {
    match content {
        Content::Text(_) => "end_turn",
        Content::Calls(_) => "tool_use",
    }
}

/// Anthropic's `input_tokens` leaves the cached tokens out; `prompt` has them.
fn usage_json(usage: Usage, output_tokens: u64) -> Value {
    json!({
        "input_tokens": usage.prompt.saturating_sub(usage.cached),
        "output_tokens": output_tokens,
        "cache_read_input_tokens": usage.cached,
        "cache_creation_input_tokens": 0,
    })
}

/// The stream's events: `message_start`, `ping`, each block's start, deltas and stop,
/// `message_delta` with the stop reason and the usage, `message_stop`.
fn events(id: &str, reply: &Reply) -> Vec<Bytes> {
    let mut out = vec![json!({
        "type": "message_start",
        "message": {
            "id": id, "type": "message", "role": "assistant", "model": reply.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            // As the API does, the start reports one output token; the delta the total.
            "usage": usage_json(reply.usage, 1),
        },
    })];
    out.push(json!({"type": "ping"}));
    let mut block = |index: usize, start: Value, delta_type: &str, key: &str, text: &str| {
        out.push(json!({"type": "content_block_start", "index": index, "content_block": start}));
        for piece in super::pieces(text) {
            out.push(json!({
                "type": "content_block_delta", "index": index,
                "delta": {"type": delta_type, key: piece},
            }));
        }
        out.push(json!({"type": "content_block_stop", "index": index}));
    };
    match &reply.content {
        Content::Text(text) => block(
            0,
            json!({"type": "text", "text": ""}),
            "text_delta",
            "text",
            text,
        ),
        Content::Calls(calls) => {
            for (index, call) in calls.iter().enumerate() {
                let start =
                    json!({"type": "tool_use", "id": call.id, "name": call.name, "input": {}});
                block(
                    index,
                    start,
                    "input_json_delta",
                    "partial_json",
                    &call.arguments,
                );
            }
        }
    }
    out.push(json!({
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason(&reply.content), "stop_sequence": null},
        "usage": usage_json(reply.usage, reply.usage.completion),
    }));
    out.push(json!({"type": "message_stop"}));
    out.iter()
        .map(|event| {
            Bytes::from(format!(
                "event: {}\ndata: {event}\n\n",
                event["type"].as_str().unwrap_or_default()
            ))
        })
        .collect()
}
