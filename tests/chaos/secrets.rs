//! Secrets planted where a careless log line would show them: the API key, the agent's LLM key
//! and LLM header, an LLM-gateway run token on deliveries, and users' OIDC and graph tokens on
//! tasks. Each is distinctive, so finding it in the logs can only mean a leak.

use serde_json::{Map, Value, json};
use xpander_devserver::LlmGatewayRoute;
use xpander_runtime::Secret;
use xpander_runtime::model::{CreateTaskRequest, UserTokens};

pub const API_KEY: &str = "xpd-chaos-api-key-7f3a9c51";
pub const LLM_KEY: &str = "sk-chaos-llm-key-5d2e81f0";
pub const LLM_HEADER: &str = "chaos-llm-header-secret-a41b";
pub const GATEWAY_TOKEN: &str = "gw-chaos-run-token-93c0de";
pub const OIDC_TOKEN: &str = "oidc-chaos-user-token-1b7f44";
pub const USER_TOKEN: &str = "chaos-user-graph-token-66ae";

/// Every secret, with what it is.
pub const ALL: &[(&str, &str)] = &[
    ("the API key", API_KEY),
    ("the agent's LLM key", LLM_KEY),
    ("the agent's LLM header", LLM_HEADER),
    ("the LLM-gateway token", GATEWAY_TOKEN),
    ("a user's OIDC token", OIDC_TOKEN),
    ("a user's graph token", USER_TOKEN),
];

/// The agent the worker serves, holding an LLM key and a secret LLM header.
pub fn agent() -> Value {
    json!({
        "id": "chaos-agent",
        "name": "Chaos Agent",
        "agno_settings": {"session_storage": false},
        "llm_credentials": {"name": "openai", "description": null, "value": LLM_KEY},
        "llm_extra_headers": {"x-llm-key": LLM_HEADER},
    })
}

/// The gateway route the devserver puts on deliveries (to workers that take it).
pub fn gateway() -> LlmGatewayRoute {
    LlmGatewayRoute {
        base_url: "http://127.0.0.1:9/gateway".into(),
        token: GATEWAY_TOKEN.into(),
    }
}

/// Task `i`: every 10th carries an OIDC token, every 25th a user's token map.
pub fn task(i: usize) -> CreateTaskRequest {
    let mut request = CreateTaskRequest::new(format!("chaos {i}"));
    if i.is_multiple_of(10) {
        request = request.user_oidc_token(Secret::from(OIDC_TOKEN));
    }
    if i.is_multiple_of(25) {
        let tokens: Map<String, Value> = serde_json::from_value(json!({
            "oidc_tokens": {"llm": OIDC_TOKEN},
            "graph-item-1": USER_TOKEN,
        }))
        .unwrap();
        request = request.user_tokens(UserTokens::new(tokens));
    }
    request
}

/// Whether the task carries a planted token.
pub fn carries_tokens(task: &xpander_runtime::Task) -> bool {
    task.user_oidc_token.is_some() || task.user_tokens.is_some()
}
