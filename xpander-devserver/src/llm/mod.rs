//! The scripted LLM: OpenAI Chat Completions and Anthropic Messages compatible endpoints that
//! answer from a script, so an agent run (rig, Agno, openai-python, ...) can be tested offline.
//!
//! A request is answered by the turn whose index is the number of assistant messages it
//! carries: no server-side conversation state, so concurrent conversations and retries see the
//! same script position. Every request is recorded ([`LlmRequestRecord`]) with its credential
//! headers redacted.
//!
//! The two APIs share everything but their wire shapes, which [`Dialect`] implementations
//! read and write ([`openai`], [`anthropic`]).

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::redact::redacted_headers;
use crate::state::App;

mod anthropic;
mod openai;
mod record;
mod script;

pub(crate) use anthropic::Anthropic;
pub(crate) use openai::OpenAi;
pub(crate) use record::LlmLog;
pub use record::{LlmApi, LlmRequestRecord, LlmTool};
pub(crate) use script::ScriptStore;
pub use script::{LlmAction, LlmFailure, LlmScripts, LlmToolCall, LlmTurn, LlmUsage};

/// The scripts and the record of requests, behind one lock so that a request's turn and its
/// place in the record are decided together.
#[derive(Debug, Default)]
pub(crate) struct LlmState {
    pub scripts: ScriptStore,
    pub log: LlmLog,
}

/// One API's wire shapes.
pub(crate) trait Dialect {
    /// The API.
    const API: LlmApi;
    /// How tool call ids start (`call_`, `toolu_`).
    const CALL_ID_PREFIX: &'static str;
    /// The top-level request keys [`read`](Self::read) takes, besides [`COMMON_KEYS`]; the
    /// others go to the record's `other`.
    const KEYS: &'static [&'static str];
    /// Fills the record's API-specific fields (system prompt, tools, limits, structured output)
    /// from the request object.
    fn read(body: &Map<String, Value>, record: &mut LlmRequestRecord);
    /// The answer: a JSON message, or an event stream.
    fn reply(reply: Reply) -> Response;
    /// An error in the provider's shape.
    fn error(status: StatusCode, message: &str) -> Response;
}

/// The keys every API's request has, read here.
const COMMON_KEYS: &[&str] = &[
    "model",
    "messages",
    "stream",
    "temperature",
    "top_p",
    "tool_choice",
];

/// What to answer, whichever API renders it.
#[derive(Debug)]
pub(crate) struct Reply {
    pub model: String,
    pub stream: bool,
    /// OpenAI's `stream_options.include_usage`: a last chunk with the usage.
    pub include_usage: bool,
    pub content: Content,
    pub usage: Usage,
}

/// The assistant message of a [`Reply`].
#[derive(Debug)]
pub(crate) enum Content {
    Text(String),
    Calls(Vec<Call>),
}

/// A tool call with its id and its arguments serialized.
#[derive(Debug)]
pub(crate) struct Call {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// The token figures answered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Usage {
    pub prompt: u64,
    pub completion: u64,
    pub cached: u64,
}

/// Replaces the scripts `scripts` gives, after checking every turn.
pub(crate) async fn set_scripts(app: &App, scripts: LlmScripts) -> Result<(), String> {
    scripts.check()?;
    app.llm.lock().await.scripts.apply(scripts);
    Ok(())
}

/// Answers one request of API `D` from the script of `agent` (or the default one), and records
/// it.
pub(crate) async fn complete<D: Dialect>(
    app: &App,
    agent: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let mut record = LlmRequestRecord::new(D::API, agent, redacted_headers(headers));
    let read = read::<D>(body, &mut record);
    let outcome = {
        let mut state = app.llm.lock().await;
        let (script, turns) = state.scripts.script(record.agent_id.as_deref());
        record.script = script;
        let outcome = read
            .and_then(|include_usage| answer::<D>(turns, &mut record, include_usage, body.len()));
        if let Err(refusal) = &outcome {
            record.status = refusal.status.as_u16();
            record.error = Some(refusal.message.clone());
        }
        state.log.push(record);
        outcome
    };
    app.pulse.llm();
    match outcome {
        Ok((reply, latency)) => {
            wait(latency).await;
            D::reply(reply)
        }
        Err(refusal) => {
            wait(refusal.latency).await;
            D::error(refusal.status, &refusal.message)
        }
    }
}

/// An error answer: a malformed request, a turn past the script's end, or a `fail` turn.
struct Refusal {
    status: StatusCode,
    message: String,
    latency: Option<Duration>,
}

impl Refusal {
    fn bad_request(message: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message,
            latency: None,
        }
    }
}

/// The reply of the turn the request asks for (the number of its assistant messages), and the
/// turn's latency; the record gets the turn and the tool call ids.
fn answer<D: Dialect>(
    turns: &[LlmTurn],
    record: &mut LlmRequestRecord,
    include_usage: bool,
    request_bytes: usize,
) -> Result<(Reply, Option<Duration>), Refusal> {
    let index = record
        .messages
        .iter()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some("assistant"))
        .count();
    record.turn = Some(index);
    let Some(turn) = turns.get(index) else {
        let message = past_end(&record.script, index, turns.len());
        return Err(Refusal::bad_request(message));
    };
    let content = match &turn.action {
        LlmAction::Fail(failure) => {
            return Err(Refusal {
                status: StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_GATEWAY),
                message: failure.message.clone(),
                latency: turn.latency,
            });
        }
        LlmAction::Answer(text) => Content::Text(text.clone()),
        LlmAction::AnswerJson(value) => Content::Text(value.to_string()),
        LlmAction::Call(calls) => Content::Calls(
            calls
                .iter()
                .map(|call| Call {
                    id: new_id(D::CALL_ID_PREFIX),
                    name: call.name.clone(),
                    arguments: call.arguments.to_string(),
                })
                .collect(),
        ),
    };
    if let Content::Calls(calls) = &content {
        record.tool_call_ids = calls.iter().map(|c| c.id.clone()).collect();
    }
    let reply = Reply {
        model: record.model.clone().unwrap_or_else(|| "scripted".into()),
        stream: record.stream,
        include_usage,
        usage: usage(turn.usage.unwrap_or_default(), request_bytes, &content),
        content,
    };
    Ok((reply, turn.latency))
}

/// Reads the request into the record; whether a streamed answer ends with a usage chunk.
fn read<D: Dialect>(body: &[u8], record: &mut LlmRequestRecord) -> Result<bool, Refusal> {
    let refuse = |message: String| Refusal::bad_request(message);
    let body: Value =
        serde_json::from_slice(body).map_err(|e| refuse(format!("the body is not JSON: {e}")))?;
    let Value::Object(body) = body else {
        return Err(refuse("the body must be a JSON object".into()));
    };
    let Some(Value::Array(messages)) = body.get("messages") else {
        return Err(refuse("messages: an array is required".into()));
    };
    record.messages = messages.clone();
    record.model = body.get("model").and_then(Value::as_str).map(str::to_owned);
    record.stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    record.temperature = body.get("temperature").and_then(Value::as_f64);
    record.top_p = body.get("top_p").and_then(Value::as_f64);
    record.tool_choice = body.get("tool_choice").cloned();
    D::read(&body, record);
    let include_usage = body
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    record.other = body
        .into_iter()
        .filter(|(key, _)| !COMMON_KEYS.contains(&key.as_str()) && !D::KEYS.contains(&key.as_str()))
        .collect();
    Ok(include_usage)
}

async fn wait(latency: Option<Duration>) {
    if let Some(latency) = latency {
        tokio::time::sleep(latency).await;
    }
}

fn past_end(script: &str, index: usize, len: usize) -> String {
    let hint = if len == 0 {
        "; set one with --llm-script, POST /_dev/llm/scripts or DevServerHandle::set_llm_script"
    } else {
        ""
    };
    format!(
        "scripted LLM: the request has {index} assistant messages, so it asks for turn {index}, \
         but script \"{script}\" has {len} turns{hint}"
    )
}

/// The figures given, the others estimated at about four bytes a token (never 0).
fn usage(given: LlmUsage, request_bytes: usize, content: &Content) -> Usage {
    let estimate = |bytes: usize| (bytes as u64).div_ceil(4).max(1);
    let output = match content {
        Content::Text(text) => text.len(),
        Content::Calls(calls) => calls.iter().map(|c| c.name.len() + c.arguments.len()).sum(),
    };
    let cached = given.cached.unwrap_or(0);
    Usage {
        prompt: given
            .prompt
            .unwrap_or_else(|| estimate(request_bytes).max(cached)),
        completion: given.completion.unwrap_or_else(|| estimate(output)),
        cached,
    }
}

/// A fresh id: `prefix` and 24 random hex digits, as the providers' ids look.
pub(crate) fn new_id(prefix: &str) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..24])
}

/// Seconds since the Unix epoch (OpenAI's `created`).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The size of a stream's deltas, in bytes: small, so a client's reassembly is exercised.
const PIECE: usize = 16;

/// `text` in pieces of about [`PIECE`] bytes (on character boundaries): the deltas of a stream.
pub(crate) fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = PIECE.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, tail) = rest.split_at(end);
        out.push(piece);
        rest = tail;
    }
    out
}

/// The text of a message's `content` (or Anthropic's `system`): a string, or the `text` of its
/// blocks joined by a blank line.
pub(crate) fn text_of(content: &Value) -> Option<String> {
    match content {
        Value::String(text) => Some(text.clone()),
        Value::Array(blocks) => {
            let texts: Vec<&str> = blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n\n"))
        }
        _ => None,
    }
}

/// The error `type` both providers use for a status (Anthropic's names; OpenAI's SDKs go by
/// the status, and its `invalid_request_error` and `server_error` are the same where they
/// matter).
pub(crate) fn error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        500.. => "api_error",
        _ => "invalid_request_error",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pieces_keep_characters_whole() {
        assert_eq!(pieces(""), Vec::<&str>::new());
        let text = "ééééééééééé and more";
        let parts = pieces(text);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.len() <= 17));
    }

    #[test]
    fn system_text_from_strings_and_blocks() {
        assert_eq!(text_of(&json!("be brief")), Some("be brief".into()));
        let blocks = json!([{"type": "text", "text": "a", "cache_control": {}}, {"type": "text", "text": "b"}]);
        assert_eq!(text_of(&blocks), Some("a\n\nb".into()));
        assert_eq!(text_of(&json!(null)), None);
    }

    #[test]
    fn usage_estimates_what_is_not_given() {
        let content = Content::Text("x".repeat(40));
        let u = usage(LlmUsage::default(), 400, &content);
        assert_eq!((u.prompt, u.completion, u.cached), (100, 10, 0));
        let given = LlmUsage {
            prompt: None,
            completion: Some(3),
            cached: Some(500),
        };
        let u = usage(given, 400, &content);
        assert_eq!((u.prompt, u.completion, u.cached), (500, 3, 500));
    }
}
