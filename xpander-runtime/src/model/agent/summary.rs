//! [`AgentSummary`]: an agent as `GET /agents/list` lists it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::defaults::default_access_scope;
use super::enums::{AccessScope, AgentStatus, AgentType};
use super::settings::AgentInstructions;
use crate::model::time::Timestamp;

/// An agent as listed by `GET /agents/list`.
///
/// ```
/// use xpander_runtime::model::{AccessScope, AgentStatus, AgentSummary};
///
/// let s: AgentSummary = serde_json::from_value(serde_json::json!({
///     "id": "a1", "name": "Support bot", "icon": "🤖", "instructions": {},
///     "status": "ACTIVE", "organization_id": "o1", "created_at": "2026-01-01T00:00:00Z",
/// }))
/// .unwrap();
/// assert_eq!(s.status, AgentStatus::Active);
/// assert_eq!(s.access_scope, Some(AccessScope::Organizational));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSummary {
    /// The agent id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The icon.
    pub icon: String,
    /// The instructions.
    pub instructions: AgentInstructions,
    /// The status.
    pub status: AgentStatus,
    /// The owning organization.
    pub organization_id: String,
    /// When the agent was created.
    pub created_at: Timestamp,
    /// A free-text description.
    pub description: Option<String>,
    /// Who can see the agent.
    #[serde(default = "default_access_scope")]
    pub access_scope: Option<AccessScope>,
    /// The user who created the agent.
    pub created_by: Option<String>,
    /// What kind of agent this is.
    #[serde(rename = "type")]
    pub agent_type: Option<AgentType>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
