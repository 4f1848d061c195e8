//! Snapshot tests of the expansion: each case's output, formatted by rustfmt, must equal
//! `tests/expand/<case>.rs`. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p xpander-macros`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::emit::{Kind, expand};

fn check(case: &str, kind: Kind, attr: &str, item: &str) {
    compare(
        case,
        expand(kind, attr.parse().unwrap(), item.parse().unwrap()),
    );
}

fn check_tool(case: &str, attr: &str, item: &str) {
    compare(
        case,
        crate::tool::expand(attr.parse().unwrap(), item.parse().unwrap()),
    );
}

fn compare(case: &str, output: proc_macro2::TokenStream) {
    let text = rustfmt(&output.to_string());
    let path = format!("{}/tests/expand/{case}.rs", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} is missing: run with UPDATE_SNAPSHOTS=1"));
    assert_eq!(
        text, expected,
        "the expansion of {case} changed (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

fn rustfmt(code: &str) -> String {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(code.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "rustfmt failed on:\n{code}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn async_task_handler() {
    check(
        "async_task_handler",
        Kind::Task,
        "",
        "async fn handle(task: Task) -> Task { task }",
    );
}

#[test]
fn streaming_task_handler() {
    check(
        "streaming_task_handler",
        Kind::Task,
        "",
        "async fn handle(task: Task, stream: TaskStream) -> Result<Task, String> { Ok(task) }",
    );
}

#[test]
fn sync_task_handler_with_every_key() {
    check(
        "sync_task_handler_with_every_key",
        Kind::Task,
        r#"test_task = "hi", configuration = my_config(), agent_id = "agent-1""#,
        "fn handle(mut task: Task) -> Result<Task, String> { Ok(task) }",
    );
}

#[test]
fn renamed_crate() {
    check(
        "renamed_crate",
        Kind::Task,
        r#"crate = "xr""#,
        "async fn handle(task: Task) -> Task { task }",
    );
}

#[test]
fn auth_event_hook() {
    check(
        "auth_event_hook",
        Kind::AuthEvent,
        "",
        "async fn login(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {}",
    );
}

#[test]
fn boot_and_shutdown_hooks() {
    check(
        "boot_hook",
        Kind::Boot,
        "",
        "fn boot() -> Result<(), String> { Ok(()) }",
    );
    check("shutdown_hook", Kind::Shutdown, "", "async fn bye() {}");
}

#[test]
fn an_error_keeps_the_item() {
    check(
        "error_keeps_item",
        Kind::Task,
        "retries = 3",
        "async fn handle(task: Task) -> Task { task }",
    );
}

#[test]
fn only_absolute_paths_are_named() {
    let output = expand(
        Kind::Task,
        r#"test_task = "hi""#.parse().unwrap(),
        "async fn handle(task: Task) -> Task { task }"
            .parse()
            .unwrap(),
    )
    .to_string();
    let registration = &output[output.find("const _").unwrap()..];
    // Each prelude or dependency name must come right after `::` (a path from the root).
    let tokens: Vec<&str> = registration.split_whitespace().collect();
    for (i, token) in tokens.iter().enumerate() {
        if ["Box", "Result", "Ok", "Some", "Option", "inventory", "Send"].contains(token) {
            assert_eq!(
                tokens[i - 1],
                "::",
                "bare `{token}` at token {i} of {registration}"
            );
        }
    }
    assert!(registration.contains(":: xpander_runtime :: __private :: inventory :: submit !"));
}

#[test]
fn local_tool_with_named_arguments() {
    check_tool(
        "local_tool",
        "add_to_graph = true",
        "/// Looks up the weather.\nasync fn weather(city: String, days: Option<u32>) -> Result<Forecast, String> { todo!() }",
    );
}

#[test]
fn local_tool_with_an_input_struct() {
    check_tool(
        "local_tool_input_struct",
        r#"name = "book""#,
        "/// Books seats.\nfn book_seats(request: Booking) -> Booking { request }",
    );
}

#[test]
fn tool_after_hook() {
    check(
        "tool_after_hook",
        Kind::ToolAfter,
        "",
        "async fn after(call: &ToolCallInfo, result: &Value) {}",
    );
}
