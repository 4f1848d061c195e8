//! The ceiling: the devserver's own rate for a worker's per-task request mix, driven by a tight
//! in-process client with no worker logic.
//!
//! Per task, exactly what a worker run costs the server: the create, the delivery on an open
//! event stream, `PATCH` executing (the whole task), `GET` status (the plan check), `PATCH`
//! completed. A stand-in "worker" holds the stream open, heartbeats so it is not reaped, and
//! throws the deliveries away; the task loops do not wait for them.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use xpander_devserver::DevServerHandle;

use crate::load::Rest;

/// The ceiling's per-task loop, `in_flight` tasks at a time.
pub async fn drive(
    server: &DevServerHandle,
    prompt: &str,
    count: usize,
    in_flight: usize,
) -> Result<(), String> {
    let rest = Rest::new(server)?;
    let stand_in = StandIn::connect(server, &rest).await?;
    let agent_id = server.agent_id();
    let outcome = stream::iter(0..count)
        .map(|_| one_task(&rest, agent_id, prompt))
        .buffer_unordered(in_flight.max(1))
        .try_for_each(|()| async { Ok(()) })
        .await;
    stand_in.close();
    outcome
}

/// One task's requests. The created task is parsed once (its id and the bodies of the saves
/// come from it); no other answer is parsed.
async fn one_task(rest: &Rest, agent_id: &str, prompt: &str) -> Result<(), String> {
    let created = rest.create_task(agent_id, prompt).await?;
    let mut task: Value = serde_json::from_slice(&created).map_err(|e| e.to_string())?;
    let id = task["id"].as_str().unwrap_or_default().to_owned();
    task["status"] = json!("executing");
    task["result"] = Value::Null;
    rest.save_task(&id, task.to_string().into_bytes()).await?;
    rest.get_task(&id).await?;
    task["status"] = json!("completed");
    task["result"] = json!("noop");
    rest.save_task(&id, task.to_string().into_bytes()).await?;
    Ok(())
}

/// An open worker stream whose deliveries are read and dropped, with heartbeats.
struct StandIn {
    reader: JoinHandle<()>,
    heartbeat: JoinHandle<()>,
}

impl StandIn {
    async fn connect(server: &DevServerHandle, rest: &Rest) -> Result<Self, String> {
        let url = format!("{}/{}/", server.events_url(), server.agent_id());
        let response = rest
            .open_stream(&format!("{url}?environment=local"))
            .await?;
        let mut bytes = response.bytes_stream();
        // The first event is the registration, whose `id` is the worker id.
        let mut head = Vec::new();
        let worker_id = loop {
            let chunk = bytes
                .next()
                .await
                .ok_or("the event stream ended before the registration")?
                .map_err(|e| e.to_string())?;
            head.extend_from_slice(&chunk);
            if let Some(id) = registration_id(&head) {
                break id;
            }
        };
        let reader = tokio::spawn(async move { while bytes.next().await.is_some() {} });
        let post_url = format!(
            "{}/{worker_id}?type=worker&agent_id={}",
            server.events_url(),
            server.agent_id()
        );
        let rest = rest.clone();
        let heartbeat = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                let beat = json!({"id": "bench", "event": "worker-heartbeat", "data": "now"});
                let _ = rest.post_json(&post_url, &beat).await;
            }
        });
        Ok(Self { reader, heartbeat })
    }

    fn close(self) {
        self.reader.abort();
        self.heartbeat.abort();
    }
}

/// The worker id in a complete first SSE event (`data: {"id": ...}`), once it has arrived.
fn registration_id(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok()?;
    let (event, _) = text.split_once("\n\n")?;
    let data = event.lines().find_map(|l| l.strip_prefix("data:"))?;
    let asset: Value = serde_json::from_str(data.trim()).ok()?;
    asset["id"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::registration_id;

    #[test]
    fn reads_the_worker_id_once_the_event_is_whole() {
        let event = b"event: worker-registration\ndata: {\"id\":\"W-1\"}\n\n";
        assert_eq!(registration_id(event).as_deref(), Some("W-1"));
        assert_eq!(registration_id(&event[..20]), None);
    }
}
