//! Shutdown, several agents, heartbeats, and the request sequence of the protocol.

use super::*;

#[tokio::test]
async fn shutdown_waits_for_running_tasks_then_says_finished() {
    let ds = devserver().await;
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let ids = [
        create(&ds, "sleep:700 a").await,
        create(&ds, "sleep:700 b").await,
    ];
    ds.wait_for_tasks(2, WAIT, |t| {
        t.task.status == AgentExecutionStatus::Executing
    })
    .await
    .unwrap();
    handle.stop().await.unwrap();
    for id in ids {
        assert_eq!(
            ds.task(&id).await.unwrap().status,
            AgentExecutionStatus::Completed
        );
    }
    let finished = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.event.as_deref() == Some("worker-finished"))
        .count();
    assert_eq!(finished, 1);
}

#[tokio::test]
async fn tasks_still_running_at_the_shutdown_timeout_are_reported_as_errors() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .shutdown_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    let id = create(&ds, "sleep:30000 forever").await;
    ds.wait_for_task(&id, WAIT, |t| t.status == AgentExecutionStatus::Executing)
        .await
        .unwrap();
    handle.stop().await.unwrap();
    let task = ds.task(&id).await.unwrap();
    assert_eq!(task.status, AgentExecutionStatus::Error);
    assert_eq!(
        task.result.as_deref(),
        Some("worker shut down before the task finished")
    );
}

#[tokio::test]
async fn one_process_serves_two_agents() {
    let ds = devserver().await;
    let second = ds
        .upsert_agent(json!({"id": "agent-two", "organization_id": ds.org(), "name": "Two",
            "unique_name": "two", "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1"}))
        .await
        .unwrap();
    let handle = events(&ds)
        .register_agent_worker(
            ds.agent_id(),
            Handler::new(|mut t: Task| async move {
                t.result = Some("one".into());
                t
            }),
        )
        .register_agent_worker(
            &second.id,
            Handler::new(|mut t: Task| async move {
                t.result = Some("two".into());
                t
            }),
        )
        .spawn()
        .unwrap();
    let a = create(&ds, "x").await;
    let b = ds
        .create_task(&second.id, CreateTaskRequest::new("y"))
        .await
        .unwrap()
        .id;
    all_terminal(&ds, 2).await;
    assert_eq!(ds.task(&a).await.unwrap().result.as_deref(), Some("one"));
    assert_eq!(ds.task(&b).await.unwrap().result.as_deref(), Some("two"));
    assert_eq!(handle.agents().len(), 2);
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn heartbeats_every_two_seconds() {
    let ds = devserver().await;
    let handle = events(&ds)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let beats: Vec<f64> = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.event.as_deref() == Some("worker-heartbeat"))
        .map(|r| r.time.parse().unwrap().timestamp_millis() as f64 / 1000.0)
        .collect();
    assert!((3..=4).contains(&beats.len()), "{beats:?}");
    for pair in beats.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((1.7..2.6).contains(&gap), "heartbeat gap {gap:.2} s");
    }
    handle.stop().await.unwrap();
}

/// protocol.md §3.6 with the documented improvements: no capacity message without a
/// transition, and `worker-finished` at the end.
#[tokio::test]
async fn the_request_sequence_of_two_tasks_matches_the_protocol() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle: EventsHandle = events(&ds)
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    let before = ds.requests().await.len();
    let ids = [create(&ds, "a").await, create(&ds, "b").await];
    ds.wait_for_tasks(2, WAIT, |t| !t.metrics.is_empty())
        .await
        .expect("both reported");
    handle.stop().await.unwrap();
    let log = ds.requests().await;
    let (org, agent) = (ds.org().to_owned(), ds.agent_id().to_owned());
    let first = &log[0];
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("GET", format!("/{org}/events/{agent}/").as_str())
    );
    assert_eq!(first.query.as_deref(), Some("environment=local"));
    let heartbeat = log
        .iter()
        .find(|r| r.event.as_deref() == Some("worker-heartbeat"))
        .unwrap();
    assert!(
        heartbeat
            .path
            .starts_with(&format!("/{org}/events/WORKER-"))
    );
    assert_eq!(
        heartbeat.query.as_deref(),
        Some(format!("type=worker&agent_id={agent}").as_str())
    );
    let worker_channel = format!("/{org}/events/");
    let calls: Vec<(String, String)> = log[before..]
        .iter()
        .filter(|r| !r.path.starts_with(&worker_channel) && !r.path.starts_with("/_dev"))
        .filter(|r| !(r.method == "POST" && r.path == format!("/agent-execution/{agent}")))
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    for id in &ids {
        let mine: Vec<_> = calls
            .iter()
            .filter(|(_, path)| path.contains(id.as_str()))
            .cloned()
            .collect();
        let update = format!("/agent-execution/{id}/update");
        let status = format!("/agent-execution/{id}/status");
        assert_eq!(
            mine,
            [
                ("PATCH".into(), update.clone()),
                ("GET".into(), status),
                ("PATCH".into(), update)
            ],
            "the calls for task {id}"
        );
    }
    let metrics = format!("/agents-metrics/{agent}/execution");
    let rest: Vec<_> = calls
        .iter()
        .filter(|(_, p)| !ids.iter().any(|id| p.contains(id.as_str())))
        .collect();
    assert_eq!(
        rest,
        [
            &("POST".to_owned(), metrics.clone()),
            &("POST".to_owned(), metrics)
        ]
    );
    let post_backs: Vec<_> = log
        .iter()
        .filter(|r| r.path.starts_with(&worker_channel) && r.method == "POST")
        .collect();
    assert!(
        post_backs.iter().all(|r| r.status == 200),
        "every POST-back accepted: {post_backs:#?}"
    );
    assert_eq!(
        post_backs.last().unwrap().event.as_deref(),
        Some("worker-finished")
    );
    // Two tasks never fill six slots; the only capacity message allowed is the busy one a
    // stopping worker sends while its last task reports metrics, just before it finishes.
    let capacity: Vec<_> = post_backs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.event.as_deref() == Some("worker-capacity-update"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        capacity.is_empty() || capacity == [post_backs.len() - 2],
        "{post_backs:#?}"
    );
}
