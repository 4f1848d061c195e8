//! The agent's MCP servers, connected with rmcp for one run: streamable HTTP (with the resolved
//! headers, `Authorization` included) or a local command over stdio. Each server's tools, the
//! allowed ones only, become model tools named `{prefix}_{tool}` as Agno names them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rig_core::message::ToolName;
use rig_core::tool::{DynamicTool, ToolErrorKind, ToolExecutionError, ToolOutput};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientInfo, Tool};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::Value;
use tracing::debug;

use crate::backend::{McpConnection, McpToolSpec};
use crate::error::BackendError;
use crate::model::{ToolCallInfo, ToolKind};
use crate::tool_calls::with_hooks;

/// The MCP connections of one run; closed when the run ends.
#[derive(Default)]
pub(super) struct McpSessions {
    sessions: Vec<RunningService<RoleClient, ClientInfo>>,
}

impl McpSessions {
    /// Connects every server in `specs` and returns their tools for the model.
    pub(super) async fn connect(
        &mut self,
        specs: &[&McpToolSpec],
        task_id: &str,
    ) -> Result<Vec<DynamicTool>, BackendError> {
        let mut tools = Vec::new();
        for spec in specs {
            let failed = |message: String| BackendError::Mcp {
                server: spec.name.clone(),
                message,
            };
            let session = tokio::time::timeout(spec.call_timeout.max(CONNECT_LIMIT), open(spec))
                .await
                .map_err(|_| failed("no answer to the MCP handshake in time".into()))??;
            let listed = session
                .peer()
                .list_all_tools()
                .await
                .map_err(|e| failed(format!("listing its tools failed: {e}")))?;
            let peer = Arc::new(session.peer().clone());
            for tool in listed.into_iter().filter(|t| allowed(spec, t)) {
                tools.push(bridge(spec, tool, peer.clone(), task_id)?);
            }
            self.sessions.push(session);
        }
        Ok(tools)
    }

    /// Ends every session (a stdio server's process is stopped).
    pub(super) async fn close(self) {
        for session in self.sessions {
            if let Err(e) = session.cancel().await {
                debug!(error = %e, "an MCP session did not close cleanly");
            }
        }
    }
}

/// The least time a server gets to answer the handshake.
const CONNECT_LIMIT: Duration = Duration::from_secs(30);

async fn open(spec: &McpToolSpec) -> Result<RunningService<RoleClient, ClientInfo>, BackendError> {
    let failed = |message: String| BackendError::Mcp {
        server: spec.name.clone(),
        message,
    };
    let client = ClientInfo::default();
    match &spec.connection {
        McpConnection::Http { sse: true, url, .. } => Err(failed(format!(
            "{url} speaks the legacy SSE transport, which the Rust agent engine does not; use \
             the server's streamable HTTP endpoint"
        ))),
        McpConnection::Http {
            url,
            headers,
            timeout,
            ..
        } => {
            let mut custom = HashMap::new();
            for (name, value) in headers {
                let parsed = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(value.expose()),
                );
                let (Ok(name), Ok(mut value)) = parsed else {
                    return Err(failed(format!(
                        "the header `{name}` is not a valid HTTP header"
                    )));
                };
                value.set_sensitive(true);
                custom.insert(name, value);
            }
            let config =
                StreamableHttpClientTransportConfig::with_uri(url.as_str()).custom_headers(custom);
            let http = reqwest::Client::builder()
                .tls_backend_preconfigured(crate::platform::tls_config(&[b"h2", b"http/1.1"]))
                // The headers carry credentials: they go to this server only.
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(*timeout)
                .build()
                .map_err(|e| failed(format!("no HTTP client: {e}")))?;
            let transport = StreamableHttpClientTransport::with_client(http, config);
            client
                .serve(transport)
                .await
                .map_err(|e| failed(format!("could not connect to {url}: {e}")))
        }
        McpConnection::Stdio { command, args, env } => {
            let mut process = tokio::process::Command::new(command);
            process
                .args(args)
                .envs(env.iter().map(|(k, v)| (k, v.expose())));
            let transport = TokioChildProcess::new(process)
                .map_err(|e| failed(format!("could not start `{command}`: {e}")))?;
            client
                .serve(transport)
                .await
                .map_err(|e| failed(format!("`{command}` did not answer the MCP handshake: {e}")))
        }
    }
}

fn allowed(spec: &McpToolSpec, tool: &Tool) -> bool {
    spec.allowed_tools.is_empty() || spec.allowed_tools.iter().any(|name| name == &tool.name)
}

/// One MCP tool as a model tool: `{prefix}_{name}` for the model, the server's own name on
/// the wire.
fn bridge(
    spec: &McpToolSpec,
    tool: Tool,
    peer: Arc<rmcp::service::Peer<RoleClient>>,
    task_id: &str,
) -> Result<DynamicTool, BackendError> {
    let exposed = if spec.tool_name_prefix.is_empty() {
        tool.name.to_string()
    } else {
        format!("{}_{}", spec.tool_name_prefix, tool.name)
    };
    let name = ToolName::new(exposed.clone()).map_err(|e| BackendError::Mcp {
        server: spec.name.clone(),
        message: format!("its tool `{exposed}` cannot be offered: {e}"),
    })?;
    let description = tool.description.clone().unwrap_or_default().into_owned();
    let schema = Value::Object(tool.input_schema.as_ref().clone());
    let (server, limit) = (spec.name.clone(), spec.call_timeout);
    let task_id = task_id.to_owned();
    Ok(DynamicTool::new(
        name,
        description,
        schema,
        move |arguments: Value| {
            let (peer, server, wire_name) = (peer.clone(), server.clone(), tool.name.clone());
            let mut info = ToolCallInfo::new(exposed.clone(), ToolKind::Mcp, arguments.clone());
            info.task_id = Some(task_id.clone());
            Box::pin(async move {
                let mut request = CallToolRequestParams::new(wire_name);
                request.arguments = match arguments {
                    Value::Object(map) => Some(map),
                    Value::Null => None,
                    other => {
                        return Err(ToolExecutionError::new(
                            ToolErrorKind::InvalidArgs,
                            format!("arguments must be a JSON object, not {other}"),
                        ));
                    }
                };
                let calling = async {
                    match tokio::time::timeout(limit, peer.call_tool(request)).await {
                        Err(_) => Err(format!(
                            "MCP server {server} did not answer within {limit:?}"
                        )),
                        Ok(Err(e)) => Err(format!("MCP server {server}: {e}")),
                        Ok(Ok(result)) => output(result),
                    }
                };
                match with_hooks(&info, calling).await {
                    Ok(Value::String(text)) => Ok(ToolOutput::text(text)),
                    Ok(json) => Ok(ToolOutput::json(json)),
                    Err(message) => Err(ToolExecutionError::new(ToolErrorKind::Other, message)),
                }
            })
        },
    ))
}

/// A tool result for the model: its structured content, else its text blocks (JSON when they
/// read as an object or array); an error result is a failed call the model still sees.
fn output(result: CallToolResult) -> Result<Value, String> {
    let text = match &result.structured_content {
        Some(structured) => structured.to_string(),
        None => result
            .content
            .iter()
            .map(|block| match block.as_text() {
                Some(text) => text.text.clone(),
                None => serde_json::to_string(block).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    if result.is_error == Some(true) {
        return Err(text);
    }
    Ok(match serde_json::from_str::<Value>(&text) {
        Ok(json) if json.is_object() || json.is_array() => json,
        _ => Value::String(text),
    })
}
