//! The worker channel's messages (SSE events and POST-back envelopes) and task update events.

use chrono::Local;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::open_enum::open_enum;
use super::task::Task;
use super::time::Timestamp;

open_enum! {
    /// Event names on the worker channel, both directions.
    ///
    /// ```
    /// use xpander_runtime::model::WorkerEventType;
    /// assert_eq!(WorkerEventType::from("agent-execution"), WorkerEventType::AgentExecution);
    /// ```
    pub enum WorkerEventType {
        /// Server → worker: the worker is registered (data: [`DeployedAsset`]).
        WorkerRegistration = "worker-registration",
        /// Server → worker: run this task (data: a bare Task).
        AgentExecution = "agent-execution",
        /// Worker → server: still alive.
        WorkerHeartbeat = "worker-heartbeat",
        /// Worker → server: the worker is leaving.
        WorkerFinished = "worker-finished",
        /// Worker → server: busy or free.
        WorkerCapacityUpdate = "worker-capacity-update",
        /// Server → worker: another environment already serves this agent.
        WorkerEnvironmentConflict = "worker-environment-conflict",
    }
}

open_enum! {
    /// Where a worker runs, as it says when it opens the worker channel
    /// (`?environment=local|xpander`). An agent is served from one environment at a time.
    ///
    /// ```
    /// use xpander_runtime::model::WorkerEnvironment;
    /// assert_eq!(WorkerEnvironment::Xpander.as_str(), "xpander");
    /// ```
    pub enum WorkerEnvironment {
        /// A worker on a developer's machine (or anywhere outside xpander's cloud).
        Local = "local",
        /// A worker deployed in xpander's cloud.
        Xpander = "xpander",
    }
}

open_enum! {
    /// The kind of a deployed asset.
    pub enum DeploymentType {
        /// A gateway.
        Gateway = "gateway",
        /// A controller.
        Controller = "controller",
        /// A worker.
        Worker = "worker",
        /// A Redis instance.
        Redis = "redis",
    }
}

/// The data of `worker-registration`: the worker as the platform registered it.
///
/// ```
/// use xpander_runtime::model::DeployedAsset;
///
/// let asset: DeployedAsset = serde_json::from_str(r#"{"id":"wrk_1","name":"w","organization_id":"o",
///   "type":"worker","created_at":"2025-01-01T00:00:00Z","created_by":null,
///   "last_heartbeat":"2025-01-01T00:00:00Z","dedicated_agent_id":"a","parent_asset_id":null}"#).unwrap();
/// assert_eq!(asset.id, "wrk_1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployedAsset {
    /// The worker id used in POST-back URLs.
    pub id: String,
    /// Generated name.
    pub name: String,
    /// The organization.
    pub organization_id: String,
    /// The asset's kind.
    #[serde(rename = "type")]
    pub asset_type: DeploymentType,
    /// When the asset was created.
    pub created_at: Timestamp,
    /// Who created it (local workers).
    pub created_by: Option<String>,
    /// The last heartbeat the platform saw.
    pub last_heartbeat: Timestamp,
    /// The agent this worker is dedicated to.
    pub dedicated_agent_id: Option<String>,
    /// The parent asset.
    pub parent_asset_id: Option<String>,
    /// Asset configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Map<String, Value>>,
    /// Whether the platform considers the worker busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_busy: Option<bool>,
    /// Metadata (`unique_name`, `name` of the agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// The data of `worker-environment-conflict`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentConflict {
    /// The platform's message.
    pub error: String,
}

/// The envelope a worker POSTs back: `{id, event, data}`, with a fresh id per message.
///
/// ```
/// use xpander_runtime::model::WorkerMessage;
///
/// let busy = serde_json::to_value(WorkerMessage::capacity(true)).unwrap();
/// assert_eq!(busy["event"], "worker-capacity-update");
/// assert_eq!(busy["data"], serde_json::json!({"is_busy": true}));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerMessage {
    /// A fresh UUID (v4) per message.
    pub id: String,
    /// What the message says.
    pub event: WorkerEventType,
    /// The payload.
    pub data: Value,
}

impl WorkerMessage {
    fn new(event: WorkerEventType, data: Value) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            event,
            data,
        }
    }

    /// A heartbeat. Its data is the local time without a zone, as the platform expects
    /// (`2026-11-22T02:05:59.130067`; no fraction when it is zero).
    pub fn heartbeat() -> Self {
        let now = Local::now().naive_local();
        let text = if now.and_utc().timestamp_subsec_micros() == 0 {
            now.format("%Y-%m-%dT%H:%M:%S").to_string()
        } else {
            now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
        };
        Self::new(WorkerEventType::WorkerHeartbeat, Value::String(text))
    }

    /// A capacity update: busy when the worker took its last free slot, free when one returned.
    pub fn capacity(is_busy: bool) -> Self {
        Self::new(
            WorkerEventType::WorkerCapacityUpdate,
            json!({ "is_busy": is_busy }),
        )
    }

    /// The worker is leaving.
    pub fn finished() -> Self {
        Self::new(WorkerEventType::WorkerFinished, json!({}))
    }
}

open_enum! {
    /// The kind of a [`TaskUpdateEvent`].
    pub enum TaskUpdateEventType {
        /// The stream is connected.
        Connected = "connected",
        /// A task was created.
        TaskCreated = "task_created",
        /// A task changed.
        TaskUpdated = "task_updated",
        /// A task finished.
        TaskFinished = "task_finished",
        /// A chunk of streamed output.
        Chunk = "chunk",
        /// An authentication event (MCP OAuth).
        AuthEvent = "auth_event",
        /// A tool call is requested.
        ToolCallRequest = "tool_call_request",
        /// A tool call returned.
        ToolCallResult = "tool_call_result",
        /// A sub-agent was triggered.
        SubAgentTrigger = "sub_agent_trigger",
        /// The agent is thinking.
        Think = "think",
        /// The agent is analysing.
        Analyze = "analyze",
        /// The plan changed.
        PlanUpdated = "plan_updated",
        /// The task's context was compacted.
        TaskCompactization = "task_compactization",
        /// Context window status.
        ContextStatus = "context_status",
        /// The agent gateway decided.
        AgentGatewayDecision = "agent_gateway_decision",
        /// A process changed state.
        ProcessStateChanged = "process_state_changed",
        /// A process reported progress.
        ProcessUpdate = "process_update",
        /// A gateway steer was applied.
        GatewaySteerApplied = "gateway_steer_applied",
        /// The agent asks the user questions.
        AskUserQuestions = "ask_user_questions",
        /// A sub-task was created.
        SubTaskCreated = "sub_task_created",
        /// A sub-task changed.
        SubTaskUpdated = "sub_task_updated",
        /// A sub-task finished.
        SubTaskFinished = "sub_task_finished",
        /// Invite a member.
        InviteMember = "invite_member",
        /// A member was invited.
        MemberInvited = "member_invited",
        /// The agent asks for a secret.
        AskForSecret = "ask_for_secret",
        /// A secret was saved.
        SecretSaved = "secret_saved",
        /// A live surface was created.
        LiveSurfaceCreated = "live_surface_created",
        /// An inline card.
        InlineCard = "inline_card",
    }
}

/// The display identity stamped on events produced under a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageIdentity {
    /// Display name.
    pub name: String,
    /// Icon.
    #[serde(default)]
    pub icon: Option<String>,
}

/// An event about a task: pushed to the platform (`POST /agent-execution/{id}/events/push`,
/// as a one-element array), handed to `#[on_auth_event]` hooks, and read live from a task
/// ([`Task::aevents`](crate::Task::aevents)), where `D` is [`TaskEventData`].
///
/// ```
/// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
///
/// let event = TaskUpdateEvent::new(TaskUpdateEventType::AuthEvent, "t1", "org",
///     serde_json::json!({"type": "login_required", "data": {"url": "https://login"}}));
/// let wire = serde_json::to_value(&event).unwrap();
/// assert_eq!(wire["type"], "auth_event");
/// assert!(wire["identity"].is_null());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskUpdateEvent<D = Value> {
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: TaskUpdateEventType,
    /// The task.
    pub task_id: String,
    /// The organization.
    pub organization_id: String,
    /// When (UTC).
    pub time: Timestamp,
    /// The payload; its shape depends on `type`.
    pub data: D,
    /// Who produced it, when a skill did.
    #[serde(default)]
    pub identity: Option<MessageIdentity>,
}

impl TaskUpdateEvent {
    /// An event stamped with the current UTC time.
    pub fn new(
        event_type: TaskUpdateEventType,
        task_id: impl Into<String>,
        organization_id: impl Into<String>,
        data: Value,
    ) -> Self {
        Self {
            event_type,
            task_id: task_id.into(),
            organization_id: organization_id.into(),
            time: Timestamp::now(),
            data,
            identity: None,
        }
    }
}

impl<D> TaskUpdateEvent<D> {
    /// The same event with its payload turned by `f`.
    ///
    /// ```
    /// use xpander_runtime::model::{TaskEventData, TaskUpdateEvent, TaskUpdateEventType};
    ///
    /// let raw = TaskUpdateEvent::new(TaskUpdateEventType::Think, "t1", "org", "hmm".into());
    /// let kind = raw.event_type.clone();
    /// let typed = raw.map_data(|data| TaskEventData::decode(&kind, data));
    /// assert_eq!(typed.data.json(), Some(&serde_json::json!("hmm")));
    /// ```
    pub fn map_data<E>(self, f: impl FnOnce(D) -> E) -> TaskUpdateEvent<E> {
        TaskUpdateEvent {
            event_type: self.event_type,
            task_id: self.task_id,
            organization_id: self.organization_id,
            time: self.time,
            data: f(self.data),
            identity: self.identity,
        }
    }
}

impl TaskUpdateEventType {
    /// Whether the payload is a task: the type's name starts with `task` (`task_created`,
    /// `task_updated`, `task_finished`, ...), the rule the Python SDK's `aevents` applies.
    ///
    /// ```
    /// use xpander_runtime::model::TaskUpdateEventType;
    /// assert!(TaskUpdateEventType::TaskFinished.carries_task());
    /// assert!(!TaskUpdateEventType::Chunk.carries_task());
    /// ```
    pub fn carries_task(&self) -> bool {
        self.as_str().starts_with("task")
    }
}

/// The payload of an event read live from a task: a typed [`Task`] for the task-typed events
/// ([`TaskUpdateEventType::carries_task`]) whose payload decodes as one, the JSON as sent
/// for everything else (a chunk, a tool call, or a task payload this version cannot read).
///
/// ```
/// use xpander_runtime::model::{TaskEventData, TaskUpdateEventType};
///
/// let data = TaskEventData::decode(&TaskUpdateEventType::Chunk, serde_json::json!("hel"));
/// assert_eq!(data.json(), Some(&serde_json::json!("hel")));
/// assert!(data.task().is_none());
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum TaskEventData {
    /// The task, as of the event.
    Task(Box<Task>),
    /// Anything else, as sent.
    Json(Value),
}

impl TaskEventData {
    /// Reads `data` for an event of type `kind`: a task when the type carries one and it
    /// decodes, the JSON otherwise (never dropped).
    pub fn decode(kind: &TaskUpdateEventType, data: Value) -> Self {
        if !kind.carries_task() {
            return Self::Json(data);
        }
        match serde_json::from_value::<Task>(data.clone()) {
            Ok(task) => Self::Task(Box::new(task)),
            Err(e) => {
                tracing::warn!(event_type = %kind, error = %e,
                    "a task event's payload is not a task; keeping it as JSON");
                Self::Json(data)
            }
        }
    }

    /// The task, when the payload is one.
    pub fn task(&self) -> Option<&Task> {
        match self {
            Self::Task(task) => Some(task),
            Self::Json(_) => None,
        }
    }

    /// The JSON, when the payload is not a task.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Self::Task(_) => None,
            Self::Json(value) => Some(value),
        }
    }
}

/// Why the agent calls a tool, as it explains it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCallReasoning {
    /// A short title.
    #[serde(default)]
    pub title: Option<String>,
    /// The explanation.
    #[serde(default)]
    pub description: Option<String>,
}

/// The data of a `tool_call_request` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallRequest {
    /// Request id.
    pub request_id: String,
    /// The tool's operation id.
    pub operation_id: String,
    /// The LLM's tool call id.
    #[serde(default)]
    pub tool_call_id: Option<String>,
    /// The graph node of the tool.
    #[serde(default)]
    pub graph_node_id: Option<String>,
    /// The tool's name.
    #[serde(default)]
    pub tool_name: Option<String>,
    /// The call's payload.
    #[serde(default)]
    pub payload: Option<Value>,
    /// Why the agent calls it.
    #[serde(default)]
    pub reasoning: Option<ToolCallReasoning>,
    /// The plan item this call serves.
    #[serde(default)]
    pub plan_task_id: Option<String>,
}

/// The data of a `tool_call_result` event: the request, plus what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallResult {
    /// The call.
    #[serde(flatten)]
    pub request: ToolCallRequest,
    /// What the tool returned.
    #[serde(default)]
    pub result: Option<Value>,
    /// Whether the call failed.
    #[serde(default)]
    pub is_error: Option<bool>,
    /// The approval request that held the call, if any.
    #[serde(default)]
    pub approval_request_id: Option<String>,
}
