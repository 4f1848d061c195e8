//! Syncing the `#[register_tool]` local tools marked `add_to_graph` into each served agent's
//! graph (`PATCH /agents/{id}/sync_local_tools`), as the Python SDK does when it loads an agent
//! that has such tools. A failure is logged with what to do; the worker serves on.

use serde_json::{Value, json};
use tracing::{info, warn};

use crate::Platform;
use crate::platform::routes::SyncLocalTools;
use crate::registry::{self, LocalTool};

/// The tool as the platform takes it (the Python SDK's tool dump).
fn dump(tool: &LocalTool) -> Value {
    json!({
        "id": tool.name(),
        "name": tool.name(),
        "method": "POST",
        "path": format!("/tools/{}", tool.name()),
        "description": tool.description(),
        "parameters": tool.parameters(),
        "is_local": true,
        "is_synced": false,
        "should_add_to_graph": true,
    })
}

/// Syncs the local tools marked `add_to_graph` to `agent_id`; nothing when there are none.
pub(crate) async fn sync(platform: &Platform, agent_id: &str) {
    let tools: Vec<Value> = registry::local_tools()
        .iter()
        .filter(|tool| tool.add_to_graph())
        .map(|tool| dump(tool))
        .collect();
    if tools.is_empty() {
        return;
    }
    match platform
        .send(SyncLocalTools {
            agent_id,
            tools: &tools,
        })
        .await
    {
        Ok(_) => info!(
            agent_id,
            tools = tools.len(),
            "local tools synced to the agent's graph"
        ),
        Err(e) => warn!(
            agent_id, error = %e,
            "could not sync the local tools to the agent's graph; the agent still gets them \
             in this process. Check that the API key may edit the agent, or drop \
             `add_to_graph = true`"
        ),
    }
}
