//! Defects found by the reliability review, each with the scenario that showed it: settings
//! that panicked, two workers for one agent, a stopped task saved back to `completed`, a final
//! save refused for good, and a server that registers and drops being hammered.

use super::*;

#[tokio::test]
async fn out_of_range_settings_are_clear_errors_not_panics() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    type Set = fn(Events) -> Events;
    let cases: [(&str, Set); 4] = [
        ("heartbeat_interval", |e| {
            e.heartbeat_interval(Duration::ZERO)
        }),
        ("read_idle_timeout", |e| e.read_idle_timeout(Duration::MAX)),
        ("task_timeout", |e| e.task_timeout(Duration::MAX)),
        ("reconnect_backoff cap", |e| {
            e.reconnect_backoff(Duration::from_secs(2), Duration::from_secs(1))
        }),
    ];
    for (setting, set) in cases {
        let events = set(events(&ds)).register_agent_worker(ds.agent_id(), echo(probe.clone()));
        let err = events.spawn().unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("the worker setting {setting} cannot be used")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn two_handlers_for_one_agent_are_refused() {
    let ds = devserver().await;
    let probe = Arc::new(Probe::default());
    // The configuration's agent is the devserver's: a second worker for it by name.
    let err = events(&ds)
        .register_agent_worker(ds.agent_id(), echo(probe.clone()))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap_err();
    let expected = format!("two handlers serve agent `{}`", ds.agent_id());
    assert!(err.to_string().starts_with(&expected), "{err}");
}

#[tokio::test]
async fn a_task_stopped_on_the_platform_stays_stopped_and_its_handler_is_cancelled() {
    let ds = devserver().await;
    let finished = Arc::new(AtomicUsize::new(0));
    let handler = Handler::new({
        let finished = finished.clone();
        move |mut task: Task| {
            let finished = finished.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                task.result = Some("finished anyway".into());
                task
            }
        }
    });
    let handle = events(&ds)
        .stop_check_interval(Duration::from_millis(100))
        .register_agent_worker(ds.agent_id(), handler)
        .spawn()
        .unwrap();
    let id = create(&ds, "sleep").await;
    ds.wait_for_task(&id, WAIT, |t| t.status == AgentExecutionStatus::Executing)
        .await
        .unwrap();
    xpander_runtime::Tasks::new(config(&ds))
        .astop(&id)
        .await
        .unwrap();
    // Long enough for the handler to have finished and saved, had it not been cancelled.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let task = ds.task(&id).await.unwrap();
    assert_eq!(task.status, AgentExecutionStatus::Stopped);
    assert_ne!(task.result.as_deref(), Some("finished anyway"));
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the handler was cancelled"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_final_save_refused_for_size_still_ends_the_task() {
    let ds = DevServer::start(DevServerOptions::default().body_limit(64 * 1024))
        .await
        .unwrap();
    let handler = Handler::new(|mut task: Task| async move {
        task.result = Some("x".repeat(200 * 1024));
        task
    });
    let handle = events(&ds)
        .register_agent_worker(ds.agent_id(), handler)
        .spawn()
        .unwrap();
    let id = create(&ds, "big").await;
    let info = ds
        .wait_for_task(&id, WAIT, |t| t.status.is_terminal())
        .await
        .unwrap_or_else(|| panic!("the task never ended {}", statuses(&ds)));
    assert_eq!(info.status, AgentExecutionStatus::Error);
    let result = info.result.unwrap_or_default();
    assert!(result.contains("too large to save (HTTP 413)"), "{result}");
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_server_that_registers_and_drops_is_not_hammered() {
    let faults = Faults {
        drop_sse_every: Some(1),
        ..Faults::default()
    };
    let ds = DevServer::start(DevServerOptions::default().faults(faults))
        .await
        .unwrap();
    let probe = Arc::new(Probe::default());
    let handle = Events::new()
        .invoke_server(false)
        .configuration(config(&ds))
        .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(640))
        .register_agent_worker(ds.agent_id(), echo(probe))
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connections = ds.workers().await.len();
    handle.stop().await.unwrap();
    // Doubling from 20 ms to 640 ms gives about 8 connections in 2 s; a backoff reset by every
    // registration gives about 60.
    assert!(
        (2..=15).contains(&connections),
        "{connections} connections in 2 s"
    );
}

#[tokio::test]
async fn a_slow_capacity_update_does_not_starve_the_heartbeats() {
    // The devserver declares a worker lost after three silent intervals: 1.2 s here.
    let options = DevServerOptions::default().heartbeat_interval(Duration::from_millis(400));
    let ds = DevServer::start(options).await.unwrap();
    let slow = Faults {
        slow_worker_messages: vec![xpander_devserver::SlowWorkerMessage {
            event: "worker-capacity-update".into(),
            delay_ms: 2500,
        }],
        ..Faults::default()
    };
    ds.set_faults(slow).await.unwrap();
    let events = events(&ds)
        .heartbeat_interval(Duration::from_millis(200))
        .max_sync_workers(1);
    let (handle, _probe) = serve_echo(&ds, events);
    registered(&ds, 1).await;
    // One task fills the only slot: busy, then free, each update answered 2.5 s late.
    create(&ds, "sleep:300 fill").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let workers = ds.workers().await;
    assert_eq!(workers.len(), 1, "{workers:#?}");
    assert_eq!(workers[0].state, xpander_devserver::WorkerState::Connected);
    handle.stop().await.unwrap();
}
