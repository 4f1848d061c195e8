//! Reports, events, history, metrics, activity, MCP logins, metadata, memories, presence,
//! allowance and knowledge bases.

use super::*;

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
