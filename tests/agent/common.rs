//! What the agent tests share: an agent on the devserver's scripted LLM, a worker that runs it.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions};
use xpander_runtime::backend::BackendError;
use xpander_runtime::model::CreateTaskRequest;
use xpander_runtime::{Backend, Configuration, Events, EventsHandle, Handler, Task};

pub const LIMIT: Duration = Duration::from_secs(30);
pub const LLM_KEY: &str = "sk-agent-llm-key-7f3a";

/// An agent on the devserver whose model is the scripted LLM (per-agent route), with one
/// platform tool and, when given, one MCP server.
pub fn agent(ds: &DevServerHandle, id: &str, mcp: Option<Value>) -> Value {
    let mut agent = json!({
        "id": id, "name": "Weather Agent", "model_provider": "openai", "model_name": "gpt-4.1",
        "llm_api_base": format!("{}/_dev/llm/agents/{id}/openai/v1", ds.base_url()),
        "llm_credentials": {"name": "scripted", "value": LLM_KEY},
        "llm_extra_headers": {"x-team": "forecasts"},
        "instructions": {"role": ["Answer briefly"], "goal": ["Give the weather"], "general": "A weather helper"},
        "expected_output": "One sentence.",
        "agno_settings": {"session_storage": false},
        "tools": [{
            "id": "weather_lookup", "name": "Weather lookup", "method": "POST",
            "path": "/tools/weather_lookup", "description": "Looks up the weather of a city.",
            "parameters": {"type": "object", "properties": {"body_params": {
                "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]
            }}}
        }],
    });
    if let Some(settings) = mcp {
        agent["graph"] = json!([{
            "id": "node-mcp", "item_id": "mcp-local", "type": "mcp", "targets": [],
            "settings": {"mcp_settings": settings},
        }]);
    }
    agent
}

pub async fn start(agents: Vec<Value>) -> DevServerHandle {
    let mut options = DevServerOptions::default();
    for agent in agents {
        options = options.agent(agent);
    }
    DevServer::start(options).await.unwrap()
}

pub fn config(ds: &DevServerHandle) -> Configuration {
    ds.configuration().build().unwrap()
}

/// A worker whose handler runs the platform's agent: the README's handler, in code.
pub fn serve(ds: &DevServerHandle, agent_id: &str) -> EventsHandle {
    let backend = Backend::new(config(ds));
    let handler = Handler::new(move |mut task: Task| {
        let backend = backend.clone();
        async move {
            let agent = backend.aget_agent().for_task(&mut task).await?;
            agent.run(&mut task).await?;
            Ok::<_, BackendError>(task)
        }
    });
    Events::new()
        .configuration(config(ds))
        .invoke_server(false)
        .register_agent_worker(agent_id, handler)
        .spawn()
        .unwrap()
}

pub async fn run_task(ds: &DevServerHandle, agent_id: &str, request: CreateTaskRequest) -> Task {
    let task = ds.create_task(agent_id, request).await.unwrap();
    ds.wait_for_task(&task.id, LIMIT, |t| t.status.is_terminal())
        .await
        .expect("the task ends in time")
}
