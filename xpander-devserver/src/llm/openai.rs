//! OpenAI Chat Completions: `POST .../openai/v1/chat/completions`, plain or streamed
//! (`data: {chunk}` lines ending `data: [DONE]`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::stream;
use serde_json::{Map, Value, json};

use super::{Call, Content, Dialect, LlmApi, LlmRequestRecord, LlmTool, Reply, Usage};
use crate::http::{json_response, ok};

/// The OpenAI dialect.
pub(crate) struct OpenAi;

impl Dialect for OpenAi {
    const API: LlmApi = LlmApi::OpenAi;
    const CALL_ID_PREFIX: &'static str = "call_";
    const KEYS: &'static [&'static str] = &[
        "max_tokens",
        "max_completion_tokens",
        "reasoning_effort",
        "response_format",
        "tools",
    ];

    fn read(body: &Map<String, Value>, record: &mut LlmRequestRecord) {
        let system: Vec<String> = record
            .messages
            .iter()
            .filter(|m| matches!(m["role"].as_str(), Some("system" | "developer")))
            .filter_map(|m| super::text_of(&m["content"]))
            .collect();
        record.system = (!system.is_empty()).then(|| system.join("\n\n"));
        record.tools = body
            .get("tools")
            .and_then(Value::as_array)
            .map(|tools| tools.iter().map(tool).collect())
            .unwrap_or_default();
        record.max_tokens = ["max_completion_tokens", "max_tokens"]
            .iter()
            .find_map(|key| body.get(*key).and_then(Value::as_u64));
        record.reasoning_effort = body
            .get("reasoning_effort")
            .or_else(|| body.get("reasoning").and_then(|r| r.get("effort")))
            .and_then(Value::as_str)
            .map(str::to_owned);
        record.response_format = body.get("response_format").cloned();
    }

    fn reply(reply: Reply) -> Response {
        let head = Head {
            id: super::new_id("chatcmpl-"),
            created: super::unix_now(),
            model: reply.model.clone(),
        };
        if reply.stream {
            return crate::sse::stream_response(stream::iter(chunks(&head, &reply)));
        }
        let (message, finish) = match &reply.content {
            Content::Text(text) => (
                json!({"role": "assistant", "content": text, "refusal": null}),
                "stop",
            ),
            Content::Calls(calls) => (
                json!({
                    "role": "assistant", "content": null, "refusal": null,
                    "tool_calls": calls.iter().map(call_json).collect::<Vec<_>>(),
                }),
                "tool_calls",
            ),
        };
        ok(&json!({
            "id": head.id,
            "object": "chat.completion",
            "created": head.created,
            "model": head.model,
            "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
            "usage": usage_json(reply.usage),
            "system_fingerprint": null,
        }))
    }

    fn error(status: StatusCode, message: &str) -> Response {
        let kind = if status.is_server_error() {
            "server_error"
        } else {
            super::error_type(status)
        };
        let code = (status == StatusCode::TOO_MANY_REQUESTS).then_some("rate_limit_exceeded");
        json_response(
            status,
            &json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
        )
    }
}

/// A tool of the request in the common shape: `{type: "function", function: {name,
/// description, parameters}}`, or a built-in tool by its `name` or `type`.
fn tool(value: &Value) -> LlmTool {
    let function = value.get("function").unwrap_or(value);
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    LlmTool {
        name: text(function, "name")
            .or_else(|| text(value, "type"))
            .unwrap_or_default(),
        description: text(function, "description"),
        parameters: function.get("parameters").cloned(),
    }
}

fn call_json(call: &Call) -> Value {
    json!({
        "id": call.id, "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    })
}

fn usage_json(usage: Usage) -> Value {
    json!({
        "prompt_tokens": usage.prompt,
        "completion_tokens": usage.completion,
        "total_tokens": usage.prompt + usage.completion,
        "prompt_tokens_details": {"cached_tokens": usage.cached},
        "completion_tokens_details": {"reasoning_tokens": 0},
    })
}

/// What every chunk of one completion repeats.
struct Head {
    id: String,
    created: u64,
    model: String,
}

/// The stream's frames: the role, the content or tool-call deltas, the finish reason, the
/// usage chunk when asked for, and `[DONE]`.
fn chunks(head: &Head, reply: &Reply) -> Vec<Bytes> {
    let chunk = |delta: Value, finish: Option<&str>| {
        let mut chunk = json!({
            "id": head.id, "object": "chat.completion.chunk", "created": head.created,
            "model": head.model, "system_fingerprint": null,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        });
        if reply.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    };
    let mut out = Vec::new();
    let finish = match &reply.content {
        Content::Text(text) => {
            out.push(chunk(json!({"role": "assistant", "content": ""}), None));
            for piece in super::pieces(text) {
                out.push(chunk(json!({"content": piece}), None));
            }
            "stop"
        }
        Content::Calls(calls) => {
            for (index, call) in calls.iter().enumerate() {
                // The first delta opens the message, as the API's does.
                let mut first = Map::new();
                if index == 0 {
                    first.insert("role".into(), json!("assistant"));
                    first.insert("content".into(), Value::Null);
                }
                let opening = json!([{
                    "index": index, "id": call.id, "type": "function",
                    "function": {"name": call.name, "arguments": ""},
                }]);
                first.insert("tool_calls".into(), opening);
                out.push(chunk(Value::Object(first), None));
                for piece in super::pieces(&call.arguments) {
                    let delta = json!({"tool_calls": [
                        {"index": index, "function": {"arguments": piece}},
                    ]});
                    out.push(chunk(delta, None));
                }
            }
            "tool_calls"
        }
    };
    out.push(chunk(json!({}), Some(finish)));
    if reply.include_usage {
        let mut last = chunk(json!({}), None);
        last["choices"] = json!([]);
        last["usage"] = usage_json(reply.usage);
        out.push(last);
    }
    let mut frames: Vec<Bytes> = out
        .iter()
        .map(|c| Bytes::from(format!("data: {c}\n\n")))
        .collect();
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    frames
}
