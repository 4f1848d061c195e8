//! The worker against xpander-devserver over loopback: task lifecycle, concurrency and
//! capacity, failures, reconnects, faults, shutdown, several agents, the request sequence.

mod connection;
mod lifecycle;
mod reliability;
mod shutdown;
mod sse;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use xpander_devserver::{
    DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults, TaskInfo,
};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, Tokens};
use xpander_runtime::{
    AgentExecutionStatus, Configuration, Error, Events, EventsHandle, Handler, Task,
};

const WAIT: Duration = Duration::from_secs(20);

async fn devserver() -> DevServerHandle {
    DevServer::start(DevServerOptions::default()).await.unwrap()
}

fn config(ds: &DevServerHandle) -> Configuration {
    ds.configuration().agent_id(ds.agent_id()).build().unwrap()
}

fn events(ds: &DevServerHandle) -> Events {
    Events::new()
        .invoke_server(false)
        .configuration(config(ds))
        .reconnect_backoff(Duration::from_millis(50), Duration::from_millis(400))
}

/// Counts how often each task ran and how many ran at once.
#[derive(Default)]
struct Probe {
    runs: Mutex<HashMap<String, usize>>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl Probe {
    fn runs_of(&self, id: &str) -> usize {
        self.runs.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

/// The echo handler of examples/echo_worker.rs, instrumented.
fn echo(probe: Arc<Probe>) -> Handler {
    Handler::new(move |mut task: Task| {
        let probe = probe.clone();
        async move {
            *probe
                .runs
                .lock()
                .unwrap()
                .entry(task.id.clone())
                .or_default() += 1;
            let now = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
            probe.most_at_once.fetch_max(now, Ordering::SeqCst);
            let outcome = respond(&mut task).await;
            probe.running.fetch_sub(1, Ordering::SeqCst);
            outcome.map(|()| task)
        }
    })
}

async fn respond(task: &mut Task) -> Result<(), String> {
    let prompt = task.input.text.clone();
    let mut text = prompt.as_str();
    if let Some(rest) = text.strip_prefix("sleep:") {
        let (millis, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        tokio::time::sleep(Duration::from_millis(millis.parse().unwrap())).await;
        text = rest;
    }
    if text.starts_with("panic") {
        panic!("asked to panic");
    }
    if text.starts_with("fail") {
        return Err(format!("asked to fail: {text}"));
    }
    if task.output_format == Some(OutputFormat::Json) {
        task.set_result_json(&json!({ "echo": text }));
    } else {
        task.result = Some(text.to_owned());
    }
    task.tokens = Some(Tokens::new(7, 5));
    task.used_tools = vec!["echo".into()];
    Ok(())
}

/// Serves the devserver's agent with the echo handler.
fn serve_echo(ds: &DevServerHandle, events: Events) -> (EventsHandle, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    let handle = events
        .register_agent_worker(ds.agent_id(), echo(probe.clone()))
        .spawn()
        .unwrap();
    (handle, probe)
}

/// Creates `count` tasks `t0`, `t1`, ... and waits until all completed.
async fn create_and_complete(ds: &DevServerHandle, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(create(ds, &format!("t{i}")).await);
    }
    for info in all_terminal(ds, count).await {
        assert_eq!(
            info.task.status,
            AgentExecutionStatus::Completed,
            "{}",
            info.task.id
        );
    }
    ids
}

async fn create(ds: &DevServerHandle, prompt: &str) -> String {
    ds.create_task(ds.agent_id(), CreateTaskRequest::new(prompt))
        .await
        .unwrap()
        .id
}

async fn all_terminal(ds: &DevServerHandle, count: usize) -> Vec<TaskInfo> {
    ds.wait_for_tasks(count, WAIT, |t| t.task.status.is_terminal())
        .await
        .unwrap_or_else(|| panic!("not all {count} tasks ended: {:#?}", statuses(ds)))
}

fn statuses(ds: &DevServerHandle) -> String {
    let ds = ds.base_url().to_owned();
    format!("(see {ds}/_dev/tasks)")
}

async fn registered(ds: &DevServerHandle, workers: usize) {
    ds.wait_for_workers(WAIT, |w| {
        w.iter().filter(|w| w.gone_at.is_none()).count() >= workers
    })
    .await
    .expect("the worker registered");
}
