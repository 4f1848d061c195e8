//! Local runs: `run_with_args` in-process, and the quickstart example as a real process.

mod support;

use std::process::Command;
use std::sync::Mutex;

use xpander_runtime::{Error, OutputFormat, Task, on_boot, on_shutdown, on_task, run_with_args};

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[on_task(test_task = xpander_runtime::LocalTaskTest::new("list").output_format(OutputFormat::Json))]
async fn handle(mut task: Task) -> Result<Task, String> {
    EVENTS
        .lock()
        .unwrap()
        .push(format!("task {}", task.input.text));
    match task.input.text.as_str() {
        "fail" => Err("asked to fail".into()),
        "panic" => panic!("asked to panic"),
        text => {
            task.set_result_json(&serde_json::json!({"echo": text}));
            Ok(task)
        }
    }
}

#[on_boot]
fn boot() {
    EVENTS.lock().unwrap().push("boot".into());
}

#[on_shutdown]
async fn bye() {
    EVENTS.lock().unwrap().push("shutdown".into());
}

/// Tests share the registry and the event log: run them one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(args: &[&str]) -> Result<(), Error> {
    assert!(
        std::env::var_os("XPANDER_API_KEY").is_none(),
        "unset XPANDER_API_KEY to run these tests"
    );
    run_with_args(std::iter::once("worker").chain(args.iter().copied())).await
}

fn take_events() -> Vec<String> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

#[tokio::test]
async fn the_test_task_runs_between_boot_and_shutdown_hooks() {
    let _serial = SERIAL.lock().await;
    take_events();
    run(&[]).await.unwrap();
    assert_eq!(take_events(), ["boot", "task list", "shutdown"]);
}

#[tokio::test]
async fn invoke_replaces_the_test_task() {
    let _serial = SERIAL.lock().await;
    take_events();
    run(&["--invoke", "--prompt", "hello", "--output_format", "json"])
        .await
        .unwrap();
    assert_eq!(take_events(), ["boot", "task hello", "shutdown"]);
}

#[tokio::test]
async fn a_failing_or_panicking_task_is_an_error() {
    let _serial = SERIAL.lock().await;
    let err = run(&["--invoke", "--prompt", "fail"]).await.unwrap_err();
    assert!(
        matches!(&err, Error::TaskFailed { status, result, .. } if status == "error" && result == "asked to fail"),
        "{err}"
    );
    let err = run(&["--invoke", "--prompt", "panic"]).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("ended `error`: handler panicked: asked to panic"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_flags_are_clear_errors_and_help_is_not_one() {
    let _serial = SERIAL.lock().await;
    let err = run(&["--invoke", "--prompt", "x", "--output-schema", "{not json"])
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("--output-schema is not valid JSON"),
        "{err}"
    );
    let err = run(&["--bogus"]).await.unwrap_err();
    assert!(
        err.to_string().contains("unexpected argument '--bogus'"),
        "{err}"
    );
    run(&["--help"]).await.unwrap();
}

fn quickstart(args: &[&str]) -> std::process::Output {
    let mut command = Command::new(support::example("quickstart"));
    command.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("XPANDER_") {
            command.env_remove(key);
        }
    }
    command
        .output()
        .expect("the quickstart example is built by `cargo test`")
}

#[test]
fn the_quickstart_runs_offline_and_exits_zero() {
    let output = quickstart(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout, "I received 16 characters: What can you do?\n");
}

#[test]
fn the_quickstart_reports_bad_flags_with_a_non_zero_exit() {
    let output = quickstart(&["--invoke", "--prompt", "x", "--output_schema", "{"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--output-schema is not valid JSON"),
        "{stderr}"
    );
    let help = quickstart(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--invoke"));
}
