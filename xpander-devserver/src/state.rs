//! The devserver's state: agents, tasks, workers and what tests inspect.
//!
//! Everything a request changes lives in one [`Store`] behind one `tokio::sync::Mutex`, so a
//! change and the dispatch it enables happen together. The request log and the route faults
//! have their own locks; no code holds two locks at once, or any lock across an `.await`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, Notify, mpsc, watch};
use tokio::time::Instant;
use xpander_runtime::model::{
    Agent, AgentExecutionStatus, Task, Timestamp, WorkerEnvironment, WorkerEventType,
};

use crate::faults::{RouteFaults, SseFaults};
use crate::llm::LlmState;
use crate::mcp::McpAuthStore;
use crate::options::{DevServerOptions, KnowledgeBase};
use crate::pulse::Pulse;
use crate::reqlog::RequestLog;

/// What every request handler shares.
pub(crate) struct App {
    pub org: String,
    pub api_key: String,
    pub base_url: String,
    pub started_at: Timestamp,
    /// The options the server started with.
    pub settings: DevServerOptions,
    pub store: Mutex<Store>,
    pub log: Mutex<RequestLog>,
    /// The scripted LLM's scripts and record of requests.
    pub llm: Mutex<LlmState>,
    pub route_faults: Mutex<RouteFaults>,
    pub route_faults_active: AtomicBool,
    /// Bumped after every change, for tests waiting on a condition.
    pub changes: watch::Sender<u64>,
    /// What changed outside the store (request log, scripted LLM, faults), for the dashboard.
    pub pulse: Pulse,
    /// Wakes the persister (when a state file is set).
    pub persist: Option<Arc<Notify>>,
    /// Turns true when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl App {
    /// Records that agents or tasks (what the state file holds) changed: wakes waiters and
    /// the persister.
    pub fn changed(&self) {
        self.touched();
        if let Some(persist) = &self.persist {
            persist.notify_one();
        }
    }

    /// Records a change the state file does not hold (a heartbeat, an MCP login): wakes
    /// waiters only, so an idle worker's heartbeats do not rewrite the file.
    pub fn touched(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Everything requests change.
#[derive(Default)]
pub(crate) struct Store {
    pub agents: AgentStore,
    pub tasks: HashMap<String, TaskInfo>,
    /// Task ids in creation order.
    pub task_order: Vec<String>,
    /// Pending task ids waiting for a worker, per agent, oldest first.
    pub queues: HashMap<String, VecDeque<String>>,
    pub workers: HashMap<String, Worker>,
    /// Workers that left, newest last (bounded).
    pub gone_workers: VecDeque<WorkerInfo>,
    pub next_worker_seq: u64,
    /// The next round-robin position, per agent.
    pub round_robin: HashMap<String, u64>,
    pub sse_faults: SseFaults,
    pub mcp: McpAuthStore,
    pub knowledge_bases: BTreeMap<String, KnowledgeBase>,
    /// Metrics reported for tasks this server does not hold.
    pub orphan_metrics: Vec<Value>,
    /// The last SSE event id handed out (ids are unique over all streams).
    pub last_event_id: u64,
    /// The local tools each agent's workers last synced (`PATCH .../sync_local_tools`).
    pub local_tools: HashMap<String, Vec<Value>>,
}

impl Store {
    /// Adds a task (or replaces one with the same id) and queues it when a worker should run it.
    pub fn put_task(&mut self, info: TaskInfo) {
        let id = info.task.id.clone();
        let queue = info.wants_worker();
        let agent = info.task.agent_id.clone();
        if self.tasks.insert(id.clone(), info).is_none() {
            self.task_order.push(id.clone());
        }
        if queue {
            self.queues.entry(agent).or_default().push_back(id);
        }
    }

    /// The next SSE event id: one counter for the whole server, so ids only grow, whichever
    /// stream they go out on.
    pub fn take_event_id(&mut self) -> u64 {
        self.last_event_id += 1;
        self.last_event_id
    }

    /// Tasks in creation order.
    pub fn tasks_in_order(&self) -> impl DoubleEndedIterator<Item = &TaskInfo> {
        self.task_order.iter().filter_map(|id| self.tasks.get(id))
    }

    /// Every worker, connected ones first (by connection order), then those that left.
    pub fn worker_infos(&self) -> Vec<WorkerInfo> {
        let mut live: Vec<&Worker> = self.workers.values().collect();
        live.sort_by_key(|w| w.seq);
        live.into_iter()
            .map(|w| w.info.clone())
            .chain(self.gone_workers.iter().cloned())
            .collect()
    }
}

/// Agents and their stored versions.
#[derive(Default)]
pub(crate) struct AgentStore {
    versions: HashMap<String, BTreeMap<i64, Agent>>,
    order: Vec<String>,
}

impl AgentStore {
    /// Stores the agent under its id and `version`; the highest version is the default.
    pub fn upsert(&mut self, agent: Agent) {
        let id = agent.id.clone();
        let versions = self.versions.entry(id.clone()).or_default();
        if versions.is_empty() {
            self.order.push(id);
        }
        versions.insert(agent.version, agent);
    }

    /// The default (highest) version.
    pub fn latest(&self, id: &str) -> Option<&Agent> {
        self.versions.get(id)?.values().next_back()
    }

    /// A stored version.
    pub fn version(&self, id: &str, version: i64) -> Option<&Agent> {
        self.versions.get(id)?.get(&version)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.versions.contains_key(id)
    }

    /// The default version of every agent, in the order they were added.
    pub fn list(&self) -> impl Iterator<Item = &Agent> {
        self.order.iter().filter_map(|id| self.latest(id))
    }

    /// Every version of every agent (for persistence).
    pub fn all_versions(&self) -> impl Iterator<Item = &Agent> {
        self.order
            .iter()
            .filter_map(|id| self.versions.get(id))
            .flat_map(|versions| versions.values())
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn first_id(&self) -> Option<&str> {
        self.order.first().map(String::as_str)
    }
}

/// A task as the devserver holds it: the task, plus what happened to it.
///
/// ```
/// use xpander_devserver::TaskInfo;
/// use xpander_runtime::model::Task;
///
/// let info = TaskInfo::new(Task::from_prompt("hi"));
/// assert!(info.delivered_to.is_empty() && info.events.is_empty());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskInfo {
    /// The task, as `GET /agent-execution/{id}/status` answers it.
    pub task: Task,
    /// Created with `run_locally: true` (never dispatched).
    #[serde(default)]
    pub run_locally: bool,
    /// The create body's `worker_id`.
    #[serde(default)]
    pub worker_id: Option<String>,
    /// The workers it was delivered to, in order (more than one after a redispatch).
    #[serde(default)]
    pub delivered_to: Vec<String>,
    /// Events pushed for it (`POST /agent-execution/{id}/events/push`), as sent.
    #[serde(default)]
    pub events: Vec<Value>,
    /// Metrics reported for it (`POST /agents-metrics/{agent}/execution`), as sent.
    #[serde(default)]
    pub metrics: Vec<Value>,
    /// Tool invocations and preflight reports made with `x-execution-id` set to it.
    #[serde(default)]
    pub tool_calls: Vec<Value>,
    /// The `llm_response` of an external report.
    #[serde(default)]
    pub llm_response: Option<Value>,
    /// Every status it took, oldest first (`pending` at creation, then each change).
    #[serde(default)]
    pub status_changes: Vec<StatusChange>,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The connected worker holding it while it is `pending`.
    #[serde(skip)]
    pub(crate) out_with: Option<String>,
    /// Its live events, for watchers (streaming tasks only; not persisted).
    #[serde(skip)]
    pub(crate) feed: Vec<crate::task_feed::FeedEntry>,
}

impl TaskInfo {
    /// A record for a task with nothing happened yet.
    pub fn new(task: Task) -> Self {
        Self {
            task,
            run_locally: false,
            worker_id: None,
            delivered_to: Vec::new(),
            events: Vec::new(),
            metrics: Vec::new(),
            tool_calls: Vec::new(),
            llm_response: None,
            status_changes: Vec::new(),
            updated_at: Timestamp::now(),
            out_with: None,
            feed: Vec::new(),
        }
    }

    /// Whether a worker should get this task: pending and not run locally.
    pub fn wants_worker(&self) -> bool {
        self.task.status == AgentExecutionStatus::Pending && !self.run_locally
    }

    /// Records a status change: `started_at` on the first `executing`, `finished_at` on the
    /// first terminal status.
    pub(crate) fn stamp(&mut self) {
        let now = Timestamp::now();
        if self.task.status == AgentExecutionStatus::Executing && self.task.started_at.is_none() {
            self.task.started_at = Some(now.clone());
        }
        if self.task.status.is_terminal() && self.task.finished_at.is_none() {
            self.task.finished_at = Some(now.clone());
        }
        self.updated_at = now;
        self.note_status();
    }

    /// Appends the task's status to [`status_changes`](Self::status_changes) when it is not
    /// the last one there.
    pub(crate) fn note_status(&mut self) {
        let status = &self.task.status;
        if self.status_changes.last().map(|c| &c.status) != Some(status) {
            self.status_changes.push(StatusChange {
                status: status.clone(),
                at: self.updated_at.clone(),
            });
        }
    }
}

/// A status a task took, and when (`TaskInfo::status_changes`).
///
/// ```
/// use xpander_devserver::StatusChange;
///
/// let change: StatusChange =
///     serde_json::from_str(r#"{"status": "executing", "at": "2026-01-01T00:00:01Z"}"#).unwrap();
/// assert_eq!(change.status.as_str(), "executing");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The status.
    pub status: AgentExecutionStatus,
    /// When the server saw it.
    pub at: Timestamp,
}

/// Where a worker stands.
///
/// ```
/// use xpander_devserver::WorkerState;
/// assert_eq!(serde_json::to_value(WorkerState::Lost).unwrap(), "lost");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    /// Its SSE stream is open; it gets tasks when not busy.
    Connected,
    /// Its SSE stream closed.
    Disconnected,
    /// It missed three heartbeat intervals; its stream was closed.
    Lost,
    /// It said `worker-finished`; its stream was closed.
    Finished,
}

/// A worker as `GET /_dev/workers` shows it.
///
/// ```
/// # #[tokio::main] async fn main() {
/// use xpander_devserver::{DevServer, DevServerOptions};
///
/// let server = DevServer::start(DevServerOptions::default()).await.unwrap();
/// assert!(server.workers().await.is_empty()); // no worker has connected yet
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerInfo {
    /// The worker id (the `id` of its `worker-registration`).
    pub id: String,
    /// The agent it serves.
    pub agent_id: String,
    /// `local` or `xpander`.
    pub environment: WorkerEnvironment,
    /// Whether it connected with `supports_llm_gateway=true`.
    pub supports_llm_gateway: bool,
    /// Where it stands.
    pub state: WorkerState,
    /// When it connected.
    pub connected_at: Timestamp,
    /// The data of its last heartbeat (the worker's local time).
    pub last_heartbeat: Option<String>,
    /// Heartbeats received.
    pub heartbeats: u64,
    /// Whether it said it is busy.
    pub is_busy: bool,
    /// Capacity updates received.
    pub capacity_updates: u64,
    /// Tasks delivered to it, in order.
    pub delivered: Vec<String>,
    /// When it left.
    pub gone_at: Option<Timestamp>,
    /// The `Last-Event-ID` header it connected with: a reconnecting worker resends the id of
    /// the last event it saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<String>,
}

/// A connected worker.
pub(crate) struct Worker {
    pub info: WorkerInfo,
    /// Connection order, for round robin.
    pub seq: u64,
    /// The last sign of life (connection or heartbeat).
    pub last_seen: Instant,
    pub tx: mpsc::UnboundedSender<Outbound>,
}

/// What an SSE stream sends next.
#[derive(Debug)]
pub(crate) enum Outbound {
    Event {
        id: u64,
        event: WorkerEventType,
        data: String,
    },
    /// Bytes written as they are, between events (a test's hostile input).
    Raw(Bytes),
    Close,
}

#[cfg(test)]
impl App {
    /// An app with default settings, for unit tests of the router.
    pub fn for_tests(dev_routes_loopback_only: bool) -> Arc<App> {
        let mut store = Store::default();
        store
            .agents
            .upsert(crate::agents::demo_agent("local-org", "http://127.0.0.1:1"));
        Arc::new(App {
            org: "local-org".into(),
            api_key: "k".into(),
            base_url: "http://127.0.0.1:1".into(),
            started_at: Timestamp::now(),
            settings: DevServerOptions {
                body_limit: 1024,
                dev_routes_loopback_only,
                ..DevServerOptions::default()
            },
            store: Mutex::new(store),
            log: Mutex::new(RequestLog::new(100)),
            llm: Mutex::new(LlmState::default()),
            route_faults: Mutex::new(RouteFaults::new(Default::default())),
            route_faults_active: AtomicBool::new(false),
            changes: watch::channel(0).0,
            pulse: Pulse::default(),
            persist: None,
            shutdown: watch::channel(false).1,
        })
    }
}
