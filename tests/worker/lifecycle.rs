//! A task's life on the worker: runs, results, concurrency, failures, sync handlers.

use super::*;

#[tokio::test]
async fn runs_every_task_once_and_saves_results_timestamps_and_metrics() {
    let ds = devserver().await;
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(create(&ds, &format!("hello {i}")).await);
    }
    let json_id = ds
        .create_task(
            ds.agent_id(),
            CreateTaskRequest::new("structured").output_format(OutputFormat::Json),
        )
        .await
        .unwrap()
        .id;
    all_terminal(&ds, 21).await;
    // Metrics follow the final save: wait for them too.
    let done = ds
        .wait_for_tasks(21, WAIT, |t| {
            t.task.status.is_terminal() && !t.metrics.is_empty()
        })
        .await
        .expect("metrics for every task");
    for info in &done {
        let task = &info.task;
        assert_eq!(task.status, AgentExecutionStatus::Completed, "{}", task.id);
        assert_eq!(probe.runs_of(&task.id), 1);
        assert!(task.started_at.is_some() && task.finished_at.is_some());
        assert_eq!(task.used_tools, ["echo"], "the handler's tools are kept");
        assert_eq!(info.metrics.len(), 1, "metrics reported once");
        assert_eq!(info.metrics[0]["llm_tokens"]["worker"]["total_tokens"], 12);
        assert!(
            info.metrics[0]["duration"].as_f64().unwrap() > 0.0,
            "a real duration"
        );
    }
    let first = ds.task(&ids[3]).await.unwrap();
    assert_eq!(first.result.as_deref(), Some("hello 3"));
    assert_eq!(
        ds.task(&json_id).await.unwrap().result.as_deref(),
        Some(r#"{"echo": "structured"}"#)
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn never_exceeds_the_concurrency_limit_and_reports_capacity_on_transitions() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .max_sync_workers(3)
        .register_agent_worker(ds.agent_id(), echo(probe.clone()))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    for _ in 0..9 {
        create(&ds, "sleep:200 x").await;
    }
    all_terminal(&ds, 9).await;
    assert_eq!(probe.most_at_once.load(Ordering::SeqCst), 3);
    let worker = ds
        .wait_for_workers(WAIT, |w| {
            w.iter().any(|w| w.capacity_updates >= 2 && !w.is_busy)
        })
        .await;
    let worker = &worker.expect("busy then free")[0];
    assert_eq!(
        worker.capacity_updates % 2,
        0,
        "busy and free alternate: {worker:?}"
    );
    assert!(
        worker.capacity_updates <= 6,
        "transitions only, not one per task: {worker:?}"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn panics_errors_and_timeouts_fail_only_their_task() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    let handle = events(&ds)
        .task_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    let panicked = create(&ds, "panic now").await;
    let failed = create(&ds, "fail please").await;
    let slow = create(&ds, "sleep:5000 too slow").await;
    let fine = create(&ds, "fine").await;
    all_terminal(&ds, 4).await;
    let result = |id: String| {
        let ds = &ds;
        async move {
            let task = ds.task(&id).await.unwrap();
            (task.status, task.result.unwrap_or_default())
        }
    };
    assert_eq!(
        result(panicked).await,
        (
            AgentExecutionStatus::Error,
            "handler panicked: asked to panic".into()
        )
    );
    assert_eq!(
        result(failed).await,
        (
            AgentExecutionStatus::Error,
            "asked to fail: fail please".into()
        )
    );
    assert_eq!(
        result(slow).await,
        (
            AgentExecutionStatus::Error,
            "handler timed out after 0.3 s".into()
        )
    );
    assert_eq!(
        result(fine).await,
        (AgentExecutionStatus::Completed, "fine".into())
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn sync_handlers_run_on_the_blocking_pool() {
    let ds = devserver().await;
    let handler = Handler::blocking(|mut task: Task| {
        std::thread::sleep(Duration::from_millis(50));
        task.result = Some(format!("blocking: {}", task.input.text));
        task
    });
    let handle = events(&ds)
        .register_agent_worker(ds.agent_id(), handler)
        .spawn()
        .unwrap();
    let id = create(&ds, "hi").await;
    all_terminal(&ds, 1).await;
    assert_eq!(
        ds.task(&id).await.unwrap().result.as_deref(),
        Some("blocking: hi")
    );
    handle.stop().await.unwrap();
}
