//! The events a handler pushes about its task, built without hand-written JSON: answer
//! chunks, tool calls and their results, and think/analyze steps in the shape the platform's
//! activity log reads.

use serde_json::{Map, Value};

use super::events::{TaskUpdateEvent, TaskUpdateEventType, ToolCallRequest, ToolCallResult};
use super::task::Task;

impl TaskUpdateEvent {
    /// An event about `task`, stamped now.
    fn about(task: &Task, event_type: TaskUpdateEventType, data: Value) -> Self {
        Self::new(event_type, &task.id, &task.organization_id, data)
    }

    /// A `chunk` of the task's answer, as it is produced.
    ///
    /// ```
    /// use xpander_runtime::Task;
    /// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
    ///
    /// let task = Task::from_prompt("Tell me a story");
    /// let event = TaskUpdateEvent::chunk(&task, "Once upon ");
    /// assert_eq!(event.event_type, TaskUpdateEventType::Chunk);
    /// assert_eq!(event.data, "Once upon ");
    /// // task.push_event(&event).await? sends it to the task's watchers.
    /// ```
    pub fn chunk(task: &Task, text: impl Into<String>) -> Self {
        Self::about(task, TaskUpdateEventType::Chunk, Value::String(text.into()))
    }

    /// A `tool_call_request`: the agent is about to call a tool.
    ///
    /// ```
    /// use serde_json::json;
    /// use xpander_runtime::Task;
    /// use xpander_runtime::model::{TaskUpdateEvent, ToolCallRequest};
    ///
    /// let task = Task::from_prompt("Weather in Paris?");
    /// let call = ToolCallRequest::new("weather_lookup").payload(json!({"city": "Paris"}));
    /// let event = TaskUpdateEvent::tool_call_request(&task, &call);
    /// assert_eq!(event.data["operation_id"], "weather_lookup");
    /// assert_eq!(event.data["payload"]["city"], "Paris");
    /// ```
    pub fn tool_call_request(task: &Task, request: &ToolCallRequest) -> Self {
        Self::about(
            task,
            TaskUpdateEventType::ToolCallRequest,
            to_value(request),
        )
    }

    /// A `tool_call_result`: what a tool call returned (or its error).
    ///
    /// ```
    /// use serde_json::json;
    /// use xpander_runtime::Task;
    /// use xpander_runtime::model::{TaskUpdateEvent, ToolCallRequest};
    ///
    /// let task = Task::from_prompt("Weather in Paris?");
    /// let call = ToolCallRequest::new("weather_lookup");
    /// let result = call.clone().result(json!({"sky": "sunny"}), false);
    /// let event = TaskUpdateEvent::tool_call_result(&task, &result);
    /// assert_eq!(event.data["request_id"], call.request_id);
    /// assert_eq!(event.data["result"]["sky"], "sunny");
    /// ```
    pub fn tool_call_result(task: &Task, result: &ToolCallResult) -> Self {
        Self::about(task, TaskUpdateEventType::ToolCallResult, to_value(result))
    }

    /// A `think` step. As the platform's activity log expects, it is a call of the `think`
    /// tool whose payload's `input` holds the step's fields (`title`, `thought`,
    /// `confidence`, ...).
    ///
    /// ```
    /// use serde_json::json;
    /// use xpander_runtime::Task;
    /// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
    ///
    /// let task = Task::from_prompt("Plan a trip");
    /// let step = json!({"title": "Budget first", "thought": "Flights dominate", "confidence": 0.8});
    /// let event = TaskUpdateEvent::think(&task, step.as_object().unwrap().clone());
    /// assert_eq!(event.event_type, TaskUpdateEventType::Think);
    /// assert_eq!(event.data["tool_name"], "think");
    /// assert_eq!(event.data["payload"]["input"]["title"], "Budget first");
    /// ```
    pub fn think(task: &Task, input: Map<String, Value>) -> Self {
        Self::reasoning(task, TaskUpdateEventType::Think, "think", input)
    }

    /// An `analyze` step, shaped as [`TaskUpdateEvent::think`] is, from the `analyze` tool
    /// (`title`, `result`, `analysis`, `confidence`, ...).
    ///
    /// ```
    /// use serde_json::json;
    /// use xpander_runtime::Task;
    /// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
    ///
    /// let task = Task::from_prompt("Plan a trip");
    /// let step = json!({"title": "Prices checked", "analysis": "Within budget"});
    /// let event = TaskUpdateEvent::analyze(&task, step.as_object().unwrap().clone());
    /// assert_eq!(event.event_type, TaskUpdateEventType::Analyze);
    /// ```
    pub fn analyze(task: &Task, input: Map<String, Value>) -> Self {
        Self::reasoning(task, TaskUpdateEventType::Analyze, "analyze", input)
    }

    fn reasoning(
        task: &Task,
        event_type: TaskUpdateEventType,
        tool: &str,
        input: Map<String, Value>,
    ) -> Self {
        Self::about(task, event_type, reasoning_data(tool, input))
    }
}

/// The payload of a think or analyze step: a call of `tool` whose payload's `input` holds the
/// step's fields.
pub(crate) fn reasoning_data(tool: &str, input: Map<String, Value>) -> Value {
    let mut input_payload = Map::new();
    input_payload.insert("input".into(), Value::Object(input));
    to_value(&ToolCallRequest::new(tool).payload(Value::Object(input_payload)))
}

impl ToolCallRequest {
    /// A call of the tool `operation_id` (also its `tool_name`), with a fresh `request_id`.
    ///
    /// ```
    /// use xpander_runtime::model::ToolCallRequest;
    ///
    /// let a = ToolCallRequest::new("search");
    /// assert_eq!(a.tool_name.as_deref(), Some("search"));
    /// assert_ne!(a.request_id, ToolCallRequest::new("search").request_id);
    /// ```
    pub fn new(operation_id: impl Into<String>) -> Self {
        let operation_id = operation_id.into();
        Self {
            request_id: uuid::Uuid::new_v4().to_string(),
            tool_name: Some(operation_id.clone()),
            operation_id,
            tool_call_id: None,
            graph_node_id: None,
            payload: None,
            reasoning: None,
            plan_task_id: None,
        }
    }

    /// The call's arguments.
    pub fn payload(mut self, payload: Value) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The LLM's id for this call.
    pub fn tool_call_id(mut self, id: impl Into<String>) -> Self {
        self.tool_call_id = Some(id.into());
        self
    }

    /// The call with what it returned; `is_error` when the tool failed.
    pub fn result(self, result: Value, is_error: bool) -> ToolCallResult {
        ToolCallResult {
            request: self,
            result: Some(result),
            is_error: Some(is_error),
            approval_request_id: None,
        }
    }
}

/// Our own event payload types always serialise; a failure would be a bug in them.
fn to_value(data: &impl serde::Serialize) -> Value {
    serde_json::to_value(data).expect("event payloads serialise to JSON")
}
