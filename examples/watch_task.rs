//! Creates a task for `XPANDER_AGENT_ID` with live events on, and prints its answer as the
//! worker streams it, then the final status: `Task::aevents()` from a program other than the
//! worker. Run `streaming_worker` first (see the README).
//!
//! ```sh
//! cargo run --example watch_task -- "tell me something in many words"
//! ```

use std::io::Write;

use futures_util::StreamExt;
use xpander_runtime::model::{CreateTaskRequest, TaskUpdateEventType};
use xpander_runtime::{Configuration, Error, Tasks};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let prompt = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let config = Configuration::from_env()?;
    let agent_id = config
        .agent_id()
        .ok_or_else(|| Error::Usage("set XPANDER_AGENT_ID to the agent to ask".into()))?
        .to_owned();
    let request = CreateTaskRequest::new(prompt).events_streaming(true);
    let task = Tasks::new(config).acreate(&agent_id, request).await?;
    let mut events = task.aevents()?;
    while let Some(event) = events.next().await {
        let event = event?;
        match event.event_type {
            TaskUpdateEventType::Chunk => {
                let text = event
                    .data
                    .json()
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                print!("{text}");
                std::io::stdout().flush().ok();
            }
            TaskUpdateEventType::TaskFinished => {
                if let Some(done) = event.data.task() {
                    println!(
                        "\n[{}] {}",
                        done.status,
                        done.result.as_deref().unwrap_or("")
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}
