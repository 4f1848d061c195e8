//! The developer routes, shutdown, and the in-process API.

use super::*;

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

#[tokio::test]
async fn a_denied_login_is_a_token_issue_then_a_new_login() {
    let server = start().await;
    let mcp = json!({"name": "GitHub", "url": "https://mcp.example/mcp", "auth_type": "oauth2"});
    let first = post(&server, "/mcp_auth/demo-agent/u1/get_token", mcp.clone()).await;
    assert_eq!(first.body["type"], "login_required");
    let url = first.body["data"]["url"].as_str().unwrap();
    let login_id = url.rsplit('/').next().unwrap();
    let deny = |body: Value| dev(&server, Method::POST, "/_dev/mcp_auth/deny", Some(body));
    assert_eq!(deny(json!({"login_id": "nope"})).await.status, 404);
    let denied = deny(json!({"login_id": login_id})).await;
    assert_eq!(
        (denied.status.as_u16(), &denied.body),
        (200, &json!({"denied": 1}))
    );
    assert_eq!(deny(json!({"login_id": login_id})).await.status, 409);
    assert_eq!(deny(json!({})).await.status, 400);
    let logins = dev(&server, Method::GET, "/_dev/mcp_auth", None).await;
    assert_eq!(logins.body[0]["denied"], true);
    let told = post(&server, "/mcp_auth/demo-agent/u1/get_token", mcp.clone()).await;
    assert_eq!(told.body["type"], "token_issue", "{}", told.text);
    let again = post(&server, "/mcp_auth/demo-agent/u1/get_token", mcp).await;
    assert_eq!(again.body["type"], "login_required");
    assert_ne!(again.body["data"]["url"], first.body["data"]["url"]);
}

#[tokio::test]
async fn every_status_change_is_kept() {
    let server = start().await;
    let task = create_task(&server, "demo-agent", "hi").await;
    let id = task["id"].as_str().unwrap();
    set_status(&server, &task, "executing").await;
    set_status(&server, &task, "executing").await;
    set_status(&server, &task, "completed").await;
    let info = dev(&server, Method::GET, &format!("/_dev/tasks/{id}"), None).await;
    let statuses: Vec<&str> = info.body["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pending", "executing", "completed"]);
}
