//! Agno's tools (`Function`, `MCPTools`, `ReasoningTools`) and guardrail hooks.

use serde_json::{Map, Value, json};

use super::duration::seconds;
use crate::backend::args::{Guardrail, McpConnection, ToolSpec};
use crate::backend::frameworks::options::Secrets;

pub(super) fn tool(spec: &ToolSpec, secrets: Secrets) -> Value {
    match spec {
        ToolSpec::Platform(tool) => json!({
            "class": "Function",
            "name": tool.id,
            "description": tool.description,
            "parameters": tool.parameters,
        }),
        ToolSpec::Mcp(mcp) => {
            let (transport, params) = match &mcp.connection {
                McpConnection::Stdio { command, args, env } => (
                    "stdio",
                    json!({"command": command, "args": args, "env": secrets.headers(env)}),
                ),
                McpConnection::Http {
                    url,
                    sse,
                    headers,
                    timeout,
                } => (
                    if *sse { "sse" } else { "streamable-http" },
                    json!({
                        "url": url,
                        "headers": secrets.headers(headers),
                        "timeout": seconds(*timeout),
                        "sse_read_timeout": seconds(*timeout),
                    }),
                ),
            };
            json!({
                "class": "MCPTools",
                "name": mcp.name,
                "transport": transport,
                "server_params": params,
                "include_tools": if mcp.allowed_tools.is_empty() { Value::Null } else { json!(mcp.allowed_tools) },
                "timeout_seconds": seconds(mcp.call_timeout),
                "tool_name_prefix": mcp.tool_name_prefix,
            })
        }
        ToolSpec::Reasoning => json!({
            "class": "ReasoningTools",
            "enable_think": true,
            "enable_analyze": true,
            "add_instructions": true,
            "add_few_shot": true,
        }),
        ToolSpec::Local(local) => json!({
            "class": "Function",
            "name": local.name,
            "description": local.description,
            "parameters": local.parameters,
            "is_local": true,
        }),
        ToolSpec::Custom(custom) => json!({
            "class": "Function",
            "name": custom.name,
            "description": custom.description,
            "parameters": custom.parameters,
        }),
    }
}

pub(super) fn guardrail(guardrail: &Guardrail, secrets: Secrets) -> Value {
    match guardrail {
        Guardrail::PiiDetection { mask } => {
            json!({"class": "PIIDetectionGuardrail", "mask_pii": mask})
        }
        Guardrail::PromptInjection => json!({"class": "PromptInjectionGuardrail"}),
        Guardrail::OpenAiModeration {
            api_key,
            categories,
        } => {
            let mut g = Map::new();
            g.insert("class".into(), json!("OpenAIModerationGuardrail"));
            if let Some(key) = api_key {
                g.insert("api_key".into(), secrets.show(key));
            }
            if let Some(categories) = categories {
                g.insert("raise_for_categories".into(), json!(categories));
            }
            Value::Object(g)
        }
    }
}
