//! `--state FILE`: tasks and agents survive a restart; the file is written atomically.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xpander-devserver-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn tasks_and_agents_survive_a_restart() {
    let dir = temp_dir("state");
    let file = dir.join("state.json");

    let server = start_with(options().state_file(&file)).await;
    let upsert = call_with(
        &server,
        reqwest::Method::POST,
        "/_dev/agents",
        Some(json!({"id": "extra", "name": "Extra", "version": 2})),
        &[],
    )
    .await;
    assert_eq!(upsert.status, 200);
    let done = create_task(&server, "demo-agent", "finished before the restart").await;
    let mut saved = done.clone();
    saved["result"] = json!("kept");
    let completed = set_status(&server, &saved, "completed").await;
    let waiting = create_task(&server, "demo-agent", "still pending").await;
    server.shutdown().await;

    let text = std::fs::read_to_string(&file).expect("state written on shutdown");
    assert!(text.contains("finished before the restart"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("state.json")],
        "no temporary file left"
    );

    let server = start_with(options().state_file(&file)).await;
    assert_eq!(server.agent_id(), "demo-agent");
    let again = get(
        &server,
        &format!("/agent-execution/{}/status", done["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(again.body, completed, "the same task JSON");
    assert_eq!(get(&server, "/agents/extra").await.body["version"], 2);
    // The pending task is dispatched when a worker comes.
    let mut worker = Worker::connect(&server, "demo-agent").await;
    assert_eq!(worker.next_task().await["id"], waiting["id"]);
    drop(worker);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn changes_are_saved_without_a_shutdown() {
    let dir = temp_dir("debounce");
    let file = dir.join("state.json");
    let server = start_with(options().state_file(&file)).await;
    let task = create_task(&server, "demo-agent", "saved soon").await;
    let id = task["id"].as_str().unwrap().to_owned();
    let mut found = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if std::fs::read_to_string(&file).is_ok_and(|t| t.contains(&id)) {
            found = true;
            break;
        }
    }
    assert!(found, "written within the debounce");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_not_a_panic() {
    let dir = temp_dir("corrupt");
    let file = dir.join("state.json");
    std::fs::write(&file, b"{\"tasks\": [{\"task\": 5}]}").unwrap();
    let err = xpander_devserver::DevServer::start(options().state_file(&file))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("tasks[0].task"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The state holds agents' keys and users' tokens: only its owner may read it, even when it
/// existed before with a wider mode, or a crash left a temporary file behind.
#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("mode");
    let file = dir.join("state.json");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    for leftover in [
        file.clone(),
        dir.join(format!("state.json.tmp-{}", std::process::id())),
    ] {
        std::fs::write(&leftover, b"{}").unwrap();
        std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let server = start_with(options().state_file(&file)).await;
    create_task(&server, "demo-agent", "private").await;
    server.shutdown().await;
    assert!(std::fs::read_to_string(&file).unwrap().contains("private"));
    assert_eq!(mode(&file), 0o600, "{:o}", mode(&file));

    let fresh = dir.join("fresh.json");
    let server = start_with(options().state_file(&fresh)).await;
    server.shutdown().await;
    assert_eq!(mode(&fresh), 0o600, "{:o}", mode(&fresh));
    let _ = std::fs::remove_dir_all(&dir);
}
