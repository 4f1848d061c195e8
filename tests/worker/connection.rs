//! The worker's connection: reconnects, retried updates, malformed events, a wrong key, an
//! environment conflict, a restarted platform, a silent connection.

use super::*;

#[tokio::test]
async fn dropped_streams_reconnect_and_lose_or_repeat_nothing() {
    let ds = devserver().await;
    ds.set_faults(Faults {
        drop_sse_every: Some(3),
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let ids = create_and_complete(&ds, 30).await;
    assert!(
        ids.iter().all(|id| probe.runs_of(id) == 1),
        "each task ran exactly once"
    );
    let connects = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/events/"))
        .count();
    assert!(
        connects >= 5,
        "the worker reconnected ({connects} connections)"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn transient_503s_on_updates_are_retried() {
    let ds = devserver().await;
    let fault = ErrorFault {
        pattern: "/agent-execution/*/update".into(),
        method: Some("PATCH".into()),
        status: 503,
        rate: 0.3,
    };
    ds.set_faults(Faults {
        seed: 7,
        errors: vec![fault],
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    create_and_complete(&ds, 15).await;
    let rejected = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.status == 503)
        .count();
    assert!(rejected > 0, "the fault fired");
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_malformed_event_is_skipped_and_the_worker_keeps_serving() {
    let ds = devserver().await;
    ds.set_faults(Faults {
        malformed_every: Some(2),
        ..Faults::default()
    })
    .await
    .unwrap();
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    create_and_complete(&ds, 6).await;
    // Every other malformed payload is cut short (no id can be read); the others are reported.
    let reports = ds
        .requests()
        .await
        .into_iter()
        .filter(|r| r.path.starts_with("/agent-execution/MALFORMED-"))
        .count();
    assert!(
        reports >= 1,
        "a malformed task with a readable id was reported"
    );
    assert!(!handle.is_finished());
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_wrong_key_on_the_first_connection_is_a_clear_error() {
    let ds = devserver().await;
    let config = Configuration::builder()
        .api_key("wrong")
        .organization_id(ds.org())
        .base_url(ds.base_url())
        .build()
        .unwrap();
    let handle = Events::new()
        .invoke_server(false)
        .configuration(config)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    let err = tokio::time::timeout(WAIT, handle.join())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, Error::WorkerRejected { status: 403, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("check XPANDER_API_KEY and XPANDER_ORGANIZATION_ID"),
        "{err}"
    );
}

#[tokio::test]
async fn a_worker_of_the_other_environment_is_a_conflict() {
    let ds = devserver().await;
    let local = events(&ds)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    registered(&ds, 1).await;
    let cloud = ds.configuration().cloud(true).build().unwrap();
    let conflicting = Events::new()
        .invoke_server(false)
        .configuration(cloud)
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    let err = tokio::time::timeout(WAIT, conflicting.join())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::EnvironmentConflict(_)), "{err}");
    local.stop().await.unwrap();
}

#[tokio::test]
async fn survives_a_devserver_restart_with_its_state() {
    let state = std::env::temp_dir().join(format!(
        "xpander-worker-restart-{}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&state);
    let options = DevServerOptions {
        state_file: Some(state.clone()),
        ..DevServerOptions::default()
    };
    let ds = DevServer::start(options.clone()).await.unwrap();
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let before = create(&ds, "before").await;
    all_terminal(&ds, 1).await;
    let (port, key) = (ds.addr().port(), ds.api_key().to_owned());
    ds.shutdown().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = DevServerOptions {
        port,
        api_key: Some(key),
        ..options
    };
    let ds = DevServer::start(restarted).await.unwrap();
    let after = create(&ds, "after").await;
    all_terminal(&ds, 2).await;
    assert_eq!(
        ds.task(&before).await.unwrap().result.as_deref(),
        Some("before"),
        "state was kept"
    );
    assert_eq!(
        ds.task(&after).await.unwrap().result.as_deref(),
        Some("after")
    );
    assert_eq!((probe.runs_of(&before), probe.runs_of(&after)), (1, 1));
    handle.stop().await.unwrap();
    let _ = std::fs::remove_file(&state);
}

#[tokio::test]
async fn a_silent_connection_is_replaced_after_the_read_idle_timeout() {
    let options = DevServerOptions {
        keep_alive: Duration::from_secs(30),
        ..DevServerOptions::default()
    };
    let ds = DevServer::start(options).await.unwrap();
    let handle = events(&ds)
        .read_idle_timeout(Duration::from_millis(300))
        .register_agent_worker(ds.agent_id(), Handler::new(|t: Task| async move { t }))
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let connects = ds
        .requests()
        .await
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/events/"))
        .count();
    assert!(
        connects >= 3,
        "a silent stream is dropped and reopened ({connects} connections)"
    );
    handle.stop().await.unwrap();
}
