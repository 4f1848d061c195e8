//! The macros register handlers and hooks that the registry lists with where they were
//! declared; handlers stay plain functions; auth hooks run in order, each failure isolated.

use std::sync::Mutex;

use xpander_runtime::model::TaskUpdateEventType;
use xpander_runtime::registry;
use xpander_runtime::{Agent, Task, TaskUpdateEvent, on_auth_event, on_task};

#[on_task]
async fn default_handler(mut task: Task) -> Task {
    task.result = Some(format!("default: {}", task.input.text));
    task
}

#[on_task(agent_id = "agent-b")]
fn agent_b_handler(task: Task) -> Result<Task, String> {
    Err(format!("agent b refuses {}", task.input.text))
}

static CALLS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

#[on_auth_event]
async fn a_first_hook(_: &Agent, task: &Task, _: &TaskUpdateEvent) {
    CALLS.lock().unwrap().push("a_first_hook");
    assert_eq!(task.id, "t1");
}

#[on_auth_event]
fn b_failing_hook(_: &Agent, _: &Task, _: &TaskUpdateEvent) -> Result<(), String> {
    CALLS.lock().unwrap().push("b_failing_hook");
    Err("cannot open a browser".into())
}

#[on_auth_event]
async fn c_panicking_hook(_: &Agent, _: &Task, _: &TaskUpdateEvent) {
    CALLS.lock().unwrap().push("c_panicking_hook");
    panic!("hook bug");
}

#[on_auth_event]
async fn d_last_hook(_: &Agent, _: &Task, event: &TaskUpdateEvent) {
    CALLS.lock().unwrap().push("d_last_hook");
    assert_eq!(event.event_type, TaskUpdateEventType::AuthEvent);
}

#[tokio::test]
async fn handlers_stay_callable_as_written() {
    let task = default_handler(Task::from_prompt("hi")).await;
    assert_eq!(task.result.as_deref(), Some("default: hi"));
    assert!(agent_b_handler(Task::from_prompt("x")).is_err());
}

#[test]
fn registrations_record_name_module_file_and_line() {
    let handlers = registry::task_handlers();
    assert_eq!(handlers.len(), 2);
    let info = handlers
        .iter()
        .find(|h| h.info().name == "default_handler")
        .unwrap()
        .info();
    assert_eq!(info.module_path, "registry");
    assert!(info.file.ends_with("tests/registry.rs"), "{}", info.file);
    assert_eq!(info.line, 11, "the line of the fn");
    assert_eq!(registry::check(), Ok(()));
}

#[test]
fn routing_prefers_the_agents_own_handler() {
    assert_eq!(
        registry::handler_for("agent-b").unwrap().info().name,
        "agent_b_handler"
    );
    assert_eq!(
        registry::handler_for("anyone").unwrap().info().name,
        "default_handler"
    );
}

#[tokio::test]
async fn auth_hooks_run_in_order_and_failures_do_not_stop_the_others() {
    let names: Vec<_> = registry::auth_hooks()
        .iter()
        .map(|h| h.info().name)
        .collect();
    assert_eq!(
        names,
        [
            "a_first_hook",
            "b_failing_hook",
            "c_panicking_hook",
            "d_last_hook"
        ]
    );
    let agent: Agent =
        serde_json::from_value(serde_json::json!({"id": "a", "organization_id": "o",
        "name": "A", "unique_name": "a", "framework": "agno", "model_provider": "openai",
        "model_name": "gpt-4.1"}))
        .unwrap();
    let task = Task {
        id: "t1".into(),
        ..Task::from_prompt("hi")
    };
    let event = TaskUpdateEvent::new(
        TaskUpdateEventType::AuthEvent,
        "t1",
        "o",
        serde_json::json!({}),
    );
    registry::invoke_auth_hooks(&agent, &task, &event).await;
    assert_eq!(*CALLS.lock().unwrap(), names);
}
