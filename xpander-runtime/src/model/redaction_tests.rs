//! No wire type's `Debug` shows a credential: MCP headers and environment variables, payload
//! extensions, connectivity details, and the LLM-gateway token.

use serde_json::{Map, Value, json};

use super::{Agent, CreateTaskRequest, McpServerDetails, Task, TaskUpdate};

const FULL: &str = include_str!("../../../tests/fixtures/agent.full.json");

const PLANTED: &[&str] = &[
    "mcp-header-s3cr3t",
    "mcp-env-s3cr3t",
    "mcp-extra-s3cr3t",
    "sso-fetch-s3cr3t",
    "curl-s3cr3t",
    "invoke-s3cr3t",
    "gateway-s3cr3t",
];

fn mcp_server() -> Value {
    json!({
        "url": "https://mcp.example.com/mcp",
        "auth_type": "custom_headers",
        "headers": {"Authorization": "Bearer mcp-header-s3cr3t"},
        "env_vars": {"GITHUB_TOKEN": "mcp-env-s3cr3t"},
        "future_secret": "mcp-extra-s3cr3t",
    })
}

fn assert_clean(debug: &str, what: &str) {
    for secret in PLANTED {
        assert!(!debug.contains(secret), "{what} shows {secret}: {debug}");
    }
    assert!(debug.contains("[REDACTED]"), "{what}: {debug}");
}

#[test]
fn an_agent_shows_no_mcp_header_env_var_or_curl_credential() {
    let mut agent: Value = serde_json::from_str(FULL).unwrap();
    agent["graph"][0]["settings"]["mcp_settings"] = mcp_server();
    agent["connectivity_details"] = json!({
        "curl_command": "curl -H 'Authorization: Bearer curl-s3cr3t' https://a.example/run",
        "invoke_url": "https://a.example/run?code=invoke-s3cr3t",
    });
    let agent: Agent = serde_json::from_value(agent).unwrap();
    let debug = format!("{agent:?}");
    assert_clean(&debug, "the agent");
    for name in ["Authorization", "GITHUB_TOKEN", "future_secret"] {
        assert!(debug.contains(name), "{name} is named: {debug}");
    }
}

#[test]
fn a_task_shows_no_payload_extension_value_gateway_token_or_mcp_credential() {
    let task: Task = serde_json::from_value(json!({
        "id": "t", "agent_id": "a", "organization_id": "o",
        "created_at": "2025-01-01T00:00:00Z", "input": {"text": "hi"},
        "payload_extension": {
            "sso_fetch_key": "sso-fetch-s3cr3t",
            "llm_gateway": {"base_url": "https://gw.example", "token": "gateway-s3cr3t"},
        },
        "mcp_servers": [mcp_server()],
    }))
    .unwrap();
    assert_eq!(task.llm_gateway().unwrap().token.expose(), "gateway-s3cr3t");
    assert_clean(&format!("{task:?}"), "the task");
    let wire = serde_json::to_string(&task).unwrap();
    assert!(
        !wire.contains("gateway-s3cr3t"),
        "the route is never sent back"
    );
    assert!(
        wire.contains("sso-fetch-s3cr3t"),
        "the wire keeps the extension"
    );
}

#[test]
fn requests_show_no_payload_extension_value_or_mcp_credential() {
    let extension: Map<String, Value> =
        serde_json::from_value(json!({"sso_fetch_key": "sso-fetch-s3cr3t"})).unwrap();
    let server: McpServerDetails = serde_json::from_value(mcp_server()).unwrap();
    let create = CreateTaskRequest::new("hi")
        .payload_extension(extension.clone())
        .mcp_servers([server]);
    assert_clean(&format!("{create:?}"), "a create request");
    let update = TaskUpdate {
        tool_call_payload_extension: Some(extension),
        ..TaskUpdate::default()
    };
    assert_clean(&format!("{update:?}"), "a task update");
}
