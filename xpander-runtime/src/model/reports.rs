//! Reports sent to the platform: external task runs and execution metrics.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::decode::{null_default, wire_default};
use super::tokens::{ExecutionTokens, Tokens};

/// The body of `POST /agent-execution/{agent_id}/report_task`: a run that happened outside
/// the platform. Every key is sent.
///
/// ```
/// use xpander_runtime::model::{TaskReportRequest, Tokens};
///
/// let report = TaskReportRequest {
///     id: Some("x".into()),
///     input: Some("in".into()),
///     tokens: Some(Tokens::new(2, 1)),
///     duration: 1.5,
///     ..Default::default()
/// };
/// let wire = serde_json::to_value(&report).unwrap();
/// assert_eq!(wire["is_success"], true);
/// assert_eq!(wire["tokens"]["total_tokens"], 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReportRequest {
    /// The task id to record (a fresh UUID is a good choice).
    #[serde(default)]
    pub id: Option<String>,
    /// The input the run was given.
    #[serde(default)]
    pub input: Option<String>,
    /// The raw LLM response, any JSON.
    #[serde(default)]
    pub llm_response: Option<Value>,
    /// Tokens used.
    #[serde(default)]
    pub tokens: Option<Tokens>,
    /// Whether the run succeeded.
    #[serde(default = "yes", deserialize_with = "yes_if_null")]
    pub is_success: bool,
    /// The result.
    #[serde(default)]
    pub result: Option<String>,
    /// How long it ran, in seconds.
    #[serde(default, deserialize_with = "null_default")]
    pub duration: f64,
    /// Tools it used.
    #[serde(default, deserialize_with = "null_default")]
    pub used_tools: Vec<String>,
}

wire_default! {
    yes, yes_if_null: bool = true;
}

impl Default for TaskReportRequest {
    fn default() -> Self {
        Self {
            id: None,
            input: None,
            llm_response: None,
            tokens: None,
            is_success: true,
            result: None,
            duration: 0.0,
            used_tools: Vec::new(),
        }
    }
}

/// The body of `POST /agents-metrics/{agent_id}/execution`: what a task cost.
/// Every key is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionMetricsReport {
    /// The task id.
    pub execution_id: String,
    /// The task's source (required by the platform).
    pub source: String,
    /// Sub-executions (always empty from a worker).
    #[serde(default, deserialize_with = "null_default")]
    pub sub_executions: Vec<String>,
    /// The memory thread (the task id).
    pub memory_thread_id: String,
    /// The task's prompt.
    pub task: String,
    /// Who triggered it (`N/A`).
    #[serde(default)]
    pub triggered_by: Option<String>,
    /// Skills used (always empty from a worker).
    #[serde(default, deserialize_with = "null_default")]
    pub skills: Vec<String>,
    /// The task's final status.
    pub status: String,
    /// The task's internal status.
    #[serde(default)]
    pub internal_status: Option<String>,
    /// How long the handler ran, in seconds.
    pub duration: f64,
    /// The model that served the task, lower-cased, or `xpander` when unknown.
    pub ai_model: String,
    /// The worker.
    #[serde(default)]
    pub worker: Option<String>,
    /// Legacy id.
    #[serde(default)]
    pub ai_employee_id: Option<String>,
    /// Tools used.
    #[serde(default)]
    pub api_calls_made: Option<Vec<Value>>,
    /// The task's result.
    pub result: Option<String>,
    /// Token counts.
    #[serde(default)]
    pub llm_tokens: Option<ExecutionTokens>,
}
