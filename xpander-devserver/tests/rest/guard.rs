//! The developer routes against web pages: loopback Host names only, no cross-origin writes,
//! JSON bodies only.

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
