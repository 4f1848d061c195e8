//! Agents read from a local JSON file (`XPANDER_AGENT_FILE`) or given in code: resolving args
//! for them needs no platform.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::error::BackendError;
use crate::model::{Agent, decode_value, fill_platform_defaults};

/// Where local agents come from.
#[derive(Debug, Clone, Default)]
pub(crate) enum LocalAgents {
    /// None.
    #[default]
    None,
    /// A JSON file holding one agent object or an array of them, read on each use so edits
    /// show up without a restart.
    File(PathBuf),
    /// Agents given in code.
    Given(Arc<Vec<Agent>>),
}

impl LocalAgents {
    /// The agents, first one first.
    pub fn load(&self) -> Result<Vec<Agent>, BackendError> {
        match self {
            Self::None => Ok(Vec::new()),
            Self::Given(agents) => Ok(agents.as_ref().clone()),
            Self::File(path) => read(path),
        }
    }

    /// The agent with this id, if a local one has it.
    pub fn find(&self, agent_id: &str) -> Result<Option<Agent>, BackendError> {
        match self {
            Self::Given(agents) => Ok(agents.iter().find(|a| a.id == agent_id).cloned()),
            _ => Ok(self.load()?.into_iter().find(|a| a.id == agent_id)),
        }
    }

    /// The first local agent (the one used when no id is given).
    pub fn first(&self) -> Result<Option<Agent>, BackendError> {
        match self {
            Self::Given(agents) => Ok(agents.first().cloned()),
            _ => Ok(self.load()?.into_iter().next()),
        }
    }
}

fn read(path: &Path) -> Result<Vec<Agent>, BackendError> {
    let shown = path.display().to_string();
    let fail = |message: String| BackendError::AgentFile {
        path: shown.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| fail(format!("not valid JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => {
            return Err(fail(
                "expected an agent object or an array of agents".into(),
            ));
        }
    };
    if items.is_empty() {
        return Err(fail("the array holds no agent".into()));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let item = with_local_defaults(item);
            decode_value::<Agent>(&format!("agent {i}"), item).map_err(|e| fail(e.to_string()))
        })
        .collect()
}

/// Fills what the platform would have; the organization is `XPANDER_ORGANIZATION_ID` (or
/// `local-org`).
fn with_local_defaults(mut item: Value) -> Value {
    if let Some(map) = item.as_object_mut() {
        let org = std::env::var("XPANDER_ORGANIZATION_ID")
            .ok()
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| "local-org".into());
        fill_platform_defaults(map, &org);
    }
    item
}
