//! The dashboard's routes over HTTP: every view and part without a secret, the platform routes
//! mounted for the page, and the change stream. (The page in a real browser:
//! `tests/dashboard/` at the workspace root.)

use super::*;

const LLM_KEY: &str = "sk-llm-secret-1";
const MCP_SECRETS: &[&str] = &["mcp-api-key-2", "mcp-header-3", "mcp-env-4", "cmd-token-5"];
const USER_SECRETS: &[&str] = &["oidc-6", "user-token-7", "pushed-token-8", "tool-key-9"];

/// A server holding secrets in every place the dashboard reads: an agent's LLM key and
/// headers, its MCP servers' keys, headers, environment and command line, a task's user
/// tokens, a pushed event, a tool call and metrics.
async fn server_with_secrets() -> (xpander_devserver::DevServerHandle, String) {
    let agent = json!({
        "id": "secret-agent", "name": "Secret Agent",
        "llm_credentials": {"name": "k", "value": LLM_KEY},
        "llm_extra_headers": {"Authorization": format!("Bearer {LLM_KEY}")},
        "graph": [
            {"id": "n1", "item_id": "m1", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                "name": "Remote", "url": "https://user:mcp-api-key-2@mcp.example/mcp?key=mcp-api-key-2",
                "api_key": "mcp-api-key-2", "headers": {"X-Key": "mcp-header-3"}, "auth_type": "api_key"}}},
            {"id": "n2", "item_id": "m2", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                "name": "Local", "command": "server --token cmd-token-5", "env_vars": {"TOKEN": "mcp-env-4"}}}},
        ],
    });
    let server = start_with(options().agent(agent)).await;
    let create = post(
        &server,
        "/agent-execution/secret-agent",
        json!({"input": {"text": "the visible prompt"}, "user_oidc_token": "oidc-6",
               "user_tokens": {"oidc_tokens": {"llm": "user-token-7"}}}),
    )
    .await;
    assert_eq!(create.status, 200, "{}", create.text);
    let id = create.body["id"].as_str().unwrap().to_owned();
    let pushed = json!([{"type": "auth_event", "task_id": id, "organization_id": server.org(),
        "time": "2026-01-01T00:00:00Z",
        "data": {"type": "token_ready", "data": {"access_token": "pushed-token-8"}}}]);
    let a = post(
        &server,
        &format!("/agent-execution/{id}/events/push"),
        pushed,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = call_with(
        &server,
        Method::POST,
        "/agents/secret-agent/operations/tool-1",
        Some(json!({"api_key": "tool-key-9", "q": "visible"})),
        &[("x-api-key", KEY), ("x-execution-id", &id)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    (server, id)
}

fn assert_clean(what: &str, text: &str) {
    for secret in [KEY, LLM_KEY].iter().chain(MCP_SECRETS).chain(USER_SECRETS) {
        assert!(!text.contains(secret), "{what} shows {secret}");
    }
}

#[tokio::test]
async fn every_view_and_part_is_free_of_secrets() {
    let (server, id) = server_with_secrets().await;
    let queries = [
        String::new(),
        "?view=agents".into(),
        "?view=workers".into(),
        "?view=requests&all=1".into(),
        "?view=faults".into(),
        format!("?task={id}"),
    ];
    for query in &queries {
        let page = dev(&server, Method::GET, &format!("/{query}"), None).await;
        assert_eq!(page.status, 200, "{query}");
        assert!(page.content_type.starts_with("text/html"), "{query}");
        assert_clean(&format!("the page {query}"), &page.text);
        let parts = dev(
            &server,
            Method::GET,
            &format!("/_dev/dashboard/parts{query}"),
            None,
        )
        .await;
        assert_eq!(parts.status, 200, "{query}");
        assert_clean(&format!("the parts {query}"), &parts.text);
        assert!(parts.body["parts"]["counts"].is_string(), "{query}");
    }
    // What is shown instead.
    let agents = dev(&server, Method::GET, "/?view=agents", None).await.text;
    assert!(agents.contains("Secret Agent") && agents.contains("https://mcp.example/mcp"));
    assert!(agents.contains("local command server"), "{agents}");
    assert!(agents.contains("XPANDER_AGENT_ID=secret-agent"));
    let detail = dev(&server, Method::GET, &format!("/?task={id}"), None)
        .await
        .text;
    assert!(detail.contains("the visible prompt") && detail.contains("tool-1"));
    assert!(detail.contains("[REDACTED]"), "secrets read as [REDACTED]");
}

#[tokio::test]
async fn the_page_and_its_assets() {
    let server = start().await;
    let response = client()
        .get(format!("{}/", server.base_url()))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let page = response.text().await.unwrap();
    for asset in ["/_dev/dashboard/app.js", "/_dev/dashboard/style.css"] {
        assert!(page.contains(asset), "{asset}");
        let a = dev(&server, Method::GET, asset, None).await;
        assert_eq!(a.status, 200, "{asset}");
        assert!(a.text.len() > 1000, "{asset}");
    }
    let js = dev(&server, Method::GET, "/_dev/dashboard/app.js", None).await;
    assert_eq!(js.content_type, "text/javascript; charset=utf-8");
    // A hand-edited query still shows a page.
    let odd = dev(&server, Method::GET, "/?view=nope&page=-3&status=x", None).await;
    assert_eq!(odd.status, 200);
}

#[tokio::test]
async fn the_platform_routes_the_page_uses_need_no_key_and_answer_redacted() {
    let server = start().await;
    let created = dev(
        &server,
        Method::POST,
        "/_dev/platform/agent-execution/demo-agent",
        Some(json!({"input": {"text": "from the page"}, "user_oidc_token": "oidc-secret"})),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["user_oidc_token"], "[REDACTED]");
    let id = created.body["id"].as_str().unwrap();
    let stored = server.task(id).await.unwrap();
    assert_eq!(stored.user_oidc_token.unwrap().expose(), "oidc-secret");
    let stopped = dev(
        &server,
        Method::DELETE,
        &format!("/_dev/platform/agent-execution/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (stopped.status.as_u16(), stopped.body["status"].as_str()),
        (200, Some("stopped"))
    );
    let unknown = dev(
        &server,
        Method::POST,
        "/_dev/platform/agent-execution/nope",
        Some(json!({})),
    )
    .await;
    assert_eq!(unknown.status, 404);
    // Like every developer route: no foreign Origin, JSON bodies only.
    let foreign = call_with(
        &server,
        Method::POST,
        "/_dev/platform/agent-execution/demo-agent",
        Some(json!({"input": {"text": "x"}})),
        &[("origin", "http://evil.example")],
    )
    .await;
    assert_eq!(foreign.status, 403);
    let form = client()
        .post(format!(
            "{}/_dev/platform/agent-execution/demo-agent",
            server.base_url()
        ))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}

#[tokio::test]
async fn the_change_stream_says_what_changed_and_coalesces() {
    let server = start().await;
    let (mut events, _reader, content_type) = open_stream(&server, "/_dev/dashboard/live").await;
    assert!(content_type.starts_with("text/event-stream"));
    let mut next = async || {
        tokio::time::timeout(Duration::from_millis(700), events.recv())
            .await
            .ok()
            .flatten()
            .map(|e| (e.event.clone(), e.json()))
    };
    let (kind, first) = next().await.expect("a first event at once");
    assert_eq!(kind, "change");
    // The dashboard's own reads are not changes: nothing follows them.
    dev(&server, Method::GET, "/_dev/tasks", None).await;
    assert!(next().await.is_none(), "a developer read is no change");
    get(&server, "/agents/list").await;
    let (_, after) = next().await.expect("a platform request is one");
    assert_eq!(after["requests"], first["requests"].as_u64().unwrap() + 1);
    assert_eq!(after["store"], first["store"]);
    // A burst of changes is a few events, not one per change.
    for i in 0..60 {
        create_task(&server, "demo-agent", &format!("burst {i}")).await;
    }
    let mut burst = 0;
    while next().await.is_some() {
        burst += 1;
    }
    assert!((1..=15).contains(&burst), "{burst} events for 60 creations");
}
