//! Workers and dispatch: who is connected, who is alive, and which worker gets which task.
//!
//! Every function here runs with the [`Store`] locked by its caller and never awaits, so a task
//! is never handed out twice and a worker's state never changes halfway through a decision.
//! Callers run [`dispatch`] after any change that may let a task go out: a task created, a
//! worker connected or free again, a worker gone.

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};
use xpander_runtime::model::{
    AgentExecutionStatus, DeployedAsset, DeploymentType, Task, Timestamp, WorkerEnvironment,
    WorkerEventType, WorkerMessage,
};

use crate::error::ApiError;
use crate::options::LlmGatewayRoute;
use crate::state::{Outbound, Store, Worker, WorkerInfo, WorkerState};

/// How many workers that left are remembered for `GET /_dev/workers`.
const GONE_WORKERS_KEPT: usize = 1000;

/// Hands every pending task to a worker of its agent.
///
/// For each agent with tasks waiting, oldest task first: take the next connected, not-busy
/// worker of that agent in round-robin order, mark the task as out with it, and send it the
/// bare task JSON as `agent-execution`. When no worker is free the task stays queued, in order.
/// A task stays `pending` until its worker PATCHes it; if the worker leaves before that, the
/// task is queued again ([`worker_gone`]).
pub(crate) fn dispatch(store: &mut Store, gateway: Option<&LlmGatewayRoute>) {
    let agents: Vec<String> = store
        .queues
        .iter()
        .filter(|(_, queue)| !queue.is_empty())
        .map(|(agent, _)| agent.clone())
        .collect();
    for agent in agents {
        while let Some(task_id) = next_waiting_task(store, &agent) {
            let Some(worker_id) = next_free_worker(store, &agent) else {
                // Nobody can take it now: it waits at the head of the queue.
                store
                    .queues
                    .entry(agent.clone())
                    .or_default()
                    .push_front(task_id);
                break;
            };
            deliver(store, &worker_id, &task_id, gateway);
        }
    }
}

/// The oldest queued task of the agent that still wants a worker (pending, not run locally,
/// not out with a worker). Entries that no longer qualify are dropped.
fn next_waiting_task(store: &mut Store, agent: &str) -> Option<String> {
    let queue = store.queues.get_mut(agent)?;
    while let Some(task_id) = queue.pop_front() {
        let waiting = store
            .tasks
            .get(&task_id)
            .is_some_and(|t| t.wants_worker() && t.out_with.is_none());
        if waiting {
            return Some(task_id);
        }
    }
    None
}

/// The agent's next connected, not-busy worker, in round-robin order over connection order.
fn next_free_worker(store: &mut Store, agent: &str) -> Option<String> {
    let mut free: Vec<&Worker> = store
        .workers
        .values()
        .filter(|w| w.info.agent_id == agent && !w.info.is_busy)
        .collect();
    if free.is_empty() {
        return None;
    }
    free.sort_by_key(|w| w.seq);
    let turn = store.round_robin.entry(agent.to_owned()).or_default();
    let chosen = free[(*turn % free.len() as u64) as usize].info.id.clone();
    *turn += 1;
    Some(chosen)
}

/// Sends one task to one worker (after a malformed event, when that fault is on).
fn deliver(store: &mut Store, worker_id: &str, task_id: &str, gateway: Option<&LlmGatewayRoute>) {
    let (Some(info), Some(worker)) = (
        store.tasks.get_mut(task_id),
        store.workers.get_mut(worker_id),
    ) else {
        return;
    };
    info.out_with = Some(worker_id.to_owned());
    info.delivered_to.push(worker_id.to_owned());
    worker.info.delivered.push(task_id.to_owned());
    // A route goes only to a listener that said it takes it off the delivery.
    let gateway = gateway.filter(|_| worker.info.supports_llm_gateway);
    let data = delivery_json(&info.task, gateway);
    tracing::debug!(task_id, worker_id, "task delivered");
    if let Some(bad) = store.sse_faults.malformed_before_delivery() {
        send_event(store, worker_id, WorkerEventType::AgentExecution, bad);
    }
    send_event(store, worker_id, WorkerEventType::AgentExecution, data);
}

/// The bare task JSON of a delivery. A configured gateway route goes into
/// `payload_extension.llm_gateway` of this message only (for workers that connected with
/// `supports_llm_gateway=true`); it is never stored.
fn delivery_json(task: &Task, gateway: Option<&LlmGatewayRoute>) -> String {
    let Some(route) = gateway else {
        return serde_json::to_string(task).unwrap_or_default();
    };
    let mut value = serde_json::to_value(task).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        let extension = map.entry("payload_extension").or_insert_with(|| json!({}));
        if !extension.is_object() {
            *extension = json!({});
        }
        extension["llm_gateway"] = json!({"base_url": route.base_url, "token": route.token});
    }
    value.to_string()
}

/// Sends an event on a worker's stream, counting it for the drop fault; a dropped stream makes
/// the worker gone.
fn send_event(store: &mut Store, worker_id: &str, event: WorkerEventType, data: String) {
    let drop_after = store.sse_faults.count_event();
    let id = store.take_event_id();
    if let Some(worker) = store.workers.get(worker_id) {
        let _ = worker.tx.send(Outbound::Event { id, event, data });
    }
    if drop_after {
        tracing::info!(worker_id, "fault: closing the SSE stream");
        worker_gone(store, worker_id, WorkerState::Disconnected);
    }
}

/// Writes `bytes` verbatim into a connected worker's stream, after the events already queued
/// for it. Whether the worker is connected.
pub(crate) fn inject_raw(store: &Store, worker_id: &str, bytes: Bytes) -> bool {
    let Some(worker) = store.workers.get(worker_id) else {
        return false;
    };
    // An empty frame would read as the end of a chunked body: there is nothing to send anyway.
    bytes.is_empty() || worker.tx.send(Outbound::Raw(bytes)).is_ok()
}

/// A new SSE connection for an agent.
pub(crate) struct Connection {
    pub worker_id: String,
    pub rx: mpsc::UnboundedReceiver<Outbound>,
}

/// What a worker says when it opens its stream.
pub(crate) struct Hello<'a> {
    pub agent_id: &'a str,
    pub environment: WorkerEnvironment,
    pub supports_llm_gateway: bool,
    /// Its `Last-Event-ID` header, kept for tests of reconnection.
    pub last_event_id: Option<String>,
}

/// Registers a worker: sends `worker-registration` (a DeployedAsset whose `id` is the worker
/// id) and dispatches. Refuses (with the conflict message) when the agent already has a
/// connected worker in the other environment.
pub(crate) fn connect(
    store: &mut Store,
    org: &str,
    hello: Hello<'_>,
    gateway: Option<&LlmGatewayRoute>,
) -> Result<Connection, String> {
    let Hello {
        agent_id,
        environment,
        supports_llm_gateway,
        last_event_id,
    } = hello;
    if let Some(other) = store
        .workers
        .values()
        .find(|w| w.info.agent_id == agent_id && w.info.environment != environment)
    {
        return Err(format!(
            "agent {agent_id} is already served by worker {} in environment {:?}; \
             a worker in environment {:?} cannot serve it at the same time",
            other.info.id,
            other.info.environment.as_str(),
            environment.as_str()
        ));
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let worker_id = format!(
        "WORKER-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let now = Timestamp::now();
    let (unique_name, name) = store
        .agents
        .latest(agent_id)
        .map(|a| (a.unique_name.clone(), a.name.clone()))
        .unwrap_or_default();
    let asset = DeployedAsset {
        id: worker_id.clone(),
        name: format!("local-worker-{}", store.next_worker_seq + 1),
        organization_id: org.to_owned(),
        asset_type: DeploymentType::Worker,
        created_at: now.clone(),
        created_by: None,
        last_heartbeat: now.clone(),
        dedicated_agent_id: Some(agent_id.to_owned()),
        parent_asset_id: None,
        configuration: None,
        is_busy: Some(false),
        metadata: Some(
            json!({"unique_name": unique_name, "name": name})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        ),
    };
    store.next_worker_seq += 1;
    store.workers.insert(
        worker_id.clone(),
        Worker {
            info: WorkerInfo {
                id: worker_id.clone(),
                agent_id: agent_id.to_owned(),
                environment: environment.clone(),
                supports_llm_gateway,
                state: WorkerState::Connected,
                connected_at: now,
                last_heartbeat: None,
                heartbeats: 0,
                is_busy: false,
                capacity_updates: 0,
                delivered: Vec::new(),
                gone_at: None,
                last_event_id,
            },
            seq: store.next_worker_seq,
            last_seen: Instant::now(),
            tx,
        },
    );
    tracing::info!(
        worker_id,
        agent_id,
        environment = environment.as_str(),
        "worker connected"
    );
    let registration = serde_json::to_string(&asset).unwrap_or_default();
    send_event(
        store,
        &worker_id,
        WorkerEventType::WorkerRegistration,
        registration,
    );
    dispatch(store, gateway);
    Ok(Connection { worker_id, rx })
}

/// Removes a connected worker (its stream closed, it was lost, or it finished), closes its
/// stream, and queues again, at the head, every task it held that is still `pending`.
/// Returns false when the worker was already gone.
pub(crate) fn worker_gone(store: &mut Store, worker_id: &str, state: WorkerState) -> bool {
    let Some(mut worker) = store.workers.remove(worker_id) else {
        return false;
    };
    let _ = worker.tx.send(Outbound::Close);
    worker.info.state = state;
    worker.info.gone_at = Some(Timestamp::now());
    for task_id in worker.info.delivered.iter().rev() {
        let Some(task) = store.tasks.get_mut(task_id) else {
            continue;
        };
        if task.out_with.as_deref() == Some(worker_id) {
            task.out_with = None;
            if task.task.status == AgentExecutionStatus::Pending {
                tracing::info!(task_id, worker_id, "worker left; task queued again");
                store
                    .queues
                    .entry(task.task.agent_id.clone())
                    .or_default()
                    .push_front(task_id.clone());
            }
        }
    }
    tracing::info!(worker_id, ?state, "worker gone");
    store.gone_workers.push_back(worker.info);
    while store.gone_workers.len() > GONE_WORKERS_KEPT {
        store.gone_workers.pop_front();
    }
    true
}

/// Marks as lost every worker silent for more than three heartbeat intervals. Returns whether
/// any was.
pub(crate) fn reap_silent_workers(
    store: &mut Store,
    heartbeat_interval: Duration,
    gateway: Option<&LlmGatewayRoute>,
) -> bool {
    let limit = heartbeat_interval * 3;
    let silent: Vec<String> = store
        .workers
        .values()
        .filter(|w| w.last_seen.elapsed() > limit)
        .map(|w| w.info.id.clone())
        .collect();
    for worker_id in &silent {
        tracing::warn!(worker_id, "no heartbeat for three intervals; worker lost");
        worker_gone(store, worker_id, WorkerState::Lost);
    }
    if !silent.is_empty() {
        dispatch(store, gateway);
    }
    !silent.is_empty()
}

/// Applies a worker's POST-back message (heartbeat, capacity or finished).
pub(crate) fn worker_message(
    store: &mut Store,
    worker_id: &str,
    agent_id: Option<&str>,
    message: &WorkerMessage,
    gateway: Option<&LlmGatewayRoute>,
) -> Result<(), ApiError> {
    let Some(worker) = store.workers.get_mut(worker_id) else {
        return match store
            .gone_workers
            .iter_mut()
            .rev()
            .find(|w| w.id == worker_id)
        {
            // A worker that closed its stream to shut down still drains its tasks: it may
            // heartbeat, report capacity and say it finished. It is never dispatched to again.
            Some(gone) if gone.state == WorkerState::Disconnected => {
                draining_message(gone, message)
            }
            Some(gone) => Err(ApiError::not_found(format!(
                "worker {worker_id:?} is no longer connected ({:?}); reconnect to register again",
                gone.state
            ))),
            None => Err(ApiError::not_found(format!(
                "worker {worker_id:?} not found"
            ))),
        };
    };
    if let Some(agent_id) = agent_id
        && agent_id != worker.info.agent_id
    {
        return Err(ApiError::bad_request(format!(
            "query agent_id: worker {worker_id:?} serves agent {:?}, not {agent_id:?}",
            worker.info.agent_id
        )));
    }
    match &message.event {
        WorkerEventType::WorkerHeartbeat => {
            let Value::String(at) = &message.data else {
                return Err(ApiError::bad_request(
                    "data: a heartbeat's data must be the worker's local time as a string",
                ));
            };
            worker.info.last_heartbeat = Some(at.clone());
            worker.info.heartbeats += 1;
            worker.last_seen = Instant::now();
        }
        WorkerEventType::WorkerCapacityUpdate => {
            let Some(is_busy) = message.data.get("is_busy").and_then(Value::as_bool) else {
                return Err(ApiError::bad_request(
                    "data.is_busy: a capacity update needs a boolean is_busy",
                ));
            };
            worker.info.is_busy = is_busy;
            worker.info.capacity_updates += 1;
            worker.last_seen = Instant::now();
            if !is_busy {
                dispatch(store, gateway);
            }
        }
        WorkerEventType::WorkerFinished => {
            worker_gone(store, worker_id, WorkerState::Finished);
            dispatch(store, gateway);
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "event: {:?} is not a message a worker sends (worker-heartbeat, \
                 worker-capacity-update, worker-finished)",
                other.as_str()
            )));
        }
    }
    Ok(())
}

/// Applies a POST-back of a worker that closed its stream and is draining.
fn draining_message(worker: &mut WorkerInfo, message: &WorkerMessage) -> Result<(), ApiError> {
    match &message.event {
        WorkerEventType::WorkerHeartbeat => {
            worker.last_heartbeat = message.data.as_str().map(str::to_owned);
            worker.heartbeats += 1;
        }
        WorkerEventType::WorkerCapacityUpdate => {
            worker.is_busy = message
                .data
                .get("is_busy")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            worker.capacity_updates += 1;
        }
        WorkerEventType::WorkerFinished => worker.state = WorkerState::Finished,
        other => {
            return Err(ApiError::bad_request(format!(
                "event: {:?} is not a message a worker sends",
                other.as_str()
            )));
        }
    }
    Ok(())
}
