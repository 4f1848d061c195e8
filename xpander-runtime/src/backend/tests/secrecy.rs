//! Secrets (LLM keys, header values, MCP tokens) never reach logs, `Debug` or errors, and
//! reach a rendering only when asked.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Map, json};

use crate::backend::agent_file::LocalAgents;
use crate::backend::env::Env;
use crate::backend::frameworks::{AgnoAdapter, FrameworkAdapter, RenderOptions, Secrets};
use crate::backend::resolve::{ResolveContext, resolve};
use crate::error::BackendError;
use crate::model::{Agent, Task};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of a resolution (at TRACE), its args' Debug and its error: no secret in any.
#[test]
fn secrets_stay_out_of_logs_debug_and_errors() {
    let agent: Agent = serde_json::from_value(json!({
        "id": "a", "organization_id": "o", "name": "n", "unique_name": "n", "framework": "agno",
        "model_provider": "openai", "model_name": "gpt-4.1",
        "llm_credentials": {"name": "k", "value": "sk-secret-credential"},
        "llm_extra_headers": {"x-key": "secret-header-value"},
        "graph": [
            {"id": "g1", "item_id": "m1", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                "name": "Given", "url": "https://given.example/mcp", "auth_type": "oauth2"}}},
            {"id": "g2", "item_id": "m2", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                "name": "Keyed", "url": "https://keyed.example/mcp", "auth_type": "api_key",
                "api_key": "secret-mcp-key", "client_secret": "secret-client"}}},
            {"id": "g3", "item_id": "m3", "type": "mcp", "targets": [], "settings": {"mcp_settings": {
                "name": "Login", "url": "https://login.example/mcp", "auth_type": "oauth2"}}},
        ],
    }))
    .unwrap();
    let mut task = Task::from_prompt("hi");
    task.input.user = Some(crate::model::User::new("u@x.io").with_id("u1"));
    task.user_tokens = Some(serde_json::from_value(json!({"g1": "secret-user-token"})).unwrap());
    let env = Env::from_fn(|n| (n == "OPENAI_API_KEY").then(|| "sk-secret-env".to_owned()));
    let local = LocalAgents::None;
    let overrides = Map::new();
    let ctx = ResolveContext::new(None, &env, &local, &overrides);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (failed, built) = tracing::subscriber::with_default(subscriber, || {
        let failed = runtime.block_on(resolve(&ctx, &agent, Some(&task), false));
        let mut no_login = agent.clone();
        no_login.graph.truncate(2);
        let built = runtime.block_on(resolve(&ctx, &no_login, Some(&task), false));
        (failed, built)
    });
    let error = failed.unwrap_err();
    assert!(
        matches!(error, BackendError::McpAuthUnavailable { .. }),
        "{error}"
    );
    let args = built.unwrap();
    let rendered =
        serde_json::Value::Object(AgnoAdapter.render(&args, RenderOptions::new(Secrets::Redact)));
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("agent args resolved"), "{logs}");
    let shown = format!("{logs}\n{error}\n{error:?}\n{args:?}\n{rendered}");
    for secret in [
        "sk-secret-credential",
        "secret-header-value",
        "secret-user-token",
        "secret-mcp-key",
        "secret-client",
        "sk-secret-env",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked:\n{shown}");
    }
    let revealed = AgnoAdapter.render(&args, RenderOptions::new(Secrets::Reveal));
    let revealed = serde_json::Value::Object(revealed).to_string();
    assert!(
        revealed.contains("Bearer secret-user-token") && revealed.contains("Bearer secret-mcp-key")
    );
}
