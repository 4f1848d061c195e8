//! A real MCP server for the tests: rmcp's streamable HTTP service on loopback with two tools,
//! `add` (open) and `private_note` (needs `Authorization: Bearer <token>` with a token the
//! devserver's OAuth simulation issued). It records the `Authorization` header of every call.

#![allow(dead_code)] // shared by the agent and tools tests, which use different parts

use std::sync::{Arc, Mutex};

use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerInfo};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

#[derive(Deserialize, schemars::JsonSchema)]
struct AddRequest {
    /// The first number.
    a: i64,
    /// The second number.
    b: i64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NoteRequest {
    /// What the note is about.
    topic: String,
}

#[derive(Clone)]
struct Tools {
    token_prefix: String,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

#[tool_router]
impl Tools {
    #[tool(description = "Adds two integers")]
    async fn add(
        &self,
        Extension(parts): Extension<http::request::Parts>,
        Parameters(AddRequest { a, b }): Parameters<AddRequest>,
    ) -> String {
        self.record(&parts);
        (a + b).to_string()
    }

    #[tool(description = "Reads the user's private note about a topic")]
    async fn private_note(
        &self,
        Extension(parts): Extension<http::request::Parts>,
        Parameters(NoteRequest { topic }): Parameters<NoteRequest>,
    ) -> Result<CallToolResult, ErrorData> {
        let auth = self.record(&parts);
        let bearer = format!("Bearer {}", self.token_prefix);
        if !auth.is_some_and(|auth| auth.starts_with(&bearer)) {
            return Ok(CallToolResult::error(vec![ContentBlock::text(
                "unauthorized",
            )]));
        }
        Ok(CallToolResult::success(vec![ContentBlock::text(format!(
            "note about {topic}: remember the milk"
        ))]))
    }
}

impl Tools {
    fn record(&self, parts: &http::request::Parts) -> Option<String> {
        let auth = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.seen.lock().unwrap().push(auth.clone());
        auth
    }
}

#[tool_handler]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// A running MCP server; it stops when dropped.
pub struct McpServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Option<String>>>>,
    stop: CancellationToken,
}

impl McpServer {
    /// Serves at `http://127.0.0.1:<port>/mcp`; `private_note` wants a Bearer token starting
    /// with the devserver's prefix.
    pub async fn start() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = CancellationToken::new();
        let tools = Tools {
            token_prefix: "devserver-mcp-".to_owned(),
            seen: seen.clone(),
        };
        let config =
            StreamableHttpServerConfig::default().with_cancellation_token(stop.child_token());
        let service = StreamableHttpService::new(
            move || Ok(tools.clone()),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        let app = axum::Router::new().nest_service("/mcp", service);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let shutdown = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { shutdown.cancelled().await })
                .await;
        });
        Self { url, seen, stop }
    }

    /// The `Authorization` header of each tool call, in order.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for McpServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
