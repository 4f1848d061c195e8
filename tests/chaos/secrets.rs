//! Secrets planted where a careless log line would show them: the API key, the agent's LLM key
//! and LLM header, its MCP server's headers and environment, its curl command and URL; an
//! LLM-gateway run token on deliveries; users' OIDC and graph tokens, payload extensions
//! (`sso_fetch_key`) and MCP servers on tasks; a double-encoded `user_tokens` in a delivery
//! that does not decode; and platform error bodies. Each is distinctive, so finding it in the
//! logs can only mean a leak.

use serde_json::{Map, Value, json};
use xpander_devserver::LlmGatewayRoute;
use xpander_runtime::Secret;
use xpander_runtime::model::{CreateTaskRequest, McpServerDetails, UserTokens};

use crate::relay::Canned;

pub const API_KEY: &str = "xpd-chaos-api-key-7f3a9c51";
pub const LLM_KEY: &str = "sk-chaos-llm-key-5d2e81f0";
pub const LLM_HEADER: &str = "chaos-llm-header-secret-a41b";
pub const GATEWAY_TOKEN: &str = "gw-chaos-run-token-93c0de";
pub const OIDC_TOKEN: &str = "oidc-chaos-user-token-1b7f44";
pub const USER_TOKEN: &str = "chaos-user-graph-token-66ae";
pub const MCP_HEADER: &str = "chaos-mcp-header-secret-0c3d";
pub const MCP_ENV: &str = "chaos-mcp-env-secret-9e12";
pub const SSO_FETCH_KEY: &str = "chaos-sso-fetch-key-47aa";
pub const CURL_SECRET: &str = "chaos-curl-secret-d0e5";
pub const INVOKE_SECRET: &str = "chaos-invoke-url-secret-3b81";
pub const DECODE_SECRET: &str = "chaos-double-encoded-token-e7f2";
pub const BODY_SECRET: &str = "chaos-error-body-secret-15c9";
pub const BODY_BEARER: &str = "chaos-error-body-bearer-8a06";

/// Every secret, with what it is.
pub const ALL: &[(&str, &str)] = &[
    ("the API key", API_KEY),
    ("the agent's LLM key", LLM_KEY),
    ("the agent's LLM header", LLM_HEADER),
    ("the LLM-gateway token", GATEWAY_TOKEN),
    ("a user's OIDC token", OIDC_TOKEN),
    ("a user's graph token", USER_TOKEN),
    ("an MCP server's header", MCP_HEADER),
    ("an MCP server's environment", MCP_ENV),
    ("a payload extension's sso_fetch_key", SSO_FETCH_KEY),
    ("the agent's curl command", CURL_SECRET),
    ("the agent's invoke URL", INVOKE_SECRET),
    ("a token in a delivery that does not decode", DECODE_SECRET),
    ("a secret in a JSON error body", BODY_SECRET),
    ("a bearer token in a text error body", BODY_BEARER),
];

/// An MCP server whose headers and environment carry secrets.
fn mcp_server() -> Value {
    json!({
        "id": "mcp-chaos",
        "name": "chaos",
        "url": "http://127.0.0.1:9/mcp",
        "auth_type": "custom_headers",
        "headers": {"Authorization": format!("Bearer {MCP_HEADER}")},
        "env_vars": {"CHAOS_TOKEN": MCP_ENV},
    })
}

/// The agent the worker serves, holding an LLM key, a secret LLM header, an MCP server with
/// secret headers and environment, and a curl connection with secrets in its command and URL.
pub fn agent() -> Value {
    json!({
        "id": "chaos-agent",
        "name": "Chaos Agent",
        "agno_settings": {"session_storage": false},
        "llm_credentials": {"name": "openai", "description": null, "value": LLM_KEY},
        "llm_extra_headers": {"x-llm-key": LLM_HEADER},
        "graph": [{
            "id": "node-mcp", "item_id": "mcp-chaos", "name": "chaos MCP", "type": "mcp",
            "targets": [], "settings": {"mcp_settings": mcp_server()}, "is_first": true,
        }],
        "connectivity_details": {
            "curl_command": format!("curl -H 'Authorization: Bearer {CURL_SECRET}' http://127.0.0.1:9/run"),
            "invoke_url": format!("http://127.0.0.1:9/run?code={INVOKE_SECRET}"),
        },
    })
}

/// An agent no worker serves: its task waits, for the worker's report on a delivery that
/// does not decode.
pub fn parked_agent() -> Value {
    json!({"id": "chaos-parked", "name": "Parked"})
}

/// The gateway route the devserver puts on deliveries (to workers that take it).
pub fn gateway() -> LlmGatewayRoute {
    LlmGatewayRoute {
        base_url: "http://127.0.0.1:9/gateway".into(),
        token: GATEWAY_TOKEN.into(),
    }
}

/// Task `i`: every 10th carries an OIDC token and a payload extension with an SSO fetch key,
/// every 25th a user's token map and an MCP server with secret headers and environment.
pub fn task(i: usize) -> CreateTaskRequest {
    let mut request = CreateTaskRequest::new(format!("chaos {i}"));
    if i.is_multiple_of(10) {
        let extension: Map<String, Value> =
            serde_json::from_value(json!({"sso_fetch_key": SSO_FETCH_KEY, "tenant": "acme"}))
                .unwrap();
        request = request
            .user_oidc_token(Secret::from(OIDC_TOKEN))
            .payload_extension(extension);
    }
    if i.is_multiple_of(25) {
        let tokens: Map<String, Value> = serde_json::from_value(json!({
            "oidc_tokens": {"llm": OIDC_TOKEN},
            "graph-item-1": USER_TOKEN,
        }))
        .unwrap();
        let server: McpServerDetails = serde_json::from_value(mcp_server()).unwrap();
        request = request
            .user_tokens(UserTokens::new(tokens))
            .mcp_servers([server]);
    }
    request
}

/// Whether the task carries a planted token.
pub fn carries_tokens(task: &xpander_runtime::Task) -> bool {
    task.user_oidc_token.is_some() || task.user_tokens.is_some()
}

/// A delivery of task `id` that does not decode: its `user_tokens` is double-encoded (a JSON
/// string holding the object), with a token inside.
pub fn undecodable_delivery(id: &str, agent_id: &str, org: &str) -> String {
    let tokens = json!({"oidc_tokens": {"llm": DECODE_SECRET}}).to_string();
    json!({
        "id": id, "agent_id": agent_id, "organization_id": org,
        "created_at": "2025-01-01T00:00:00Z", "input": {"text": "double-encoded"},
        "user_tokens": tokens,
    })
    .to_string()
}

/// Error answers to task updates, each with a secret in its body: JSON, and text.
pub fn error_bodies() -> [Canned; 2] {
    [
        Canned {
            status: 500,
            content_type: "application/json",
            body: json!({"detail": "chaos: update refused", "token": BODY_SECRET}).to_string(),
        },
        Canned {
            status: 500,
            content_type: "text/plain",
            body: format!("chaos: upstream said Authorization: Bearer {BODY_BEARER}"),
        },
    ]
}
