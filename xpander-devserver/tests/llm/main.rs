//! The scripted LLM over real HTTP on loopback: OpenAI Chat Completions and Anthropic Messages,
//! plain and streamed (read with the runtime's own SSE parser), per-agent scripts, failing
//! turns, the end of a script, and what is recorded.

mod anthropic;
#[path = "../common/mod.rs"]
mod common;
mod openai;
mod record;
mod scripts;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xpander_devserver::{DevServerHandle, LlmScripts, LlmTurn};
use xpander_runtime::sse::{DEFAULT_MAX_EVENT, EventStream};

pub const OPENAI: &str = "/_dev/llm/openai/v1/chat/completions";
pub const ANTHROPIC: &str = "/_dev/llm/anthropic/v1/messages";

/// The OpenAI path of an agent's script.
pub fn openai_for(agent: &str) -> String {
    format!("/_dev/llm/agents/{agent}/openai/v1/chat/completions")
}

/// The Anthropic path of an agent's script.
pub fn anthropic_for(agent: &str) -> String {
    format!("/_dev/llm/agents/{agent}/anthropic/v1/messages")
}

/// A devserver with these scripts.
pub async fn start_scripted(scripts: LlmScripts) -> DevServerHandle {
    start_with(options().llm_scripts(scripts)).await
}

/// A non-streamed request, with an LLM key as the SDKs send it.
pub async fn ask(server: &DevServerHandle, path: &str, body: Value) -> Answer {
    let auth = [("authorization", "Bearer sk-test-secret")];
    call_with(server, Method::POST, path, Some(body), &auth).await
}

/// A streamed request: the status, the content type, and the events as the runtime's parser
/// reads them (`event` is `message` when the server named none).
pub async fn ask_stream(
    server: &DevServerHandle,
    path: &str,
    body: Value,
) -> (StatusCode, String, Vec<SseEvent>) {
    let response = client()
        .post(format!("{}{path}", server.base_url()))
        .header("content-type", "application/json")
        .header("x-api-key", "sk-ant-test-secret")
        .body(body.to_string())
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let content_type = content_type(&response);
    let mut stream = EventStream::new(Box::pin(response.bytes_stream()), DEFAULT_MAX_EVENT);
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        let event = event.expect("the stream reads");
        events.push(SseEvent {
            event: event.event,
            data: event.data,
        });
    }
    (status, content_type, events)
}

/// A user message.
pub fn user(text: &str) -> Value {
    json!({"role": "user", "content": text})
}
