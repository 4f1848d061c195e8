//! Agents: reading seeded agent JSON (lenient about what the platform would fill in), the demo
//! agent, and the `GET /agents/list` summaries.

use serde_json::{Value, json};
use xpander_runtime::model::{
    Agent, AgentSummary, Timestamp, decode_value, fill_platform_defaults,
};

use crate::error::ApiError;

/// The id of the agent seeded when no other is given.
///
/// ```
/// assert_eq!(xpander_devserver::DEMO_AGENT_ID, "demo-agent");
/// ```
pub const DEMO_AGENT_ID: &str = "demo-agent";

/// The demo agent's LLM key: a placeholder the scripted LLM accepts like any other.
const DEMO_LLM_KEY: &str = "devserver-scripted-llm";

/// What the scripted LLM answers the demo agent until a script says otherwise.
///
/// ```
/// assert!(xpander_devserver::DEMO_ANSWER.contains("--llm-script"));
/// ```
pub const DEMO_ANSWER: &str = "Hello from xpander-devserver's scripted LLM. Give it a \
    script (--llm-script FILE, or POST /_dev/llm/scripts) to answer otherwise or call tools.";

/// Reads an agent JSON object, filling in what the platform would: `organization_id` (this
/// server's), `unique_name` (from the name), `framework` (`agno`), `model_provider` (`openai`),
/// `model_name` (`gpt-4.1`) and `created_at` (now). A problem names its JSON path.
pub(crate) fn agent_from_json(what: &str, mut value: Value, org: &str) -> Result<Agent, ApiError> {
    let Some(map) = value.as_object_mut() else {
        return Err(ApiError::bad_request(format!(
            "{what}: an agent must be a JSON object"
        )));
    };
    fill_platform_defaults(map, org);
    let mut fill = |key: &str, default: Value| {
        if map.get(key).is_none_or(Value::is_null) {
            map.insert(key.to_owned(), default);
        }
    };
    fill("model_provider", json!("openai"));
    fill("model_name", json!("gpt-4.1"));
    fill("created_at", json!(Timestamp::now()));
    let agent: Agent = decode_value(what, value)?;
    if agent.id.is_empty() || agent.id.contains(['/', '?', '#', '%']) {
        return Err(ApiError::bad_request(format!(
            "{what}: id: {:?} is not a usable agent id",
            agent.id
        )));
    }
    Ok(agent)
}

/// The demo agent: a plain Agno agent with session storage off, so a Python client does not
/// ask for a database. Its model is this server's scripted LLM (`base_url`), so a worker that
/// runs the agent works offline.
pub(crate) fn demo_agent(org: &str, base_url: &str) -> Agent {
    let value = json!({
        "id": DEMO_AGENT_ID,
        "organization_id": org,
        "name": "Demo Agent",
        "unique_name": "demo-agent",
        "description": "An agent served by xpander-devserver for local development.",
        "framework": "agno",
        "model_provider": "openai",
        "model_name": "gpt-4.1",
        "llm_api_base": format!("{base_url}/_dev/llm/agents/{DEMO_AGENT_ID}/openai/v1"),
        "llm_credentials": {"name": "devserver", "value": DEMO_LLM_KEY},
        "instructions": {
            "role": ["You are a helpful assistant."],
            "goal": ["Answer the user's request."],
            "general": "A demo agent served by xpander-devserver.",
        },
        "agno_settings": {"session_storage": false},
        "created_at": Timestamp::now(),
    });
    decode_value("demo agent", value).expect("the demo agent is a valid agent")
}

/// The `GET /agents/list` element of an agent.
pub(crate) fn summary(agent: &Agent, fallback_created_at: &Timestamp) -> AgentSummary {
    AgentSummary {
        id: agent.id.clone(),
        name: agent.name.clone(),
        icon: agent.icon.clone(),
        instructions: agent.instructions.clone(),
        status: agent.status.clone(),
        organization_id: agent.organization_id.clone(),
        created_at: agent
            .created_at
            .clone()
            .unwrap_or_else(|| fallback_created_at.clone()),
        description: agent.description.clone(),
        access_scope: agent.access_scope.clone(),
        created_by: agent.created_by.clone(),
        agent_type: agent.agent_type.clone(),
        extra: Default::default(),
    }
}

/// An agent as `GET /agents/{id}` answers it: top-level `null`s are left out, since the Python
/// SDK reads an absent key as its default but rejects `null` for some (`environment_id`,
/// `access_scope`, `graph`).
pub(crate) fn agent_json(agent: &Agent) -> Value {
    let mut value = serde_json::to_value(agent).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_what_the_platform_would() {
        let agent =
            agent_from_json("agent", json!({"id": "a1", "name": "My Agent!"}), "org").unwrap();
        assert_eq!(agent.unique_name, "my-agent");
        assert_eq!(agent.organization_id, "org");
        let err = agent_from_json("agents[0]", json!({"name": "x"}), "org").unwrap_err();
        assert_eq!(err.message, "agents[0]: id: missing field");
        assert!(agent_from_json("a", json!([]), "o").is_err());
    }

    #[test]
    fn demo_agent_is_valid() {
        let agent = demo_agent("o", "http://127.0.0.1:1");
        assert!(!agent.agno_settings.session_storage);
        assert_eq!(summary(&agent, &Timestamp::now()).id, DEMO_AGENT_ID);
    }
}
