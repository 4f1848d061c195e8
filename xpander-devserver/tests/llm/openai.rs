//! OpenAI Chat Completions: a tool-call turn, then an answer, plain and streamed.

use super::*;

fn weather_script() -> LlmScripts {
    LlmScripts::new().default_script(vec![
        LlmTurn::call("weather_lookup", json!({"city": "Oslo"})).usage(120, 15, 100),
        LlmTurn::answer("Sunny in Oslo."),
    ])
}

/// The conversation after the first turn: the assistant's tool call and the tool's result.
fn after_call(call_id: &str) -> Vec<Value> {
    vec![
        json!({"role": "system", "content": "You are terse."}),
        user("Weather in Oslo?"),
        json!({"role": "assistant", "content": null, "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": "weather_lookup", "arguments": "{\"city\":\"Oslo\"}"},
        }]}),
        json!({"role": "tool", "tool_call_id": call_id, "content": "{\"sky\":\"sunny\"}"}),
    ]
}

#[tokio::test]
async fn openai_tool_call_then_answer() {
    let server = start_scripted(weather_script()).await;
    let first = ask(
        &server,
        OPENAI,
        json!({"model": "gpt-4o", "messages": [
            {"role": "system", "content": "You are terse."}, user("Weather in Oslo?"),
        ]}),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.content_type, "application/json");
    let body = &first.body;
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "gpt-4o");
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], Value::Null);
    let call = &choice["message"]["tool_calls"][0];
    let call_id = call["id"].as_str().unwrap();
    assert!(call_id.starts_with("call_"), "{call_id}");
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "weather_lookup");
    let arguments: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"city": "Oslo"}));
    assert_eq!(
        body["usage"],
        json!({
            "prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135,
            "prompt_tokens_details": {"cached_tokens": 100},
            "completion_tokens_details": {"reasoning_tokens": 0},
        })
    );

    let second = ask(
        &server,
        OPENAI,
        json!({"model": "gpt-4o", "messages": after_call(call_id)}),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let choice = &second.body["choices"][0];
    assert_eq!(choice["finish_reason"], "stop");
    assert_eq!(choice["message"]["content"], "Sunny in Oslo.");
    assert!(choice["message"].get("tool_calls").is_none());
    // Usage not scripted is estimated: never zero, and the total adds up.
    let usage = &second.body["usage"];
    assert!(usage["prompt_tokens"].as_u64().unwrap() > 0);
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        )
    );
}

/// The tool calls of a stream, reassembled by index: (id, name, arguments).
fn reassemble(chunks: &[Value]) -> Vec<(String, String, String)> {
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for chunk in chunks {
        let Some(deltas) = chunk["choices"][0]["delta"]["tool_calls"].as_array() else {
            continue;
        };
        for delta in deltas {
            let index = delta["index"].as_u64().unwrap() as usize;
            if index == calls.len() {
                let id = delta["id"].as_str().expect("the first delta has the id");
                let name = delta["function"]["name"].as_str().unwrap();
                calls.push((id.into(), name.into(), String::new()));
            }
            if let Some(piece) = delta["function"]["arguments"].as_str() {
                calls[index].2.push_str(piece);
            }
        }
    }
    calls
}

#[tokio::test]
async fn openai_stream_tool_calls_then_answer() {
    let answer = "A long answer, so that it comes in several pieces: é and ü too.";
    let server = start_scripted(LlmScripts::new().default_script(vec![
        LlmTurn::calls([
            xpander_devserver::LlmToolCall::new("search", json!({"q": "rust sse", "top_k": 3})),
            xpander_devserver::LlmToolCall::new("clock", json!({})),
        ])
        .usage(50, 9, 0),
        LlmTurn::answer(answer),
    ]))
    .await;
    let (status, content_type, events) = ask_stream(
        &server,
        OPENAI,
        json!({"model": "m", "stream": true, "stream_options": {"include_usage": true},
               "messages": [user("go")]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/event-stream");
    assert!(
        events.iter().all(|e| e.event == "message"),
        "data-only lines"
    );
    assert_eq!(events.last().unwrap().data, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| e.json())
        .collect();
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    assert!(
        chunks.iter().all(|c| c["id"] == chunks[0]["id"]),
        "one id per completion"
    );
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let calls = reassemble(&chunks);
    assert_eq!(calls.len(), 2);
    assert_ne!(calls[0].0, calls[1].0, "ids are unique per call");
    assert_eq!(
        (calls[0].1.as_str(), calls[1].1.as_str()),
        ("search", "clock")
    );
    let args: Value = serde_json::from_str(&calls[0].2).unwrap();
    assert_eq!(args, json!({"q": "rust sse", "top_k": 3}));
    assert_eq!(calls[1].2, "{}");
    // The finish reason, then the usage chunk with no choices; `usage: null` before it.
    let (usage_chunk, rest) = chunks.split_last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(usage_chunk["usage"]["prompt_tokens"], 50);
    assert_eq!(usage_chunk["usage"]["total_tokens"], 59);
    assert_eq!(
        rest.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
    assert!(rest.iter().all(|c| c["usage"].is_null()));

    // Turn 1, streamed without the usage chunk.
    let messages = json!([user("go"), {"role": "assistant", "tool_calls": []},
        {"role": "tool", "tool_call_id": calls[0].0, "content": "ok"}]);
    let (status, _, events) = ask_stream(
        &server,
        OPENAI,
        json!({"model": "m", "stream": true, "messages": messages}),
    )
    .await;
    assert_eq!(status, 200);
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| e.json())
        .collect();
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, answer);
    assert!(
        chunks.len() > 4,
        "the text comes in pieces: {}",
        chunks.len()
    );
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));
}

#[tokio::test]
async fn openai_answer_json_is_the_text() {
    let server = start_scripted(LlmScripts::new().default_script(vec![LlmTurn::answer_json(
        json!({"city": "Oslo", "temp": 21}),
    )]))
    .await;
    let answer = ask(
        &server,
        OPENAI,
        json!({"model": "m", "messages": [user("json")]}),
    )
    .await;
    let content = answer.body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap();
    let parsed: Value = serde_json::from_str(content).unwrap();
    assert_eq!(parsed, json!({"city": "Oslo", "temp": 21}));
}
