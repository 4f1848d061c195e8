//! The REST routes over real HTTP on loopback: auth, each route's happy path and shape, and the
//! error answers (400 naming the JSON path, 404, 413).

mod agents_tasks;
#[path = "../common/mod.rs"]
mod common;
mod dashboard;
mod dev;
mod errors;
mod guard;
mod platform_misc;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xpander_devserver::{DevServerOptions, KnowledgeBase};

/// A request to a developer route: no key.
async fn dev(
    server: &xpander_devserver::DevServerHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    call_with(server, method, path, body, &[]).await
}

/// Every platform route, with a body where it takes one.
fn platform_routes(org: &str) -> Vec<(Method, String, Option<Value>)> {
    let g = |p: &str| (Method::GET, p.to_owned(), None);
    let p = |p: &str, b: Value| (Method::POST, p.to_owned(), Some(b));
    vec![
        g("/agents/list"),
        g("/agents/demo-agent"),
        g("/agents/demo-agent/db"),
        (
            Method::PATCH,
            "/agents/demo-agent/sync_local_tools".into(),
            Some(json!([])),
        ),
        p("/agents/demo-agent/operations/tool-1", json!({})),
        p("/agents/demo-agent/llm-gateway-route/t", json!({})),
        p(
            "/agent-execution/demo-agent",
            json!({"input": {"text": "x"}}),
        ),
        g("/agent-execution/t1/status"),
        (
            Method::PATCH,
            "/agent-execution/t1/update".into(),
            Some(json!({})),
        ),
        (Method::DELETE, "/agent-execution/t1".into(), None),
        p("/agent-execution/demo-agent/report_task", json!({})),
        p("/agent-execution/t1/events/push", json!([])),
        g("/agent-execution/executions/history/demo-agent"),
        g("/agent-execution/executions/history/user/u1"),
        p("/agents-metrics/demo-agent/execution", json!({})),
        g("/activity/demo-agent/t1"),
        p("/mcp_auth/demo-agent/u1/get_token", json!({})),
        g("/metadata/default_llm_extra_headers"),
        p("/metadata/api_key_allowance", json!({"api_key": "x"})),
        g("/memories/demo-agent"),
        p("/tools/demo-agent/channel-presence", json!({})),
        g("/knowledge_bases/kb"),
        g("/knowledge_bases/kb/details"),
        g(&format!("/{org}/events/demo-agent?environment=local")),
        p(&format!("/{org}/events/w1?type=worker"), json!({})),
        g("/no/such/route"),
    ]
}

#[tokio::test]
async fn every_platform_route_needs_the_key() {
    let server = start().await;
    for (method, path, body) in platform_routes(server.org()) {
        for headers in [&[][..], &[("x-api-key", "wrong")][..]] {
            let a = call_with(&server, method.clone(), &path, body.clone(), headers).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{method} {path} {headers:?}"
            );
            assert_eq!(a.content_type, "application/json", "{method} {path}");
            assert!(a.body["error"].is_string(), "{method} {path}: {}", a.text);
        }
    }
    // The developer pages need no key.
    let a = call_with(&server, Method::GET, "/_dev/health", None, &[]).await;
    assert_eq!(a.status, 200);
    let index = call_with(&server, Method::GET, "/", None, &[]).await;
    assert_eq!(index.status, 200);
    assert!(index.content_type.starts_with("text/html"));
    assert!(
        !index.text.contains(KEY),
        "the index page never shows the key"
    );
}

#[tokio::test]
async fn every_json_answer_is_application_json() {
    let server = start().await;
    for (method, path, body) in platform_routes(server.org()) {
        if path.contains("/events/demo-agent") {
            continue; // the SSE stream
        }
        let a = call(&server, method.clone(), &path, body).await;
        assert_eq!(
            a.content_type, "application/json",
            "{method} {path}: {}",
            a.status
        );
        assert!(!a.body.is_null(), "{method} {path}: {}", a.text);
    }
    let a = call(&server, Method::PUT, "/agents/list", None).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(a.content_type, "application/json");
}
