//! Fault injection: dropped streams, malformed deliveries, failing and slow routes, seeded so a
//! run repeats.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;
use xpander_devserver::{DelayFault, ErrorFault, Faults, WorkerState};

#[tokio::test]
async fn streams_drop_every_n_events_and_pending_tasks_come_again() {
    let server = start().await;
    let set = call_with(
        &server,
        Method::POST,
        "/_dev/faults",
        Some(json!({"drop_sse_every": 3})),
        &[],
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    // Event 1: registration. Events 2 and 3: two deliveries, then the stream closes.
    let mut w1 = Worker::connect(&server, "demo-agent").await;
    let a = create_task(&server, "demo-agent", "a").await;
    let b = create_task(&server, "demo-agent", "b").await;
    assert_eq!(w1.next_task().await["id"], a["id"]);
    assert_eq!(w1.next_task().await["id"], b["id"]);
    assert!(
        w1.next().await.is_none(),
        "the stream ends after the 3rd event"
    );
    let w1_id = w1.id.clone();
    server
        .wait_for_workers(WAIT, |ws| {
            ws.iter()
                .any(|w| w.id == w1_id && w.state == WorkerState::Disconnected)
        })
        .await
        .unwrap();
    // Both tasks were still pending: a new worker gets both again (event 4: registration,
    // 5 and 6: deliveries; the 6th closes this stream too).
    let mut w2 = Worker::connect(&server, "demo-agent").await;
    let again = [
        w2.next_task().await["id"].clone(),
        w2.next_task().await["id"].clone(),
    ];
    assert!(
        again.contains(&a["id"]) && again.contains(&b["id"]),
        "{again:?}"
    );
    let status = call_with(&server, Method::GET, "/_dev/faults", None, &[]).await;
    assert_eq!(status.body["dropped_streams"], 2);

    // Cleared: streams stay open. w2's stream was closed after its 2nd delivery too, so the new
    // worker gets a and b again, then c.
    assert_eq!(
        call_with(&server, Method::DELETE, "/_dev/faults", None, &[])
            .await
            .status,
        200
    );
    let w2_id = w2.id.clone();
    server
        .wait_for_workers(WAIT, |ws| {
            ws.iter()
                .any(|w| w.id == w2_id && w.state == WorkerState::Disconnected)
        })
        .await
        .unwrap();
    let mut w3 = Worker::connect(&server, "demo-agent").await;
    let c = create_task(&server, "demo-agent", "c").await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(w3.next_task().await["id"].clone());
    }
    assert_eq!(got, [a["id"].clone(), b["id"].clone(), c["id"].clone()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let workers = server.workers().await;
    assert_eq!(workers[0].id, w3.id);
    assert_eq!(workers[0].state, WorkerState::Connected);
}

#[tokio::test]
async fn a_malformed_delivery_precedes_every_nth_real_one() {
    let server = start().await;
    server
        .set_faults(Faults {
            malformed_every: Some(2),
            ..Faults::default()
        })
        .await
        .unwrap();
    let mut worker = Worker::connect(&server, "demo-agent").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create_task(&server, "demo-agent", &format!("t{i}")).await["id"].clone());
    }
    let mut events = Vec::new();
    for _ in 0..6 {
        events.push(worker.next().await.expect("event"));
    }
    assert!(events.iter().all(|e| e.event == "agent-execution"));
    let parsed: Vec<Option<xpander_runtime::model::Task>> = events
        .iter()
        .map(|e| serde_json::from_str(&e.data).ok())
        .collect();
    let pattern: Vec<bool> = parsed.iter().map(Option::is_some).collect();
    assert_eq!(pattern, [true, false, true, true, false, true]);
    let real: Vec<_> = parsed
        .into_iter()
        .flatten()
        .map(|t| serde_json::json!(t.id))
        .collect();
    assert_eq!(real, ids, "every real task still arrives, in order");
    // One malformed kind is invalid JSON, the other a JSON object that is not a task.
    assert!(serde_json::from_str::<serde_json::Value>(&events[1].data).is_err());
    assert!(serde_json::from_str::<serde_json::Value>(&events[4].data).is_ok());
}

#[tokio::test]
async fn route_errors_at_a_rate_repeat_with_the_seed() {
    let server = start().await;
    let faults = json!({"seed": 42, "errors": [
        {"pattern": "/agent-execution/*/status", "method": "GET", "status": 503, "rate": 0.5}
    ]});
    let task = create_task(&server, "demo-agent", "x").await;
    let path = format!("/agent-execution/{}/status", task["id"].as_str().unwrap());
    let mut runs = Vec::new();
    for _ in 0..2 {
        call_with(
            &server,
            Method::POST,
            "/_dev/faults",
            Some(faults.clone()),
            &[],
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let a = get(&server, &path).await;
            assert_eq!(a.content_type, "application/json");
            statuses.push(a.status.as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same faults");
    let failed = runs[0].iter().filter(|s| **s == 503).count();
    assert!((8..=32).contains(&failed), "about half fail: {failed}");
    assert!(runs[0].iter().all(|s| *s == 503 || *s == 200));
    // Other routes and methods are untouched; the dev pages never fail.
    assert_eq!(get(&server, "/agents/list").await.status, 200);
    assert_eq!(
        call_with(&server, Method::GET, "/_dev/health", None, &[])
            .await
            .status,
        200
    );
    let status = call_with(&server, Method::GET, "/_dev/faults", None, &[]).await;
    assert_eq!(status.body["injected_errors"], failed as u64);
}

#[tokio::test]
async fn slow_routes() {
    let server = start().await;
    server
        .set_faults(Faults {
            delays: vec![DelayFault {
                pattern: "/agents/*".into(),
                method: None,
                delay_ms: 300,
                rate: 1.0,
            }],
            errors: vec![ErrorFault {
                pattern: "/metadata/*".into(),
                method: Some("GET".into()),
                status: 500,
                rate: 1.0,
            }],
            ..Faults::default()
        })
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(get(&server, "/agents/demo-agent").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(
        get(&server, "/agent-execution/executions/history/demo-agent")
            .await
            .status,
        200
    );
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(
        get(&server, "/metadata/default_llm_extra_headers")
            .await
            .status,
        500
    );
}

#[tokio::test]
async fn bad_fault_settings_are_refused() {
    let server = start().await;
    for body in [
        json!({"drop_sse_every": 0}),
        json!({"errors": [{"pattern": "*", "status": 200}]}),
        json!({"errors": [{"pattern": "*", "status": 503, "rate": 2}]}),
        json!({"delays": [{"pattern": "", "delay_ms": 1}]}),
        json!({"unknown": 1}),
        json!([]),
    ] {
        let a = call_with(
            &server,
            Method::POST,
            "/_dev/faults",
            Some(body.clone()),
            &[],
        )
        .await;
        assert_eq!(a.status, 400, "{body}");
        assert!(a.body["error"].is_string());
    }
}
