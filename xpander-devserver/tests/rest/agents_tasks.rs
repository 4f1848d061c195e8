//! Agents (list, versions, db, tools) and tasks (create, get, update, stop): shapes.

use super::*;

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
