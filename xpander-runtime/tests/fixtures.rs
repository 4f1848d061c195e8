//! The observed payloads of the protocol notes (tests/fixtures/ at the workspace root) decode
//! and re-encode to the same JSON, key order aside.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xpander_runtime::model::{
    Agent, CreateTaskRequest, DeployedAsset, ExecutionMetricsReport, Task, TaskReportRequest,
    TaskUpdateEvent, WorkerMessage, decode,
};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn read(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Decodes `name` as `T` and checks that re-encoding gives the same JSON.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    round_trip_with(name, |value: &T| serde_json::to_value(value).unwrap())
}

fn round_trip_with<T: DeserializeOwned>(name: &str, encode: impl Fn(&T) -> Value) -> T {
    let original = read(name);
    let bytes = serde_json::to_vec(&original).unwrap();
    let decoded: T = decode(name, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let again = encode(&decoded);
    assert_eq!(again, original, "{name} changed on a round trip");
    decoded
}

#[test]
fn create_task_body() {
    let req: CreateTaskRequest = round_trip("create_task.local_test.json");
    assert!(req.run_locally);
}

#[test]
fn executing_patch_body() {
    let task: Task = round_trip_with("task_patch.executing.json", |t: &Task| {
        t.to_update_body(false)
    });
    assert_eq!(task.input.user.unwrap().email, "u@x.io");
}

#[test]
fn final_patch_body_keeps_unknown_keys() {
    let task: Task = round_trip_with("task_patch.completed.json", |t: &Task| {
        t.to_update_body(false)
    });
    assert_eq!(
        task.extra["a_key_from_the_future"],
        serde_json::json!({"kept": [1, 2, 3]})
    );
    assert_eq!(task.tokens.unwrap().total_tokens(), 12);
    let debug = format!("{task:?}");
    assert!(
        !debug.contains("jwt-abc"),
        "user tokens leaked into Debug: {debug}"
    );
}

#[test]
fn task_response_with_plan_and_unknown_enum() {
    let task: Task = round_trip("task.get_response.json");
    assert!(!task.deep_planning.following_status().can_finish);
    assert_eq!(task.conversation_kind.unwrap().as_str(), "a_new_kind");
}

#[test]
fn minimal_delivery_decodes() {
    let bytes = serde_json::to_vec(&read("task.delivery.minimal.json")).unwrap();
    let task: Task = decode("agent-execution", &bytes).unwrap();
    assert_eq!(task.execution_attempts, 1);
    assert!(task.deep_planning.tasks.is_empty());
}

#[test]
fn metrics_report() {
    let report: ExecutionMetricsReport = round_trip("metrics.json");
    assert_eq!(report.llm_tokens.unwrap().worker.total_tokens(), 12);
}

#[test]
fn external_task_report() {
    let report: TaskReportRequest = round_trip("report_task.json");
    assert_eq!(report.used_tools, ["t"]);
}

#[test]
fn auth_event_push() {
    let events: Vec<TaskUpdateEvent> = round_trip("events_push.auth_event.json");
    assert_eq!(events[0].event_type.as_str(), "auth_event");
}

#[test]
fn deployed_asset() {
    let asset: DeployedAsset = round_trip("deployed_asset.json");
    assert_eq!(asset.dedicated_agent_id.as_deref(), Some("AGENT"));
}

#[test]
fn worker_envelopes() {
    for name in [
        "worker_message.heartbeat.json",
        "worker_message.capacity.json",
        "worker_message.finished.json",
    ] {
        round_trip::<WorkerMessage>(name);
    }
}

#[test]
fn full_agent() {
    let agent: Agent = round_trip("agent.full.json");
    assert!(!agent.id.is_empty());
}

#[test]
fn every_fixture_is_covered() {
    let covered = [
        "agent.full.json",
        "agent.minimal.json",
        "create_task.local_test.json",
        "deployed_asset.json",
        "events_push.auth_event.json",
        "metrics.json",
        "report_task.json",
        "task.delivery.minimal.json",
        "task.get_response.json",
        "task_patch.completed.json",
        "task_patch.executing.json",
        "worker_message.capacity.json",
        "worker_message.finished.json",
        "worker_message.heartbeat.json",
    ];
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            continue; // folders hold other tests' fixtures (agents/ for the Backend)
        }
        let name = entry.file_name().into_string().unwrap();
        assert!(
            covered.contains(&name.as_str()),
            "fixture {name} has no test"
        );
    }
}
