async fn handle(task: Task) -> Task {
    task
}
::core::compile_error! { "unknown `#[on_task]` key `retries`; the valid keys are: `test_task`, `configuration`, `agent_id`, `crate`" }
