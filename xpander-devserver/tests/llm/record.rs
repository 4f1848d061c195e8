//! What is recorded of each request: model, sampling, system prompt, tools in one shape for
//! both APIs, structured output, headers with credentials redacted (never the raw key).

use xpander_devserver::{LlmApi, LlmTool};

use super::*;

const OPENAI_KEY: &str = "sk-proj-VERYSECRET-openai";
const ANTHROPIC_KEY: &str = "sk-ant-VERYSECRET-anthropic";

fn schema() -> Value {
    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
}

#[tokio::test]
async fn records_capture_the_request_and_redact_keys() {
    let server = start_scripted(LlmScripts::new().default_script(vec![LlmTurn::call(
        "weather_lookup",
        json!({"city": "Oslo"}),
    )]))
    .await;
    let openai = json!({
        "model": "gpt-5", "temperature": 0.2, "top_p": 0.9, "max_completion_tokens": 500,
        "reasoning_effort": "low", "stop": ["END"], "seed": 7, "tool_choice": "auto",
        "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": schema()}},
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
            user("Weather in Oslo?"),
        ],
        "tools": [{"type": "function", "function": {
            "name": "weather_lookup", "description": "Looks up the weather.", "parameters": schema(),
        }}],
    });
    let auth = format!("Bearer {OPENAI_KEY}");
    let headers = [
        ("authorization", auth.as_str()),
        ("x-request-tag", "visible"),
    ];
    let a = call_with(&server, Method::POST, OPENAI, Some(openai), &headers).await;
    assert_eq!(a.status, 200, "{}", a.text);

    let anthropic = json!({
        "model": "claude-sonnet", "temperature": 0.0, "max_tokens": 1024, "stream": true,
        "thinking": {"type": "enabled", "budget_tokens": 2000},
        "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
        "output_format": {"type": "json_schema", "schema": schema()},
        "messages": [user("Weather in Oslo?")],
        "tools": [{"name": "weather_lookup", "description": "Looks up the weather.", "input_schema": schema()}],
    });
    let path = anthropic_for("unscripted-agent");
    let headers = [
        ("x-api-key", ANTHROPIC_KEY),
        ("anthropic-version", "2023-06-01"),
    ];
    let a = call_with(&server, Method::POST, &path, Some(anthropic), &headers).await;
    assert_eq!(a.status, 200, "{}", a.text);

    let records = server.llm_requests().await;
    let [openai, anthropic] = &records[..] else {
        panic!("two records: {records:?}");
    };
    assert_eq!(
        (openai.api, openai.agent_id.as_deref(), openai.stream),
        (LlmApi::OpenAi, None, false)
    );
    assert_eq!(openai.model.as_deref(), Some("gpt-5"));
    assert_eq!((openai.temperature, openai.top_p), (Some(0.2), Some(0.9)));
    assert_eq!(openai.max_tokens, Some(500));
    assert_eq!(openai.reasoning_effort.as_deref(), Some("low"));
    assert_eq!(
        openai.system.as_deref(),
        Some("You are terse.\n\nUse metric units.")
    );
    assert_eq!(openai.messages.len(), 3);
    assert_eq!(openai.tool_choice, Some(json!("auto")));
    assert_eq!(
        openai.response_format.as_ref().unwrap()["type"],
        "json_schema"
    );
    assert_eq!(
        (&openai.other["stop"], &openai.other["seed"]),
        (&json!(["END"]), &json!(7))
    );
    assert!(!openai.other.contains_key("messages") && !openai.other.contains_key("model"));
    assert_eq!(openai.headers["authorization"], "Bearer [REDACTED]");
    assert_eq!(openai.headers["x-request-tag"], "visible");
    assert_eq!(openai.tool_call_ids.len(), 1);

    assert_eq!(
        (
            anthropic.api,
            anthropic.agent_id.as_deref(),
            anthropic.stream
        ),
        (LlmApi::Anthropic, Some("unscripted-agent"), true)
    );
    assert_eq!(anthropic.model.as_deref(), Some("claude-sonnet"));
    assert_eq!(
        (anthropic.temperature, anthropic.max_tokens),
        (Some(0.0), Some(1024))
    );
    assert_eq!(anthropic.system.as_deref(), Some("You are terse."));
    assert_eq!(
        anthropic.response_format.as_ref().unwrap()["schema"],
        schema()
    );
    assert_eq!(anthropic.other["thinking"]["budget_tokens"], 2000);
    assert_eq!(anthropic.headers["x-api-key"], "[REDACTED]");
    assert_eq!(anthropic.headers["anthropic-version"], "2023-06-01");

    // The same tool reads the same from both APIs.
    let expected = vec![LlmTool {
        name: "weather_lookup".into(),
        description: Some("Looks up the weather.".into()),
        parameters: Some(schema()),
    }];
    assert_eq!(openai.tools, expected);
    assert_eq!(anthropic.tools, expected);

    // The keys are nowhere to be read: not in the records, not in the request log.
    for path in ["/_dev/llm/requests", "/_dev/requests"] {
        let shown = call_with(&server, Method::GET, path, None, &[]).await;
        assert_eq!(shown.status, 200);
        for key in [OPENAI_KEY, ANTHROPIC_KEY, "VERYSECRET"] {
            assert!(!shown.text.contains(key), "{path} shows a key");
        }
    }
    assert!(!format!("{records:?}").contains("VERYSECRET"));
    let listed = call_with(&server, Method::GET, "/_dev/llm/requests", None, &[]).await;
    assert_eq!(listed.body[1]["api"], "anthropic");
    assert_eq!(listed.body[1]["script"], "default");

    let cleared = call_with(&server, Method::DELETE, "/_dev/llm/requests", None, &[]).await;
    assert_eq!(cleared.status, 200);
    assert!(server.llm_requests().await.is_empty());
}

#[tokio::test]
async fn malformed_requests_are_recorded_and_answered_in_the_providers_shape() {
    let server = start().await;
    for (path, body) in [
        (OPENAI, json!("{not json")),
        (ANTHROPIC, json!({"model": "m"})),
    ] {
        let a = ask(&server, path, body).await;
        assert_eq!(a.status, 400, "{path}");
        let message = a.body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{path}: {}", a.text);
    }
    let records = server.llm_requests().await;
    assert_eq!(records.len(), 2);
    assert!(records[0].error.as_deref().unwrap().contains("not JSON"));
    assert_eq!(
        records[1].error.as_deref(),
        Some("messages: an array is required")
    );
    assert_eq!(records[1].headers["authorization"], "Bearer [REDACTED]");
}
