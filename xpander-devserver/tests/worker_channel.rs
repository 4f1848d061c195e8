//! The worker channel over real SSE on loopback: registration, delivery, the task lifecycle,
//! run_locally, round robin, busy, redispatch, heartbeat loss and environment conflicts.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use xpander_devserver::{LlmGatewayRoute, WorkerState};

#[tokio::test]
async fn registration_comes_first_and_every_url_form_is_accepted() {
    let server = start().await;
    let org = server.org().to_owned();
    for path in [
        format!("/{org}/events/demo-agent?environment=local"),
        format!("/{org}/events/demo-agent?environment=local/"),
        format!("/{org}/events/demo-agent/?environment=local&supports_llm_gateway=true"),
        format!("/{org}/events/demo-agent"),
    ] {
        let worker = Worker::connect_at(&server, &path).await;
        let r = &worker.registration;
        assert!(worker.id.starts_with("WORKER-"), "{path}");
        assert_eq!(r["type"], "worker");
        assert_eq!(r["organization_id"], org.as_str());
        assert_eq!(r["dedicated_agent_id"], "demo-agent");
        for key in [
            "name",
            "created_at",
            "last_heartbeat",
            "created_by",
            "parent_asset_id",
        ] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        assert_eq!(r["metadata"]["unique_name"], "demo-agent");
    }
    // The cloud environment, in its own server (no conflict with the local workers above).
    let cloud = start().await;
    for env in ["xpander", "xpander/"] {
        Worker::connect_at(
            &cloud,
            &format!("/{}/events/demo-agent?environment={env}", cloud.org()),
        )
        .await;
    }
    let bad_env = get(
        &server,
        &format!("/{org}/events/demo-agent?environment=mars"),
    )
    .await;
    assert_eq!(bad_env.status, 400);
    assert_eq!(
        get(&server, &format!("/{org}/events/nope?environment=local"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&server, "/other-org/events/demo-agent?environment=local")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn keep_alive_comments_flow() {
    let server = start_with(options().keep_alive(Duration::from_millis(50))).await;
    let mut response = client_builder()
        .build()
        .unwrap()
        .get(format!(
            "{}/{}/events/demo-agent?environment=local",
            server.base_url(),
            server.org()
        ))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !seen.contains(": keepalive") && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) = tokio::time::timeout(WAIT, response.chunk())
            .await
            .map(|c| c.map_err(|_| ()))
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(
        seen.starts_with("event: worker-registration\ndata: {"),
        "{seen}"
    );
    assert!(seen.contains(": keepalive"), "{seen}");
}

#[tokio::test]
async fn task_lifecycle_with_timestamps() {
    let server = start().await;
    let mut worker = Worker::connect(&server, "demo-agent").await;
    let created = create_task(&server, "demo-agent", "hello").await;
    let delivered = worker.next_task().await;
    assert_eq!(delivered, created, "the bare task JSON");
    assert!(delivered.get("expected_output").is_some() && delivered.get("title").is_some());
    assert_eq!(delivered["status"], "pending");
    let info = server
        .task_info(created["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(info.delivered_to, vec![worker.id.clone()]);

    let executing = set_status(&server, &delivered, "executing").await;
    assert!(executing["started_at"].is_string());
    assert!(executing["finished_at"].is_null());
    let mut done = executing.clone();
    done["result"] = json!("hi there");
    let completed = set_status(&server, &done, "completed").await;
    assert_eq!(completed["started_at"], executing["started_at"]);
    assert!(completed["finished_at"].is_string());
    assert_eq!(completed["result"], "hi there");
    let created_at =
        chrono::DateTime::parse_from_rfc3339(completed["created_at"].as_str().unwrap()).unwrap();
    let started =
        chrono::DateTime::parse_from_rfc3339(completed["started_at"].as_str().unwrap()).unwrap();
    let finished =
        chrono::DateTime::parse_from_rfc3339(completed["finished_at"].as_str().unwrap()).unwrap();
    assert!(created_at <= started && started <= finished);
    assert!(
        worker.quiet_for(Duration::from_millis(200)).await,
        "delivered once"
    );
}

#[tokio::test]
async fn run_locally_tasks_are_never_dispatched() {
    let server = start().await;
    let mut worker = Worker::connect(&server, "demo-agent").await;
    let local = post(
        &server,
        "/agent-execution/demo-agent",
        json!({
            "input": {"text": "local"}, "run_locally": true, "worker_id": worker.id, "source": "sdk"
        }),
    )
    .await;
    assert_eq!(local.status, 200);
    assert!(worker.quiet_for(Duration::from_millis(300)).await);
    let info = server
        .task_info(local.body["id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(info.run_locally && info.delivered_to.is_empty());
    assert_eq!(info.worker_id.as_deref(), Some(worker.id.as_str()));
    // A normal task still goes out.
    let normal = create_task(&server, "demo-agent", "normal").await;
    assert_eq!(worker.next_task().await["id"], normal["id"]);
}

#[tokio::test]
async fn tasks_wait_for_a_worker_and_go_round_robin() {
    let server = start_with(options().agent(agent("a")).agent(agent("b"))).await;
    let early = create_task(&server, "a", "before any worker").await;
    let mut w1 = Worker::connect(&server, "a").await;
    assert_eq!(
        w1.next_task().await["id"],
        early["id"],
        "a queued task goes to the first worker"
    );
    let mut w2 = Worker::connect(&server, "a").await;
    let mut other_agent = Worker::connect(&server, "b").await;

    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(create_task(&server, "a", &format!("t{i}")).await["id"].clone());
    }
    let mut got1 = Vec::new();
    let mut got2 = Vec::new();
    for _ in 0..3 {
        got1.push(w1.next_task().await["id"].clone());
        got2.push(w2.next_task().await["id"].clone());
    }
    // Alternating, in creation order, each task exactly once.
    let (first, second) = if got1[0] == ids[0] {
        (&got1, &got2)
    } else {
        (&got2, &got1)
    };
    assert_eq!(*first, vec![ids[0].clone(), ids[2].clone(), ids[4].clone()]);
    assert_eq!(
        *second,
        vec![ids[1].clone(), ids[3].clone(), ids[5].clone()]
    );
    assert!(
        other_agent.quiet_for(Duration::from_millis(200)).await,
        "other agents' workers get nothing"
    );
    assert!(
        w1.quiet_for(Duration::from_millis(50)).await
            && w2.quiet_for(Duration::from_millis(50)).await
    );
}

#[tokio::test]
async fn busy_workers_get_nothing_until_free() {
    let server = start().await;
    let mut w1 = Worker::connect(&server, "demo-agent").await;
    let mut w2 = Worker::connect(&server, "demo-agent").await;
    assert_eq!(
        w1.post_back(&server, "worker-capacity-update", json!({"is_busy": true}))
            .await
            .status,
        200
    );
    for i in 0..3 {
        create_task(&server, "demo-agent", &format!("t{i}")).await;
    }
    for _ in 0..3 {
        w2.next_task().await;
    }
    assert!(
        w1.quiet_for(Duration::from_millis(200)).await,
        "a busy worker gets nothing"
    );

    w2.post_back(&server, "worker-capacity-update", json!({"is_busy": true}))
        .await;
    let waiting = create_task(&server, "demo-agent", "waits").await;
    assert!(
        w1.quiet_for(Duration::from_millis(200)).await
            && w2.quiet_for(Duration::from_millis(50)).await
    );
    w1.post_back(&server, "worker-capacity-update", json!({"is_busy": false}))
        .await;
    assert_eq!(
        w1.next_task().await["id"],
        waiting["id"],
        "freed worker gets the queued task"
    );
    let workers = server.workers().await;
    assert_eq!(workers[0].capacity_updates, 2);
    assert!(!workers[0].is_busy && workers[1].is_busy);
}

#[tokio::test]
async fn a_pending_task_is_dispatched_again_when_its_worker_disconnects() {
    let server = start().await;
    let mut w1 = Worker::connect(&server, "demo-agent").await;
    let first = create_task(&server, "demo-agent", "one").await;
    let second = create_task(&server, "demo-agent", "two").await;
    assert_eq!(w1.next_task().await["id"], first["id"]);
    assert_eq!(w1.next_task().await["id"], second["id"]);
    // The worker starts the first task, then vanishes.
    set_status(&server, &first, "executing").await;
    let w1_id = w1.id.clone();
    drop(w1);
    server
        .wait_for_workers(WAIT, |ws| {
            ws.iter()
                .any(|w| w.id == w1_id && w.state == WorkerState::Disconnected)
        })
        .await
        .expect("the disconnect is seen");
    let mut w2 = Worker::connect(&server, "demo-agent").await;
    assert_eq!(
        w2.next_task().await["id"],
        second["id"],
        "the pending task comes again"
    );
    assert!(
        w2.quiet_for(Duration::from_millis(200)).await,
        "the executing one does not"
    );
    let info = server
        .task_info(second["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(info.delivered_to, vec![w1_id, w2.id.clone()]);
}

#[tokio::test]
async fn a_silent_worker_is_lost_after_three_intervals() {
    let server = start_with(options().heartbeat_interval(Duration::from_millis(200))).await;
    let mut quiet = Worker::connect(&server, "demo-agent").await;
    let chatty = Worker::connect(&server, "demo-agent").await;
    let beats = {
        let server_url = server.base_url().to_owned();
        let (org, id) = (server.org().to_owned(), chatty.id.clone());
        tokio::spawn(async move {
            let client = client();
            loop {
                let _ = client
                    .post(format!("{server_url}/{org}/events/{id}?type=worker&agent_id=demo-agent"))
                    .header("x-api-key", KEY)
                    .json(&json!({"id": "x", "event": "worker-heartbeat", "data": "2026-11-22T02:05:59.130067"}))
                    .send()
                    .await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let task = create_task(&server, "demo-agent", "for whoever").await;
    let started = tokio::time::Instant::now();
    let workers = server
        .wait_for_workers(WAIT, |ws| ws.iter().any(|w| w.state == WorkerState::Lost))
        .await
        .expect("a worker is lost");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    let lost: Vec<_> = workers
        .iter()
        .filter(|w| w.state == WorkerState::Lost)
        .collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].id, quiet.id);
    let live = workers.iter().find(|w| w.id == chatty.id).unwrap();
    assert_eq!(live.state, WorkerState::Connected);
    assert!(
        live.heartbeats >= 2
            && live.last_heartbeat.as_deref() == Some("2026-11-22T02:05:59.130067")
    );
    // The lost worker's stream is closed; its pending task went to the live worker.
    while let Some(event) = quiet.next_within(Duration::from_millis(500)).await {
        assert_eq!(event.event, "agent-execution");
    }
    let info = server
        .task_info(task["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(info.delivered_to.last(), Some(&chatty.id));
    beats.abort();
    // Its heartbeats now get 404.
    let late = quiet
        .post_back(&server, "worker-heartbeat", json!("2026-11-22T02:06:00"))
        .await;
    assert_eq!(late.status, 404);
}

#[tokio::test]
async fn a_worker_of_the_other_environment_gets_a_conflict() {
    let server = start().await;
    let _local = Worker::connect(&server, "demo-agent").await;
    let (mut events, _reader, _) = open_stream(
        &server,
        &format!("/{}/events/demo-agent?environment=xpander/", server.org()),
    )
    .await;
    let event = tokio::time::timeout(WAIT, events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.event, "worker-environment-conflict");
    assert!(
        event.json()["error"]
            .as_str()
            .unwrap()
            .contains("environment")
    );
    assert!(
        tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap()
            .is_none(),
        "then the stream ends"
    );
    // Same environment is fine.
    Worker::connect(&server, "demo-agent").await;
}

#[tokio::test]
async fn post_back_messages() {
    let server = start().await;
    let worker = Worker::connect(&server, "demo-agent").await;
    let beat = worker
        .post_back(&server, "worker-heartbeat", json!("2026-11-22T02:05:59"))
        .await;
    assert_eq!(beat.status, 200);
    assert_eq!(beat.content_type, "application/json");
    let bad_beat = worker
        .post_back(&server, "worker-heartbeat", json!({"t": 1}))
        .await;
    assert_eq!(bad_beat.status, 400);
    let bad_cap = worker
        .post_back(&server, "worker-capacity-update", json!({"is_busy": "yes"}))
        .await;
    assert_eq!(bad_cap.status, 400);
    assert!(bad_cap.body["error"].as_str().unwrap().contains("is_busy"));
    let wrong_event = worker
        .post_back(&server, "agent-execution", json!({}))
        .await;
    assert_eq!(wrong_event.status, 400);
    let no_envelope = post(
        &server,
        &format!("/{}/events/{}?type=worker", server.org(), worker.id),
        json!({"event": "x"}),
    )
    .await;
    assert_eq!(no_envelope.status, 400);
    assert!(
        no_envelope.body["error"]
            .as_str()
            .unwrap()
            .contains("id: missing field"),
        "{}",
        no_envelope.text
    );
    let wrong_agent = post(
        &server,
        &format!(
            "/{}/events/{}?type=worker&agent_id=other",
            server.org(),
            worker.id
        ),
        json!({"id": "x", "event": "worker-heartbeat", "data": "t"}),
    )
    .await;
    assert_eq!(wrong_agent.status, 400);
    let unknown = post(
        &server,
        &format!("/{}/events/WORKER-nope?type=worker", server.org()),
        json!({"id": "x", "event": "worker-heartbeat", "data": "t"}),
    )
    .await;
    assert_eq!(unknown.status, 404);

    let log = server.requests().await;
    assert!(
        log.iter()
            .any(|r| r.event.as_deref() == Some("worker-heartbeat") && r.status == 200)
    );

    let finished = worker
        .post_back(&server, "worker-finished", json!({}))
        .await;
    assert_eq!(finished.status, 200);
    let workers = server.workers().await;
    assert_eq!(workers[0].state, WorkerState::Finished);
}

#[tokio::test]
async fn a_gateway_route_rides_on_the_delivery_only() {
    let route = LlmGatewayRoute {
        base_url: "http://127.0.0.1:9/gw".into(),
        token: "run-token".into(),
    };
    let server = start_with(options().llm_gateway(route)).await;
    let mut worker = Worker::connect(&server, "demo-agent").await;
    let created = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {"text": "x"}, "payload_extension": {"keep": 1}}),
    )
    .await
    .body;
    let delivered = worker.next_task().await;
    assert_eq!(
        delivered["payload_extension"]["llm_gateway"],
        json!({"base_url": "http://127.0.0.1:9/gw", "token": "run-token"})
    );
    assert_eq!(delivered["payload_extension"]["keep"], 1);
    let stored = get(
        &server,
        &format!(
            "/agent-execution/{}/status",
            created["id"].as_str().unwrap()
        ),
    )
    .await
    .body;
    assert_eq!(stored["payload_extension"], json!({"keep": 1}));
    // A save that echoes the route does not store it either.
    let saved = set_status(&server, &delivered, "executing").await;
    assert_eq!(saved["payload_extension"], json!({"keep": 1}));
    // A listener that did not announce support gets no route.
    drop(worker);
    let mut older = Worker::connect_at(
        &server,
        &format!("/{}/events/demo-agent?environment=local/", server.org()),
    )
    .await;
    create_task(&server, "demo-agent", "y").await;
    let plain = older.next_task().await;
    assert!(
        plain["payload_extension"].get("llm_gateway").is_none(),
        "{plain}"
    );
}

#[tokio::test]
async fn raw_sse_framing_is_standard() {
    let server = start().await;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    use tokio::io::AsyncWriteExt;
    let request = format!(
        "GET /{}/events/demo-agent?environment=local/ HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY}\r\naccept: text/event-stream\r\ncache-control: no-store\r\n\r\n",
        server.org()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buffer = vec![0u8; 8192];
    let mut text = String::new();
    while !text.contains("\n\n") {
        let n = tokio::time::timeout(WAIT, stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        text.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("content-type: text/event-stream")
    );
    let body_at = text
        .find("event: worker-registration\ndata: ")
        .expect("event then data");
    let data_line = text[body_at..].lines().nth(1).unwrap();
    let asset: Value = serde_json::from_str(data_line.trim_start_matches("data: ")).unwrap();
    assert_eq!(asset["type"], "worker");
}
