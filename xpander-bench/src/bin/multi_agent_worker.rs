//! The bench's many-agents worker: one process serving every agent in `XPANDER_AGENT_IDS`
//! (comma-separated), each with the echo handler, through one `Events`.

use xpander_runtime::{Events, Handler, Task};

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing_with("warn");
    let ids = std::env::var("XPANDER_AGENT_IDS").unwrap_or_default();
    let mut events = Events::new().invoke_server(false);
    for id in ids.split(',').filter(|id| !id.is_empty()) {
        let echo = Handler::new(|mut task: Task| async move {
            task.result = Some(task.input.text.clone());
            task
        });
        events = events.register_agent_worker(id, echo);
    }
    let handle = events.spawn()?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| xpander_runtime::Error::Usage(format!("no SIGTERM handler: {e}")))?;
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    handle.stop().await
}
