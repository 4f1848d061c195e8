//! The REST routes over real HTTP on loopback: auth, each route's happy path and shape, and the
//! error answers (400 naming the JSON path, 404, 413).

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xpander_devserver::{DevServerOptions, KnowledgeBase};

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

#[tokio::test]
async fn agents_list_get_versions_db_and_tools() {
    let server = start_with(
        options()
            .agent(agent("a1"))
            .agent(json!({"id": "a2", "name": "Two", "version": 1}))
            .agent(json!({"id": "a2", "name": "Two v3", "version": 3}))
            .tool_response("weather", json!({"temp": 21}))
            .db_uri("postgresql://u:p@localhost/db"),
    )
    .await;
    assert_eq!(server.agent_id(), "a1");

    let list = get(&server, "/agents/list").await;
    assert_eq!(list.status, 200);
    let ids: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a1", "a2"]);
    for item in list.body.as_array().unwrap() {
        for key in [
            "id",
            "name",
            "icon",
            "instructions",
            "status",
            "organization_id",
            "created_at",
        ] {
            assert!(!item[key].is_null(), "{key} in {item}");
        }
    }

    let a2 = get(&server, "/agents/a2").await;
    assert_eq!(
        (a2.body["name"].as_str(), a2.body["version"].as_i64()),
        (Some("Two v3"), Some(3))
    );
    assert!(
        a2.body.get("environment_id").is_none(),
        "no nulls at the top level"
    );
    assert_eq!(a2.body["graph"], json!([]));
    assert_eq!(a2.body["organization_id"], server.org());
    let v1 = call_with(
        &server,
        Method::GET,
        "/agents/a2",
        None,
        &[("x-api-key", KEY), ("x-agent-version", "1")],
    )
    .await;
    assert_eq!(v1.body["name"], "Two");
    let v2 = call_with(
        &server,
        Method::GET,
        "/agents/a2",
        None,
        &[("x-api-key", KEY), ("x-agent-version", "2")],
    )
    .await;
    assert_eq!(v2.status, 404);
    assert!(v2.body["error"].as_str().unwrap().contains("no version 2"));
    let bad = call_with(
        &server,
        Method::GET,
        "/agents/a2",
        None,
        &[("x-api-key", KEY), ("x-agent-version", "two")],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(get(&server, "/agents/nope").await.status, 404);

    let db = get(&server, "/agents/a1/db").await;
    assert_eq!(
        db.body["connection_uri"]["uri"],
        "postgresql://u:p@localhost/db"
    );

    let synced = patch(&server, "/agents/a1/sync_local_tools", json!([{"id": "t"}])).await;
    assert_eq!(synced.body["id"], "a1");
    assert_eq!(
        patch(&server, "/agents/a1/sync_local_tools", json!({}))
            .await
            .status,
        400
    );

    let weather = post(
        &server,
        "/agents/a1/operations/weather",
        json!({"city": "Paris"}),
    )
    .await;
    assert_eq!(weather.body, json!({"temp": 21}));
    let echo = post(&server, "/agents/a1/operations/other", json!({"q": 1})).await;
    assert_eq!(echo.body, json!({"tool_id": "other", "payload": {"q": 1}}));
    let task = create_task(&server, "a1", "use tools").await;
    let tid = task["id"].as_str().unwrap();
    let preflight = call_with(
        &server,
        Method::POST,
        "/agents/a1/operations/other",
        Some(json!({"body_params": {"input": {}, "output": "x"}})),
        &[
            ("x-api-key", KEY),
            ("x-preflight-check", "true"),
            ("x-execution-id", tid),
        ],
    )
    .await;
    assert_eq!(preflight.body, json!({"success": true}));
    assert_eq!(server.task_info(tid).await.unwrap().tool_calls.len(), 1);

    let route = post(&server, "/agents/a1/llm-gateway-route/t1", json!({})).await;
    assert_eq!(route.status, 404);
}

#[tokio::test]
async fn db_without_a_uri_is_a_clear_404() {
    let server = start().await;
    let db = get(&server, "/agents/demo-agent/db").await;
    assert_eq!(db.status, 404);
    assert!(
        db.body["error"]
            .as_str()
            .unwrap()
            .contains("session_storage")
    );
}

#[tokio::test]
async fn task_create_get_update_stop_shapes() {
    let server = start().await;
    let created = post(
        &server,
        "/agent-execution/demo-agent",
        json!({
            "id": null, "input": {"text": "hi", "files": ["https://x/a.txt"],
                                   "user": {"id": "u1", "email": "u@x.io"}},
            "payload_extension": {"k": 1, "llm_gateway": {"base_url": "http://gw", "token": "secret"}},
            "source": "sdk", "worker_id": null, "output_format": "json",
            "output_schema": {"type": "object"}, "run_locally": false, "events_streaming": false,
            "additional_context": "ctx", "instructions_override": null, "test_run_node_id": null,
            "user_oidc_token": null, "expected_output": "e", "mcp_servers": [], "triggering_agent_id": "t",
            "title": "T", "think_mode": "harder", "disable_attachment_injection": true,
            "tool_call_limit": 5, "user_tokens": null, "return_metrics": true,
            "llm_model_provider": "openai", "llm_model_name": "gpt-4.1", "llm_reasoning_effort": "high",
            "harness_cli": null, "permission_mode": null
        }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let t = &created.body;
    assert_eq!(t["status"], "pending");
    for key in [
        "expected_output",
        "mcp_servers",
        "triggering_agent_id",
        "title",
        "agent_version",
    ] {
        assert!(t.get(key).is_some(), "{key} present");
    }
    assert_eq!(t["agent_version"], Value::Null);
    assert_eq!(
        t["payload_extension"],
        json!({"k": 1}),
        "the gateway route is never stored"
    );
    assert_eq!(
        (t["think_mode"].as_str(), t["tool_call_limit"].as_i64()),
        (Some("harder"), Some(5))
    );
    assert_eq!(t["input"]["user"]["email"], "u@x.io");
    assert_eq!(t["organization_id"], server.org());
    let id = t["id"].as_str().unwrap().to_owned();

    let got = get(&server, &format!("/agent-execution/{id}/status")).await;
    assert_eq!(got.body, created.body);

    // x-agent-version is stored as a string.
    let versioned = call_with(
        &server,
        Method::POST,
        "/agent-execution/demo-agent",
        Some(json!({"input": {"text": "v"}})),
        &[("x-api-key", KEY), ("x-agent-version", "1")],
    )
    .await;
    assert_eq!(versioned.body["agent_version"], "1");

    // Sparse update.
    let sparse = patch(&server, &format!("/agent-execution/{id}/update"),
        json!({"status": "executing", "result": "partial", "tool_call_payload_extension": {"z": 2}})).await;
    assert_eq!(sparse.status, 200, "{}", sparse.text);
    assert_eq!(sparse.body["status"], "executing");
    assert_eq!(sparse.body["payload_extension"], json!({"z": 2}));
    assert!(sparse.body["started_at"].is_string());
    assert!(sparse.body["finished_at"].is_null());

    // Full save, with the old client's tuple defaults and a non-string result.
    let mut full = sparse.body.clone();
    full["status"] = json!("completed");
    full["result"] = json!({"answer": 42});
    full["expected_output"] = json!([null]);
    full["mcp_servers"] = json!([[]]);
    full["tokens"] = json!({"completion_tokens": 5, "prompt_tokens": 7, "total_tokens": 99});
    full["created_at"] = json!("1999-01-01T00:00:00Z");
    full["future_key"] = json!({"kept": true});
    full.as_object_mut().unwrap().remove("deep_planning");
    let saved = patch(&server, &format!("/agent-execution/{id}/update"), full).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let s = &saved.body;
    assert_eq!(s["status"], "completed");
    assert_eq!(s["result"], "{\"answer\":42}");
    assert_eq!(s["expected_output"], Value::Null);
    assert_eq!(s["mcp_servers"], json!([]));
    assert_eq!(s["tokens"]["total_tokens"], 12);
    assert_eq!(
        s["created_at"], created.body["created_at"],
        "created_at is the server's"
    );
    assert_eq!(s["started_at"], sparse.body["started_at"]);
    assert!(s["finished_at"].is_string());
    assert_eq!(s["future_key"], json!({"kept": true}));
    assert_eq!(s["deep_planning"], created.body["deep_planning"]);

    // A second terminal status keeps the first finished_at.
    let again = patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"status": "failed"}),
    )
    .await;
    assert_eq!(again.body["finished_at"], s["finished_at"]);

    let other = create_task(&server, "demo-agent", "stop me").await;
    let oid = other["id"].as_str().unwrap();
    let stopped = call(
        &server,
        Method::DELETE,
        &format!("/agent-execution/{oid}"),
        None,
    )
    .await;
    assert_eq!(stopped.body["status"], "stopped");
    assert_eq!(stopped.body["is_manually_stopped"], true);
    assert!(stopped.body["finished_at"].is_string());

    // Continue an existing task by id.
    let reused = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"id": oid, "input": {"text": "again"}}),
    )
    .await;
    assert_eq!(
        (reused.body["id"].as_str(), reused.body["status"].as_str()),
        (Some(oid), Some("pending"))
    );
    assert_eq!(server.tasks().await.len(), 3);
}

#[tokio::test]
async fn bad_input_answers_400_naming_the_problem_and_404_for_unknown_ids() {
    let server = start().await;
    let no_email = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {"text": "x", "user": {"id": "u"}}}),
    )
    .await;
    assert_eq!(no_email.status, 400);
    assert_eq!(
        no_email.body["error"],
        "create task: input.user.email: missing field"
    );
    let wrong_type = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {"text": 5}}),
    )
    .await;
    assert_eq!(wrong_type.status, 400);
    assert!(
        wrong_type.body["error"]
            .as_str()
            .unwrap()
            .starts_with("create task: input.text: invalid type"),
        "{}",
        wrong_type.text
    );
    let not_json = post(&server, "/agent-execution/demo-agent", json!("{not json")).await;
    assert_eq!(not_json.status, 400);
    let empty = post(&server, "/agent-execution/demo-agent", json!("")).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body["error"].as_str().unwrap().contains("empty"));
    let bad_format = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {}, "output_format": "yaml"}),
    )
    .await;
    assert_eq!(bad_format.status, 400);
    assert!(
        bad_format.body["error"]
            .as_str()
            .unwrap()
            .contains("output_format")
    );
    let bad_id = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"id": "a/b", "input": {}}),
    )
    .await;
    assert_eq!(bad_id.status, 400);

    let task = create_task(&server, "demo-agent", "x").await;
    let id = task["id"].as_str().unwrap();
    let status = patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"status": "banana"}),
    )
    .await;
    assert_eq!(status.status, 400);
    assert!(
        status.body["error"]
            .as_str()
            .unwrap()
            .contains("status: unknown value"),
        "{}",
        status.text
    );
    let mut wrong_id = task.clone();
    wrong_id["id"] = json!("someone-else");
    assert_eq!(
        patch(&server, &format!("/agent-execution/{id}/update"), wrong_id)
            .await
            .status,
        400
    );
    let bad_field = patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"title": 7, "id": id}),
    )
    .await;
    assert_eq!(bad_field.status, 400);
    assert!(
        bad_field.body["error"]
            .as_str()
            .unwrap()
            .starts_with("update task: title:"),
        "{}",
        bad_field.text
    );
    assert_eq!(
        patch(
            &server,
            &format!("/agent-execution/{id}/update"),
            json!([1])
        )
        .await
        .status,
        400
    );
    assert_eq!(
        server.task(id).await.unwrap().status.as_str(),
        "pending",
        "unchanged after bad updates"
    );

    assert_eq!(
        post(&server, "/agent-execution/nope", json!({"input": {}}))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&server, "/agent-execution/nope/status").await.status,
        404
    );
    assert_eq!(
        patch(
            &server,
            "/agent-execution/nope/update",
            json!({"status": "completed"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        call(&server, Method::DELETE, "/agent-execution/nope", None)
            .await
            .status,
        404
    );
    assert_eq!(
        post(&server, "/agent-execution/nope/events/push", json!([]))
            .await
            .status,
        404
    );
    assert_eq!(get(&server, "/activity/demo-agent/nope").await.status, 404);
    assert_eq!(
        get(&server, "/agent-execution/executions/history/nope")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let server = start_with(options().body_limit(1024)).await;
    let big = json!({"input": {"text": "x".repeat(4096)}});
    let a = post(&server, "/agent-execution/demo-agent", big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.content_type, "application/json");
    // Chunked (no content-length) bodies are cut off too.
    let stream =
        futures_util::stream::iter((0..8).map(|_| Ok::<_, std::io::Error>(vec![b' '; 512])));
    let response = client()
        .post(format!("{}/agent-execution/demo-agent", server.base_url()))
        .header("x-api-key", KEY)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(get(&server, "/agents/list").await.status, 200);
}

#[tokio::test]
async fn report_events_history_metrics_activity() {
    let server = start().await;
    let report = post(
        &server,
        "/agent-execution/demo-agent/report_task",
        json!({
            "id": "ext-1", "input": "in", "llm_response": {"a": 1},
            "tokens": {"completion_tokens": 1, "prompt_tokens": 2, "total_tokens": 3},
            "is_success": true, "result": "r", "duration": 1.5, "used_tools": ["t"]
        }),
    )
    .await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(
        (report.body["id"].as_str(), report.body["agent_id"].as_str()),
        (Some("ext-1"), Some("demo-agent"))
    );
    assert_eq!(report.body["status"], "completed");
    assert_eq!(report.body["tokens"]["total_tokens"], 3);
    assert_eq!(
        server.task_info("ext-1").await.unwrap().llm_response,
        Some(json!({"a": 1}))
    );
    let failed = post(
        &server,
        "/agent-execution/demo-agent/report_task",
        json!({"is_success": false}),
    )
    .await;
    assert_eq!(failed.body["status"], "failed");

    let task = post(&server, "/agent-execution/demo-agent", json!({
        "input": {"text": "q", "user": {"id": "u7", "email": "u7@x.io"}}, "triggering_agent_id": "boss"
    })).await.body;
    let id = task["id"].as_str().unwrap();
    let events = json!([{"type": "auth_event", "task_id": id, "organization_id": server.org(),
        "time": "2026-11-22T02:04:38.005805Z", "identity": null,
        "data": {"type": "login_required", "data": {"url": "https://login"}}}]);
    let pushed = post(
        &server,
        &format!("/agent-execution/{id}/events/push"),
        events.clone(),
    )
    .await;
    assert_eq!(pushed.status, 200, "{}", pushed.text);
    assert_eq!(
        server.task_info(id).await.unwrap().events,
        events.as_array().unwrap().clone()
    );
    let bad = post(
        &server,
        &format!("/agent-execution/{id}/events/push"),
        json!([{"type": "auth_event"}]),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body["error"].as_str().unwrap().contains("[0]"),
        "{}",
        bad.text
    );

    let history = get(&server, "/agent-execution/executions/history/demo-agent").await;
    let ids: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], id, "newest first");
    let by_user = get(
        &server,
        "/agent-execution/executions/history/demo-agent?user_id=u7",
    )
    .await;
    assert_eq!(by_user.body.as_array().unwrap().len(), 1);
    assert_eq!(by_user.body[0]["user_id"], "u7");
    let by_status = get(
        &server,
        "/agent-execution/executions/history/demo-agent?status=completed",
    )
    .await;
    assert_eq!(by_status.body.as_array().unwrap().len(), 1);
    let by_trigger = get(
        &server,
        "/agent-execution/executions/history/demo-agent?triggering_agent_id=boss",
    )
    .await;
    assert_eq!(by_trigger.body.as_array().unwrap().len(), 1);
    let user = get(&server, "/agent-execution/executions/history/user/u7").await;
    assert_eq!(user.body[0]["id"], id);

    let metrics = json!({"execution_id": id, "source": "sdk", "sub_executions": [], "memory_thread_id": id,
        "task": "q", "triggered_by": "N/A", "skills": [], "status": "completed", "internal_status": null,
        "duration": 0.0, "ai_model": "xpander", "worker": null, "ai_employee_id": null, "api_calls_made": [],
        "result": "r", "llm_tokens": {"inner": {"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0},
        "worker": {"completion_tokens": 5, "prompt_tokens": 7, "total_tokens": 12}}});
    let m = post(
        &server,
        "/agents-metrics/demo-agent/execution",
        metrics.clone(),
    )
    .await;
    assert_eq!(m.status, 200, "{}", m.text);
    assert_eq!(server.task_info(id).await.unwrap().metrics, vec![metrics]);
    let no_source = post(
        &server,
        "/agents-metrics/demo-agent/execution",
        json!({"execution_id": id}),
    )
    .await;
    assert_eq!(no_source.status, 400);

    patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"status": "completed", "result": "done"}),
    )
    .await;
    let activity = get(&server, &format!("/activity/demo-agent/{id}")).await;
    assert_eq!(activity.body["id"], id);
    let messages = activity.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages.last().unwrap()["content"]["text"], "done");
}

#[tokio::test]
async fn mcp_auth_login_flow() {
    let server = start().await;
    let path = "/mcp_auth/demo-agent/u1/get_token?generate_login_url=true&is_app=false&force_refresh=false";
    let none = post(
        &server,
        path,
        json!({"url": "https://m1", "auth_type": "none"}),
    )
    .await;
    assert_eq!(none.body["type"], "token_ready");
    assert!(none.body["data"]["access_token"].is_string());
    let key = post(
        &server,
        path,
        json!({"url": "https://m2", "auth_type": "api_key"}),
    )
    .await;
    assert_eq!(key.body["type"], "token_ready");

    let oauth = json!({"url": "https://m3", "name": "m3", "auth_type": "oauth2"});
    let login = post(&server, path, oauth.clone()).await;
    assert_eq!(login.body["type"], "login_required", "{}", login.text);
    assert_eq!(login.body["data"]["server_name"], "m3");
    let url = login.body["data"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(server.base_url()));
    let poll = "/mcp_auth/demo-agent/u1/get_token?generate_login_url=false";
    assert_eq!(
        post(&server, poll, oauth.clone()).await.body["type"],
        "login_required"
    );
    let page = client().get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        post(&server, poll, oauth.clone()).await.body["type"],
        "token_ready"
    );

    // Another user approves through /_dev/mcp_auth/approve instead.
    let other = "/mcp_auth/demo-agent/u2/get_token?generate_login_url=true";
    assert_eq!(
        post(&server, other, oauth.clone()).await.body["type"],
        "login_required"
    );
    let approved = post(&server, "/_dev/mcp_auth/approve", json!({"user_id": "u2"})).await;
    assert_eq!(approved.body["approved"], 1);
    assert_eq!(
        post(&server, other, oauth.clone()).await.body["type"],
        "token_ready"
    );

    // A test approves in-process, for one server only.
    let third = "/mcp_auth/demo-agent/u3/get_token?generate_login_url=true";
    assert_eq!(
        post(&server, third, oauth.clone()).await.body["type"],
        "login_required"
    );
    assert_eq!(server.approve_mcp_logins(None, Some("https://m9")).await, 0);
    assert_eq!(server.approve_mcp_logins(None, Some("https://m3")).await, 1);
    assert_eq!(
        post(&server, third, oauth).await.body["type"],
        "token_ready"
    );

    let odd = post(
        &server,
        path,
        json!({"url": "https://m4", "auth_type": "kerberos"}),
    )
    .await;
    assert_eq!(odd.body["type"], "not_supported");
    assert_eq!(post(&server, path, json!({"url": 5})).await.status, 400);
    let bad_flag = post(
        &server,
        "/mcp_auth/demo-agent/u1/get_token?generate_login_url=maybe",
        json!({}),
    )
    .await;
    assert_eq!(bad_flag.status, 400);
}

#[tokio::test]
async fn metadata_memories_presence_allowance_and_knowledge_bases() {
    let mut headers = serde_json::Map::new();
    headers.insert("x-org".into(), json!("1"));
    let server = start_with(
        options().llm_extra_headers(headers).knowledge_base(
            KnowledgeBase::new("kb1", "Handbook")
                .document("Refunds are issued within 14 days.")
                .document("Support answers refunds by email.")
                .document("Unrelated."),
        ),
    )
    .await;
    assert_eq!(
        get(&server, "/metadata/default_llm_extra_headers")
            .await
            .body,
        json!({"x-org": "1"})
    );
    let memories = get(&server, "/memories/demo-agent?user_id=u1").await;
    assert_eq!(memories.body["user"], json!([]));
    assert_eq!(
        post(&server, "/memories/demo-agent", json!({"action": "save"}))
            .await
            .status,
        200
    );
    let presence = call(
        &server,
        Method::POST,
        "/tools/demo-agent/channel-presence",
        None,
    )
    .await;
    assert_eq!(presence.body, json!({"text": ""}));
    let allowed = post(
        &server,
        "/metadata/api_key_allowance",
        json!({"api_key": KEY}),
    )
    .await;
    assert_eq!(allowed.body["agent_ids"], json!(["demo-agent"]));
    let denied = post(
        &server,
        "/metadata/api_key_allowance",
        json!({"api_key": "other"}),
    )
    .await;
    assert_eq!(denied.body["agent_ids"], json!([]));

    let details = get(&server, "/knowledge_bases/kb1/details").await;
    assert_eq!(
        (
            details.body["total_documents"].as_u64(),
            details.body["type"].as_str()
        ),
        (Some(3), Some("managed"))
    );
    let hits = get(&server, "/knowledge_bases/kb1?search_query=refunds%20email&use_bubble=false&bubble_size=1000&top_k=5").await;
    assert_eq!(hits.body.as_array().unwrap().len(), 2);
    assert_eq!(
        hits.body[0],
        json!({"content": "Support answers refunds by email.", "score": 1.0})
    );
    let top1 = get(&server, "/knowledge_bases/kb1?search_query=refunds&top_k=1").await;
    assert_eq!(top1.body.as_array().unwrap().len(), 1);
    assert_eq!(
        get(&server, "/knowledge_bases/nope/details").await.status,
        404
    );
    assert_eq!(get(&server, "/knowledge_bases/kb1").await.status, 400);
}

#[tokio::test]
async fn dev_routes_log_upsert_and_stay_open() {
    let server = start().await;
    get(&server, "/agents/list").await;
    let log = call_with(
        &server,
        Method::GET,
        "/_dev/requests?path=/agents/list",
        None,
        &[],
    )
    .await;
    let entry = &log.body[0];
    assert_eq!(
        (entry["method"].as_str(), entry["status"].as_u64()),
        (Some("GET"), Some(200))
    );
    for key in ["time", "path", "query", "body_size", "seq"] {
        assert!(entry.get(key).is_some(), "{key}");
    }
    let upsert = call_with(
        &server,
        Method::POST,
        "/_dev/agents",
        Some(json!([agent("x1"), {"id": "x2", "name": "X2"}])),
        &[],
    )
    .await;
    assert_eq!(upsert.status, 200, "{}", upsert.text);
    assert_eq!(get(&server, "/agents/x2").await.body["unique_name"], "x2");
    let bad = call_with(
        &server,
        Method::POST,
        "/_dev/agents",
        Some(json!([agent("ok"), {"name": "no id"}])),
        &[],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["error"], "agents[1]: id: missing field");
    assert_eq!(
        get(&server, "/agents/ok").await.status,
        404,
        "a bad batch stores nothing"
    );
    let tasks = call_with(&server, Method::GET, "/_dev/tasks", None, &[]).await;
    assert_eq!(tasks.body, json!([]));
    let workers = call_with(&server, Method::GET, "/_dev/workers", None, &[]).await;
    assert_eq!(workers.body, json!([]));
    let sent = server.requests().await;
    assert!(sent.iter().all(|r| !r.path.is_empty()));
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = start().await;
    let url = format!("{}/_dev/health", server.base_url());
    server.shutdown().await;
    assert!(client().get(&url).send().await.is_err());

    let server = start().await;
    let url = format!("{}/_dev/health", server.base_url());
    drop(server);
    let mut stopped = false;
    for _ in 0..50 {
        if client().get(&url).send().await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped, "a dropped handle stops its server");
}

#[tokio::test]
async fn in_process_api() {
    let server = start_with(DevServerOptions::default()).await;
    assert!(server.api_key().starts_with("xpd-"));
    let task = server
        .create_task(
            server.agent_id(),
            xpander_runtime::model::CreateTaskRequest::new("hi"),
        )
        .await
        .unwrap();
    assert_eq!(server.tasks().await.len(), 1);
    assert_eq!(server.task(&task.id).await.unwrap().input.text, "hi");
    assert!(
        server
            .create_task("nope", Default::default())
            .await
            .is_err()
    );
    let agent = server
        .upsert_agent(json!({"id": "in-proc", "name": "P"}))
        .await
        .unwrap();
    assert_eq!(agent.unique_name, "p");
    assert_eq!(server.agents().await.len(), 2);
}
