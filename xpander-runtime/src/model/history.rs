//! Task history listings: the filters sent and the summaries answered.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AgentExecutionStatus, ConversationKind, Timestamp};

/// Filters for [`Tasks::alist`](crate::Tasks::alist); unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilters {
    /// Only this user's tasks.
    pub user_id: Option<String>,
    /// Only sub-tasks of this task.
    pub parent_task_id: Option<String>,
    /// Only tasks triggered by this agent.
    pub triggering_agent_id: Option<String>,
    /// Only tasks in this status.
    pub status: Option<AgentExecutionStatus>,
    /// Only tasks in this internal status.
    pub internal_status: Option<String>,
}

/// An element of a task history listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Task id.
    pub id: String,
    /// The agent.
    pub agent_id: String,
    /// The organization.
    pub organization_id: String,
    /// Status.
    pub status: AgentExecutionStatus,
    /// The user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The parent task.
    #[serde(default)]
    pub parent_task_id: Option<String>,
    /// The triggering agent.
    #[serde(default)]
    pub triggering_agent_id: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last updated.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// The source node type.
    #[serde(default)]
    pub source_node_type: Option<String>,
    /// The result.
    #[serde(default)]
    pub result: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The kind of execution.
    #[serde(default)]
    pub execution_kind: Option<String>,
    /// Process state.
    #[serde(default)]
    pub process: Option<Map<String, Value>>,
    /// Conversation shape.
    #[serde(default)]
    pub conversation_kind: Option<ConversationKind>,
    /// Keys this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
