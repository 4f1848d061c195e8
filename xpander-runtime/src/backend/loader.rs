//! Loading an agent by id: a local agent (file or given) first, else the platform through the
//! process-wide cache (versioned entries never expire; the current version for a short TTL).

use std::time::Duration;

use super::agent_file::LocalAgents;
use super::cache::{self, AGENTS};
use crate::error::BackendError;
use crate::model::Agent;
use crate::{Agents, Platform};

/// How long the current version of a loaded agent is reused (a pinned version is reused for
/// good: it never changes).
pub(crate) const DEFAULT_AGENT_CACHE_TTL: Duration = Duration::from_secs(5);

/// The agent `agent_id` at `version` (`None` or 0: the current one).
pub(crate) async fn load_agent(
    platform: Option<&Platform>,
    local: &LocalAgents,
    agent_id: &str,
    version: Option<u32>,
    ttl: Duration,
) -> Result<Agent, BackendError> {
    if let Some(agent) = local.find(agent_id)? {
        return Ok(agent);
    }
    let Some(platform) = platform else {
        return Err(BackendError::no_platform(
            format!("loading agent {agent_id}"),
            "set XPANDER_API_KEY and XPANDER_ORGANIZATION_ID, or give the agent locally \
             (XPANDER_AGENT_FILE, or .agent(..))",
        ));
    };
    let version = version.filter(|v| *v != 0);
    let key = (cache::scope(platform), agent_id.to_owned(), version);
    // A pinned version never changes; the current one may, so it is kept only briefly.
    let ttl = if version.is_some() { None } else { Some(ttl) };
    let agents = Agents::new(platform.clone());
    let agent = AGENTS
        .get_or_load(key, ttl, || async {
            match version {
                Some(v) => agents.aget_version(agent_id, v).await,
                None => agents.aget(agent_id).await,
            }
        })
        .await?;
    Ok(agent.with_configuration(platform.clone()))
}
