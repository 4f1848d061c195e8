//! The Backend against the devserver over loopback: every example of the Backend docs
//! (`shared/seeds/000`–`003`) in Rust, the agent cache, offline resolution, tool invocation
//! and secrecy. Auth events are in `backend_auth.rs` (their `#[on_auth_event]` hooks are
//! process-wide), the comparison with the Python SDK in `backend_parity.rs`.

mod args;
mod calls;
mod offline;
mod services;
#[path = "../support/mod.rs"]
mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, ErrorFault, Faults};
use xpander_runtime::backend::{
    BackendError, CustomTool, PlatformTool, ToolSpec, dispatch_get_args,
};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, TaskReportRequest, Tokens, User};
use xpander_runtime::{Agents, Backend, Configuration, Task};

const OPENAI_KEY: &str = "sk-backend-test-openai";

fn agent_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Agent {id}"),
        "model_provider": "openai",
        "model_name": "gpt-4.1",
        "instructions": {"role": ["Be helpful"], "goal": ["Answer"], "general": "A test agent."},
        "llm_extra_headers": {"x-agent": "agent-header-secret"},
        "agno_settings": {"session_storage": false},
        "tools": [{
            "id": "lookup-order", "name": "Lookup order", "method": "POST",
            "path": "/tools/lookup-order", "description": "Looks an order up.",
            "parameters": {"type": "object", "properties": {"body_params": {"type": "object"}}},
        }],
    })
}

async fn start(agents: Vec<Value>) -> DevServerHandle {
    let mut options = DevServerOptions::default()
        .llm_extra_headers(json!({"x-org": "org-header"}).as_object().unwrap().clone())
        .tool_response(
            "lookup-order",
            json!({"status": "shipped", "internal": "hidden"}),
        );
    for agent in agents {
        options = options.agent(agent);
    }
    DevServer::start(options).await.unwrap()
}

fn config(server: &DevServerHandle) -> Configuration {
    server.configuration().build().unwrap()
}

fn backend_for(config: Configuration) -> Backend {
    Backend::builder()
        .configuration(config)
        .env_lookup(|name| (name == "OPENAI_API_KEY").then(|| OPENAI_KEY.to_owned()))
        .build()
}

async fn count(server: &DevServerHandle, method: &str, path: &str) -> usize {
    server
        .requests()
        .await
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn ada() -> User {
    User {
        first_name: Some("Ada".into()),
        ..User::new("ada@example.com").with_id("user-1")
    }
}

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/agents")
        .join(name)
}
