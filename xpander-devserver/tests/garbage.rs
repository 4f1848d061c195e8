//! Garbage in: many random and malformed bodies (seeded, so a failure repeats) to every route.
//! The server answers each with a JSON 2xx/4xx, stays healthy, and a task no request named is
//! unchanged.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

/// Bodies built from a valid one: truncated, mutated, wrong types, random bytes, deep nesting.
fn garbage(rng: &mut fastrand::Rng, valid: &Value) -> Vec<u8> {
    let text = valid.to_string();
    match rng.u8(0..10) {
        0 => (0..rng.usize(0..300)).map(|_| rng.u8(..)).collect(),
        1 => text.as_bytes()[..rng.usize(0..=text.len())].to_vec(),
        2 => {
            let mut v = valid.clone();
            mutate(rng, &mut v);
            v.to_string().into_bytes()
        }
        3 => random_value(rng, 4).to_string().into_bytes(),
        4 => {
            let depth = rng.usize(100..3000);
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
        }
        5 => {
            let depth = rng.usize(100..1000);
            format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes()
        }
        6 => b"{\"id\": \"\\ud800\", \"input\": {\"text\": \"\\u0000\"}}".to_vec(),
        7 => format!("{text}{text}").into_bytes(),
        8 => json!({"status": "completed", "result": 1e308, "input": [], "id": null})
            .to_string()
            .into_bytes(),
        _ => {
            let mut v = valid.clone();
            for _ in 0..rng.usize(1..6) {
                mutate(rng, &mut v);
            }
            v.to_string().into_bytes()
        }
    }
}

fn mutate(rng: &mut fastrand::Rng, value: &mut Value) {
    match value {
        Value::Object(map) if !map.is_empty() && rng.bool() => {
            let key = map.keys().nth(rng.usize(0..map.len())).unwrap().clone();
            mutate(rng, map.get_mut(&key).unwrap());
        }
        Value::Array(items) if !items.is_empty() && rng.bool() => {
            let i = rng.usize(0..items.len());
            mutate(rng, &mut items[i]);
        }
        other => *other = random_value(rng, 2),
    }
}

fn random_value(rng: &mut fastrand::Rng, depth: u32) -> Value {
    match rng.u8(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(rng.f64() * 1e12),
        4 => json!(
            (0..rng.usize(0..12))
                .map(|_| rng.char(..))
                .collect::<String>()
        ),
        5 => Value::Array(
            (0..rng.usize(0..4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.usize(0..4))
                .map(|i| (format!("k{i}"), random_value(rng, depth - 1)))
                .collect(),
        ),
    }
}

#[tokio::test]
async fn garbage_bodies_never_crash_the_server_or_touch_another_task() {
    let server = start_with(
        options()
            .agent(agent("victim-agent"))
            .agent(agent("demo-agent")),
    )
    .await;
    let org = server.org().to_owned();

    // The task no request names: completed, with events and metrics.
    let victim = create_task(&server, "victim-agent", "leave me alone").await;
    let vid = victim["id"].as_str().unwrap().to_owned();
    let mut done = victim.clone();
    done["result"] = json!("fine");
    set_status(&server, &done, "completed").await;
    post(
        &server,
        &format!("/agent-execution/{vid}/events/push"),
        json!([{"type": "chunk", "task_id": vid,
        "organization_id": org, "time": "2026-01-01T00:00:00Z", "data": "x"}]),
    )
    .await;
    let victim_before = get(&server, &format!("/agent-execution/{vid}/status"))
        .await
        .text;
    let victim_info_before = serde_json::to_value(server.task_info(&vid).await.unwrap()).unwrap();

    let target = create_task(&server, "demo-agent", "target").await;
    let tid = target["id"].as_str().unwrap().to_owned();
    let worker = Worker::connect(&server, "demo-agent").await;
    let wid = worker.id.clone();

    let full_task = target.clone();
    let routes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/agent-execution/demo-agent".into(),
            json!({"id": null, "input": {"text": "x", "files": [], "user": {"id": "u", "email": "e"}}, "source": "sdk", "run_locally": false, "mcp_servers": [{"url": "https://m"}], "think_mode": "default"}),
        ),
        (
            Method::PATCH,
            format!("/agent-execution/{tid}/update"),
            full_task,
        ),
        (
            Method::PATCH,
            format!("/agent-execution/{tid}/update"),
            json!({"status": "executing", "result": "r", "tool_call_payload_extension": {}}),
        ),
        (
            Method::POST,
            "/agent-execution/demo-agent/report_task".into(),
            json!({"id": null, "input": "in", "llm_response": {}, "tokens": {"prompt_tokens": 1}, "is_success": true, "result": "r", "duration": 1.0, "used_tools": []}),
        ),
        (
            Method::POST,
            format!("/agent-execution/{tid}/events/push"),
            json!([{"type": "auth_event", "task_id": tid, "organization_id": org, "time": "2026-01-01T00:00:00Z", "data": {}}]),
        ),
        (
            Method::POST,
            "/agents-metrics/demo-agent/execution".into(),
            json!({"execution_id": tid, "source": "sdk", "memory_thread_id": tid, "task": "t", "status": "completed", "duration": 0.0, "ai_model": "x", "result": null}),
        ),
        (
            Method::POST,
            "/mcp_auth/demo-agent/u1/get_token?generate_login_url=true".into(),
            json!({"url": "https://m", "auth_type": "oauth2"}),
        ),
        (
            Method::PATCH,
            "/agents/demo-agent/sync_local_tools".into(),
            json!([{"id": "t"}]),
        ),
        (
            Method::POST,
            "/agents/demo-agent/operations/tool".into(),
            json!({"a": 1}),
        ),
        (
            Method::POST,
            "/metadata/api_key_allowance".into(),
            json!({"api_key": "k"}),
        ),
        (
            Method::POST,
            "/memories/demo-agent".into(),
            json!({"action": "save"}),
        ),
        (
            Method::POST,
            format!("/{org}/events/{wid}?type=worker&agent_id=demo-agent"),
            json!({"id": "x", "event": "worker-heartbeat", "data": "2026-01-01T00:00:00"}),
        ),
        (
            Method::POST,
            format!("/{org}/events/{wid}?type=worker"),
            json!({"id": "x", "event": "worker-capacity-update", "data": {"is_busy": false}}),
        ),
        (
            Method::POST,
            "/_dev/agents".into(),
            json!({"id": "a", "name": "A"}),
        ),
        (Method::POST, "/_dev/faults".into(), json!({"seed": 1})),
        (
            Method::POST,
            "/_dev/mcp_auth/approve".into(),
            json!({"user_id": "u"}),
        ),
        (
            Method::POST,
            "/_dev/knowledge_bases".into(),
            json!({"id": "kb", "name": "KB", "documents": ["d"]}),
        ),
        (
            Method::GET,
            format!("/agent-execution/{tid}/status"),
            Value::Null,
        ),
        (Method::GET, "/agents/demo-agent".into(), Value::Null),
        (
            Method::DELETE,
            "/agent-execution/random-id".into(),
            Value::Null,
        ),
    ];
    let junk_ids: [&str; 6] = [
        "..",
        "%2e%2e",
        "%00",
        "a%2Fb",
        "%F0%9F%92%A9",
        "x".repeat(3000).leak(),
    ];

    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let http = client();
    let mut sent = 0;
    for round in 0..45 {
        for (method, path, valid) in &routes {
            let body = garbage(&mut rng, valid);
            let mut path = path.clone();
            if round % 9 == 8 {
                path = path.replace(&tid, junk_ids[rng.usize(0..junk_ids.len())]);
            }
            let mut req = http
                .request(method.clone(), format!("{}{path}", server.base_url()))
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body(body.clone());
            if rng.u8(0..5) == 0 {
                req = req.header(
                    "x-agent-version",
                    ["x", "-1", "99999999999999999999", "1"][rng.usize(0..4)],
                );
            }
            let response = req.send().await.expect("the server answers");
            let status = response.status();
            let content_type = response.headers().get("content-type").cloned();
            let text = response.text().await.unwrap_or_default();
            assert!(
                status.as_u16() < 500,
                "{method} {path} {status}: {text}\nbody: {}",
                String::from_utf8_lossy(&body)
            );
            assert_eq!(
                content_type.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "{method} {path} {status}"
            );
            sent += 1;
        }
        if round == 20 {
            // Clear whatever faults garbage may have set, so the rest reaches the routes.
            call_with(&server, Method::DELETE, "/_dev/faults", None, &[]).await;
        }
    }
    call_with(&server, Method::DELETE, "/_dev/faults", None, &[]).await;
    assert!(sent >= 900);

    // Healthy: it still serves, creates, dispatches and saves.
    assert_eq!(get(&server, "/agents/list").await.status, 200);
    let mut fresh = Worker::connect(&server, "victim-agent").await;
    let task = create_task(&server, "victim-agent", "after the storm").await;
    assert_eq!(fresh.next_task().await["id"], task["id"]);
    assert_eq!(
        set_status(&server, &task, "completed").await["status"],
        "completed"
    );

    // Untouched: the victim is byte for byte what it was.
    assert_eq!(
        get(&server, &format!("/agent-execution/{vid}/status"))
            .await
            .text,
        victim_before
    );
    let victim_info_after = serde_json::to_value(server.task_info(&vid).await.unwrap()).unwrap();
    assert_eq!(victim_info_after, victim_info_before);
}

#[tokio::test]
async fn garbage_on_the_wire_itself() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start().await;
    let raw: [&[u8]; 5] = [
        b"GARBAGE\r\n\r\n",
        b"POST /agent-execution/demo-agent HTTP/1.1\r\nHost: x\r\nx-api-key: test-key\r\ncontent-length: 100\r\n\r\n{\"inp",
        b"POST /agent-execution/demo-agent HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\nx-api-key: test-key\r\n\r\nzz\r\n",
        b"GET /%ff%fe HTTP/1.1\r\nHost: x\r\nx-api-key: test-key\r\n\r\n",
        b"\x00\x01\x02\x03",
    ];
    for bytes in raw {
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let _ = stream.write_all(bytes).await;
        let _ = stream.shutdown().await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut sink)).await;
    }
    assert_eq!(get(&server, "/agents/demo-agent").await.status, 200);
}
