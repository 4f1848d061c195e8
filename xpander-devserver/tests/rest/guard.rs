//! The developer routes against web pages: loopback Host names only, no cross-origin writes,
//! JSON bodies only, and secrets redacted from their answers.

use super::*;

/// The status and `error` of a request to `path` with `headers`, and a raw `body` if any.
async fn dev_call(
    server: &xpander_devserver::DevServerHandle,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    let mut req = client().request(method, format!("{}{path}", server.base_url()));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(body) = body {
        req = req.body(body.to_owned());
    }
    let response = req.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_foreign_host_name_is_refused() {
    let server = start().await;
    for path in ["/_dev/agents", "/_dev/health", "/"] {
        for host in [
            "evil.example",
            "evil.example:9100",
            "127.0.0.1.evil.example",
        ] {
            let (status, error) =
                dev_call(&server, Method::GET, path, &[("host", host)], None).await;
            assert_eq!(status, 403, "{path} {host}");
            assert!(error.contains("DNS rebinding"), "{error}");
        }
        for host in ["127.0.0.1:1", "localhost:9100", "localhost", "[::1]:80"] {
            let (status, _) = dev_call(&server, Method::GET, path, &[("host", host)], None).await;
            assert_eq!(status, 200, "{path} {host}");
        }
    }
    // Platform routes go by their key, whatever the name.
    let (status, _) = dev_call(
        &server,
        Method::GET,
        "/agents/list",
        &[("host", "evil.example"), ("x-api-key", KEY)],
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cross_origin_writes_are_refused() {
    let server = start().await;
    let json = ("content-type", "application/json");
    for origin in [
        "http://evil.example",
        "null",
        "http://localhost.evil.example",
    ] {
        for (path, body) in [
            ("/_dev/faults", r#"{"drop_sse_every": 1}"#),
            ("/_dev/agents", r#"{"id": "planted", "name": "P"}"#),
            ("/_dev/mcp_auth/approve", "{}"),
        ] {
            let (status, error) = dev_call(
                &server,
                Method::POST,
                path,
                &[("origin", origin), json],
                Some(body),
            )
            .await;
            assert_eq!(status, 403, "{origin} {path}");
            assert!(error.contains("cross-origin"), "{error}");
        }
        let (status, _) = dev_call(
            &server,
            Method::DELETE,
            "/_dev/faults",
            &[("origin", origin)],
            None,
        )
        .await;
        assert_eq!(status, 403, "{origin}");
    }
    assert_eq!(get(&server, "/agents/planted").await.status, 404);
    let faults = call_with(&server, Method::GET, "/_dev/faults", None, &[]).await;
    assert!(faults.body["faults"]["drop_sse_every"].is_null());
    // Loopback pages may write; anyone may read.
    for origin in [
        "http://localhost:5173",
        "http://127.0.0.1:9100",
        "https://[::1]",
    ] {
        let (status, _) = dev_call(
            &server,
            Method::POST,
            "/_dev/faults",
            &[("origin", origin), json],
            Some(r#"{"seed": 2}"#),
        )
        .await;
        assert_eq!(status, 200, "{origin}");
    }
    let (status, _) = dev_call(
        &server,
        Method::GET,
        "/_dev/faults",
        &[("origin", "http://evil.example")],
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn developer_writes_take_json_only() {
    let server = start().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let headers: Vec<_> = content_type
            .map(|t| ("content-type", t))
            .into_iter()
            .collect();
        let (status, error) = dev_call(
            &server,
            Method::POST,
            "/_dev/faults",
            &headers,
            Some(r#"{"seed": 3}"#),
        )
        .await;
        assert_eq!(status, 415, "{content_type:?}");
        assert!(error.contains("application/json"), "{error}");
    }
    let faults = call_with(&server, Method::GET, "/_dev/faults", None, &[]).await;
    assert_eq!(faults.body["faults"]["seed"], 0);
    let (status, _) = dev_call(
        &server,
        Method::POST,
        "/_dev/faults",
        &[("content-type", "application/json; charset=utf-8")],
        Some(r#"{"seed": 3}"#),
    )
    .await;
    assert_eq!(status, 200);
    // No body, no content type needed.
    let (status, _) = dev_call(&server, Method::POST, "/_dev/mcp_auth/approve", &[], None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn developer_answers_redact_secrets() {
    let secrets = [
        "sk-llm-credential",
        "Bearer extra-header",
        "mcp-api-key",
        "mcp-header-value",
        "mcp-env-value",
        "user-oidc-jwt",
        "user-graph-token",
    ];
    let agent = json!({
        "id": "secretive", "name": "S",
        "llm_credentials": {"name": "mine", "description": null, "value": secrets[0]},
        "llm_extra_headers": {"Authorization": secrets[1]},
        "graph": [{"item_id": "mcp-1", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
            "url": "https://mcp.example", "auth_type": "api_key", "api_key": secrets[2],
            "headers": {"X-Key": secrets[3]}, "env_vars": {"TOKEN": secrets[4]},
        }}}],
    });
    let server = start_with(options().agent(agent.clone())).await;
    let task = post(
        &server,
        "/agent-execution/secretive",
        json!({"input": {"text": "x"}, "user_oidc_token": secrets[5],
               "user_tokens": {"mcp-1": secrets[6], "oidc_tokens": {"llm": secrets[5]}}}),
    )
    .await;
    assert_eq!(task.status, 200, "{}", task.text);
    let task_id = task.body["id"].as_str().unwrap();

    let mut dev_answers = Vec::new();
    for path in [
        "/_dev/agents".to_owned(),
        "/_dev/tasks".to_owned(),
        format!("/_dev/tasks/{task_id}"),
    ] {
        dev_answers.push(call_with(&server, Method::GET, &path, None, &[]).await);
    }
    let mut upsert = agent.clone();
    upsert["version"] = json!(2);
    dev_answers.push(call_with(&server, Method::POST, "/_dev/agents", Some(upsert), &[]).await);
    for answer in &dev_answers {
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert!(answer.text.contains("[REDACTED]"), "{}", answer.text);
        for secret in secrets {
            assert!(!answer.text.contains(secret), "{secret} in {}", answer.text);
        }
    }
    let listed = &dev_answers[0].body;
    let secretive = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "secretive")
        .unwrap();
    assert_eq!(secretive["llm_credentials"]["name"], "mine");
    assert_eq!(
        secretive["llm_extra_headers"]["Authorization"],
        "[REDACTED]"
    );

    // Workers still get them over the platform routes, with the key.
    let served = get(&server, "/agents/secretive").await.text;
    assert!(secrets[..5].iter().all(|s| served.contains(s)), "{served}");
    let status = get(&server, &format!("/agent-execution/{task_id}/status")).await;
    assert!(status.text.contains(secrets[6]), "{}", status.text);
}
