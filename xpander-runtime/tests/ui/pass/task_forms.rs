// Every supported form of #[on_task], each still callable as written.
use std::fmt;

use xpander_runtime::{Task, TaskStream, on_task};

#[on_task]
async fn plain(task: Task) -> Task {
    task
}

#[on_task(agent_id = "agent-string-error")]
async fn string_error(mut task: Task) -> Result<Task, String> {
    task.result = Some("ok".into());
    Ok(task)
}

#[on_task(agent_id = "agent-std-error")]
async fn std_error(task: Task) -> Result<Task, std::io::Error> {
    Ok(task)
}

struct MyError;

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mine")
    }
}

#[on_task(agent_id = "agent-display-error")]
async fn display_error(_task: Task) -> Result<Task, MyError> {
    Err(MyError)
}

#[on_task(agent_id = "agent-sync")]
fn sync_handler(task: Task) -> Task {
    task
}

#[on_task(agent_id = "agent-sync-result")]
fn sync_result(task: Task) -> Result<Task, String> {
    Ok(task)
}

#[on_task(agent_id = "agent-streaming")]
async fn streaming(mut task: Task, stream: TaskStream) -> Task {
    stream.chunk("partial").await;
    task.result = Some("whole".into());
    task
}

#[on_task(agent_id = "agent-streaming-result")]
async fn streaming_result(task: Task, _stream: TaskStream) -> Result<Task, String> {
    Ok(task)
}

pub mod nested {
    use xpander_runtime::{Task, on_task};

    #[on_task(agent_id = "agent-nested")]
    pub(crate) async fn in_a_module(task: Task) -> Task {
        task
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let task = runtime.block_on(plain(Task::from_prompt("hi")));
    assert_eq!(task.input.text, "hi");
    assert!(runtime.block_on(display_error(Task::from_prompt("x"))).is_err());
    assert!(sync_result(sync_handler(Task::from_prompt("x"))).is_ok());
    let _ = (string_error, std_error, streaming, streaming_result);
    let _ = nested::in_a_module;
    assert_eq!(xpander_runtime::registry::task_handlers().len(), 9);
}
