//! The platform reads a resolution makes besides the agent and MCP logins: the organization's
//! default LLM headers, the agent's session database and the task's current plan. Offline
//! (no platform) each is empty.

use std::time::Duration;

use serde_json::{Map, Value};
use tracing::warn;

use crate::backend::cache::{self, AGENT_DBS, ORG_LLM_HEADERS};
use crate::error::BackendError;
use crate::model::{Agent, DeepPlanning, Task};
use crate::platform::routes::{GetAgentDb, GetOrgLlmHeaders};
use crate::{Error, Platform, Tasks};

/// The organization's default LLM headers are cached this long per tenant.
const ORG_HEADERS_TTL: Duration = Duration::from_secs(60);
/// An agent's database connection is cached this long.
const DB_TTL: Duration = Duration::from_secs(60);

/// `GET /metadata/default_llm_extra_headers`, cached 60 s per tenant; `{}` offline.
pub(super) async fn org_headers(
    platform: Option<&Platform>,
) -> Result<Map<String, Value>, BackendError> {
    let Some(platform) = platform else {
        return Ok(Map::new());
    };
    let headers = ORG_LLM_HEADERS
        .get_or_load(cache::scope(platform), Some(ORG_HEADERS_TTL), || async {
            let answer = platform.send(GetOrgLlmHeaders).await?;
            Ok::<_, Error>(match answer {
                Value::Object(map) => map,
                _ => Map::new(),
            })
        })
        .await
        .map_err(BackendError::Platform)?;
    Ok(headers)
}

/// The session database's URI (`GET /agents/{id}/db`), when session storage is on and a
/// platform is configured. A 404 (no database for the agent) leaves sessions unpersisted,
/// with a warning.
pub(super) async fn session_db_uri(
    platform: Option<&Platform>,
    agent: &Agent,
) -> Result<Option<String>, BackendError> {
    let Some(platform) = platform.filter(|_| agent.agno_settings.session_storage) else {
        return Ok(None);
    };
    let key = (cache::scope(platform), agent.id.clone());
    let uri = AGENT_DBS
        .get_or_load(key, Some(DB_TTL), || async {
            match platform.send(GetAgentDb { agent_id: &agent.id }).await {
                Ok(answer) => Ok(answer
                    .pointer("/connection_uri/uri")
                    .and_then(Value::as_str)
                    .map(str::to_owned)),
                Err(e) if e.status() == Some(404) => {
                    warn!(agent_id = %agent.id, "the platform has no session database for this agent; session history will not persist");
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(uri)
}

/// The platform's copy of the task's plan, when it has items (the gateway may have seeded it
/// after dispatch); `None` means the task's own copy holds. A failed read is logged, not
/// raised.
pub(super) async fn fresh_plan(platform: Option<&Platform>, task: &Task) -> Option<DeepPlanning> {
    let platform = platform.filter(|_| !task.id.is_empty())?;
    match Tasks::new(platform.clone()).aget(&task.id).await {
        Ok(fresh) if !fresh.deep_planning.tasks.is_empty() => Some(fresh.deep_planning),
        Ok(_) => None,
        Err(e) => {
            warn!(task_id = %task.id, error = %e, "could not refresh the task's plan; using the local copy");
            None
        }
    }
}
