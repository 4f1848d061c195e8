//! Anthropic Messages: a tool-use turn, then an answer, plain and streamed.

use super::*;

fn script() -> LlmScripts {
    LlmScripts::new().default_script(vec![
        LlmTurn::call("weather_lookup", json!({"city": "Oslo", "units": "metric"}))
            .usage(120, 15, 100),
        LlmTurn::answer("Sunny in Oslo, 21 degrees, light wind from the north."),
    ])
}

/// The conversation after the tool use.
fn after_tool_use(id: &str) -> Value {
    json!([
        user("Weather in Oslo?"),
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": id, "name": "weather_lookup", "input": {"city": "Oslo"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": id, "content": "sunny"},
        ]},
    ])
}

#[tokio::test]
async fn anthropic_tool_use_then_answer() {
    let server = start_scripted(script()).await;
    let first = ask(
        &server,
        ANTHROPIC,
        json!({"model": "claude-x", "max_tokens": 1024, "system": "Be terse.",
               "messages": [user("Weather in Oslo?")]}),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let body = &first.body;
    assert_eq!(
        (&body["type"], &body["role"], &body["model"]),
        (&json!("message"), &json!("assistant"), &json!("claude-x"))
    );
    assert!(body["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(body["stop_reason"], "tool_use");
    let block = &body["content"][0];
    assert_eq!(block["type"], "tool_use");
    assert_eq!(block["name"], "weather_lookup");
    assert_eq!(block["input"], json!({"city": "Oslo", "units": "metric"}));
    let id = block["id"].as_str().unwrap();
    assert!(id.starts_with("toolu_"), "{id}");
    // `input_tokens` leaves the cached tokens out.
    assert_eq!(
        body["usage"],
        json!({"input_tokens": 20, "output_tokens": 15, "cache_read_input_tokens": 100,
               "cache_creation_input_tokens": 0})
    );

    let second = ask(
        &server,
        ANTHROPIC,
        json!({"model": "claude-x", "max_tokens": 1024, "messages": after_tool_use(id)}),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.body["stop_reason"], "end_turn");
    assert_eq!(
        second.body["content"],
        json!([{"type": "text", "text": "Sunny in Oslo, 21 degrees, light wind from the north."}])
    );
}

#[tokio::test]
async fn anthropic_stream_tool_use_then_answer() {
    let server = start_scripted(script()).await;
    let request = |messages: Value| json!({"model": "claude-x", "max_tokens": 64, "stream": true, "messages": messages});
    let (status, content_type, events) = ask_stream(
        &server,
        ANTHROPIC,
        request(json!([user("Weather in Oslo?")])),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/event-stream");
    // Every event is named after its data's type.
    for event in &events {
        assert_eq!(event.json()["type"], event.event.as_str(), "{event:?}");
    }
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        &names[..3],
        ["message_start", "ping", "content_block_start"]
    );
    assert_eq!(
        &names[names.len() - 3..],
        ["content_block_stop", "message_delta", "message_stop"]
    );
    assert!(
        names[3..names.len() - 3]
            .iter()
            .all(|n| *n == "content_block_delta")
    );
    let start = events[0].json();
    assert_eq!(start["message"]["usage"]["input_tokens"], 20);
    assert_eq!(start["message"]["usage"]["cache_read_input_tokens"], 100);
    let block = events[2].json()["content_block"].clone();
    assert_eq!(block["type"], "tool_use");
    assert_eq!(block["name"], "weather_lookup");
    let json: String = events
        .iter()
        .filter(|e| e.event == "content_block_delta")
        .map(|e| {
            let delta = e.json()["delta"].clone();
            assert_eq!(delta["type"], "input_json_delta");
            delta["partial_json"].as_str().unwrap().to_owned()
        })
        .collect();
    let input: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(input, json!({"city": "Oslo", "units": "metric"}));
    let delta = events[events.len() - 2].json();
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
    assert_eq!(delta["usage"]["output_tokens"], 15);

    let id = block["id"].as_str().unwrap();
    let (status, _, events) = ask_stream(&server, ANTHROPIC, request(after_tool_use(id))).await;
    assert_eq!(status, 200);
    assert_eq!(
        events[2].json()["content_block"],
        json!({"type": "text", "text": ""})
    );
    let text: String = events
        .iter()
        .filter(|e| e.event == "content_block_delta")
        .map(|e| e.json()["delta"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        text,
        "Sunny in Oslo, 21 degrees, light wind from the north."
    );
    assert_eq!(
        events[events.len() - 2].json()["delta"]["stop_reason"],
        "end_turn"
    );
}
