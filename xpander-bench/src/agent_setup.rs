//! The `agent` scenario's devserver: the served agent runs on the devserver's scripted LLM,
//! which calls one platform tool and then answers, reporting token usage.

use std::time::Duration;

use serde_json::json;
use xpander_devserver::{DevServerHandle, LlmTurn};

/// Makes the server's agent an LLM agent with one platform tool, and scripts its model: a
/// `weather_lookup` call, then an answer, `llm_time` in all (half before each answer).
pub async fn configure(server: &DevServerHandle, llm_time: Duration) -> Result<(), String> {
    let id = server.agent_id();
    let agent = json!({
        "id": id, "name": "Bench Agent", "model_provider": "openai", "model_name": "gpt-4.1",
        "llm_api_base": format!("{}/_dev/llm/agents/{id}/openai/v1", server.base_url()),
        "llm_credentials": {"name": "bench", "value": "bench-llm-key"},
        "instructions": {"role": ["Answer briefly"], "goal": ["Give the weather"],
                         "general": "A weather helper"},
        "agno_settings": {"session_storage": false},
        "tools": [{
            "id": "weather_lookup", "name": "Weather lookup", "method": "POST",
            "path": "/tools/weather_lookup", "description": "Looks up the weather of a city.",
            "parameters": {"type": "object", "properties": {"body_params": {
                "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]
            }}}
        }],
    });
    server
        .upsert_agent(agent)
        .await
        .map_err(|e| format!("could not configure the agent: {e}"))?;
    let half = llm_time / 2;
    let call = json!({"payload": {"body_params": {"city": "Oslo"}}});
    let script = vec![
        LlmTurn::call("weather_lookup", call)
            .usage(900, 20, 0)
            .latency(half),
        LlmTurn::answer("Sunny in Oslo.")
            .usage(1000, 6, 0)
            .latency(half),
    ];
    server
        .set_llm_script(Some(id), script)
        .await
        .map_err(|e| format!("could not script the LLM: {e}"))
}
