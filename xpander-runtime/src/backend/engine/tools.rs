//! The agent's platform tools and reasoning tools as model tools: each call invokes the
//! platform tool for the task (`x-execution-id`, a fresh `x-tool-call-id`, the task's payload
//! extension merged), or reports a think/analyze step.

use std::sync::Arc;

use rig_core::message::ToolName;
use rig_core::tool::{DynamicTool, ToolErrorKind, ToolExecutionError, ToolOutput};
use serde_json::{Map, Value, json};

use crate::TaskStream;
use crate::backend::{AgentArgs, LocalToolSpec, PlatformTool, ToolSpec};
use crate::error::BackendError;
use crate::model::{ToolCallInfo, ToolKind};
use crate::tool_calls::{call_local, with_hooks};

/// The reasoning tools' names: their calls are think/analyze steps, not tool calls.
pub(super) const REASONING_TOOLS: [&str; 2] = ["think", "analyze"];

/// The model tools for every platform, reasoning and custom tool of `args` (MCP servers are
/// connected apart).
pub(super) fn local_tools(
    args: &AgentArgs,
    task_id: &str,
    extension: &Value,
    stream: &TaskStream,
) -> Result<Vec<DynamicTool>, BackendError> {
    let mut tools = Vec::new();
    for spec in &args.tools {
        match spec {
            ToolSpec::Platform(tool) => tools.push(platform_tool(tool, task_id, extension)?),
            ToolSpec::Reasoning => tools.extend(reasoning_tools(stream)?),
            ToolSpec::Local(local) => tools.push(local_tool(local, task_id)?),
            ToolSpec::Custom(custom) => {
                return Err(BackendError::Usage(format!(
                    "the tool `{}` was passed as a schema only: the agent engine runs only tools \
                     it can call (the agent's platform tools and MCP servers)",
                    custom.name
                )));
            }
            _ => {}
        }
    }
    Ok(tools)
}

fn name(name: &str) -> Result<ToolName, BackendError> {
    ToolName::new(name.to_owned())
        .map_err(|e| BackendError::AgentRun(format!("the tool name `{name}` cannot be used: {e}")))
}

/// The HTTP containers every platform tool call has, empty unless the tool describes them.
const CONTAINERS: [&str; 3] = ["body_params", "query_params", "path_params"];

/// What the model sees of a platform tool: as the Python SDK shows it, one `payload` argument
/// holding `body_params`, `query_params` and `path_params` (each may be left out), so a model
/// calls it the same way from either SDK. Unlike the Python SDK, the containers keep the
/// tool's own schema (Python offers them as free-form objects, so the model cannot see which
/// fields a tool needs).
fn payload_schema(tool: &PlatformTool) -> Value {
    let mut payload = match &tool.parameters {
        Value::Object(schema) => schema.clone(),
        _ => Map::new(),
    };
    payload.insert("type".into(), json!("object"));
    payload.insert(
        "description".into(),
        json!("All of the call's arguments: its body, query and path parameters."),
    );
    let mut properties: Map<String, Value> = match payload.remove("properties") {
        Some(Value::Object(properties)) => properties
            .into_iter()
            .filter(|(name, _)| !name.starts_with('_'))
            .collect(),
        _ => Map::new(),
    };
    for container in CONTAINERS {
        let schema = properties
            .entry(container)
            .or_insert_with(|| json!({"type": "object"}));
        if let Some(schema) = schema.as_object_mut() {
            schema.entry("default").or_insert_with(|| json!({}));
        }
    }
    payload.insert("properties".into(), Value::Object(properties));
    // The containers default to empty: the model may leave any of them out.
    if let Some(Value::Array(required)) = payload.get_mut("required") {
        required.retain(|name| !CONTAINERS.iter().any(|c| name == c));
    }
    json!({
        "type": "object",
        "properties": {"payload": Value::Object(payload)},
        "required": ["payload"],
    })
}

fn platform_tool(
    tool: &PlatformTool,
    task_id: &str,
    extension: &Value,
) -> Result<DynamicTool, BackendError> {
    let tool = Arc::new(tool.clone());
    let (task_id, extension) = (task_id.to_owned(), extension.clone());
    let description = with_wrapper_rule(&tool.description);
    Ok(DynamicTool::new(
        name(&tool.id)?,
        description,
        payload_schema(&tool),
        move |arguments: Value| {
            let (tool, task_id, extension) = (tool.clone(), task_id.clone(), extension.clone());
            let payload = unwrapped(arguments);
            Box::pin(async move {
                let result = tool
                    .ainvoke(payload)
                    .task_id(task_id)
                    .payload_extension(extension)
                    .await;
                if result.is_success {
                    Ok(ToolOutput::json(result.result))
                } else {
                    let text = match result.result {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    Err(ToolExecutionError::new(
                        ToolErrorKind::Other,
                        format!("the tool failed (HTTP {}): {text}", result.status_code),
                    ))
                }
            })
        },
    ))
}

/// A local tool: its arguments inside one `payload` object, as Python offers them; the call
/// runs between the tool hooks, and its error or panic is a tool error the model sees.
fn local_tool(local: &LocalToolSpec, task_id: &str) -> Result<DynamicTool, BackendError> {
    let Some(tool) = crate::registry::local_tool(&local.name) else {
        return Err(BackendError::Usage(format!(
            "the local tool `{}` is not registered in this process",
            local.name
        )));
    };
    let schema = json!({
        "type": "object",
        "properties": {"payload": local.parameters},
        "required": ["payload"],
    });
    let task_id = task_id.to_owned();
    let description = with_wrapper_rule(&local.description);
    Ok(DynamicTool::new(
        name(&local.name)?,
        description,
        schema,
        move |arguments: Value| {
            let payload = unwrapped(arguments);
            let mut info = ToolCallInfo::new(tool.name(), ToolKind::Local, payload.clone());
            info.task_id = Some(task_id.clone());
            Box::pin(async move {
                with_hooks(&info, call_local(tool, payload))
                    .await
                    .map(ToolOutput::json)
                    .map_err(|message| ToolExecutionError::new(ToolErrorKind::Other, message))
            })
        },
    ))
}

/// A tool's description with the rule of its arguments' `payload` wrapper.
fn with_wrapper_rule(description: &str) -> String {
    format!("{description}\nPass every argument inside one `payload` object.")
}

/// The arguments inside the `payload` wrapper; a model that leaves the wrapper out is
/// understood too.
fn unwrapped(arguments: Value) -> Value {
    match arguments {
        Value::Object(mut fields) if fields.contains_key("payload") => {
            fields.remove("payload").unwrap_or_default()
        }
        other => other,
    }
}

/// `think` and `analyze`: the model's reasoning steps, each sent as a think/analyze event.
fn reasoning_tools(stream: &TaskStream) -> Result<Vec<DynamicTool>, BackendError> {
    let think = json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "A short title for this step"},
            "thought": {"type": "string", "description": "Your thought about the problem"},
            "action": {"type": "string", "description": "What you will do next"},
            "confidence": {"type": "number", "description": "How sure you are, 0 to 1"}
        },
        "required": ["title", "thought"]
    });
    let analyze = json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "A short title for this step"},
            "result": {"type": "string", "description": "The outcome of the last step"},
            "analysis": {"type": "string", "description": "What the outcome means"},
            "next_action": {"type": "string", "description": "continue, validate or final_answer"},
            "confidence": {"type": "number", "description": "How sure you are, 0 to 1"}
        },
        "required": ["title", "result", "analysis"]
    });
    let step = |tool: &'static str, description: &str, schema: Value| {
        let stream = stream.clone();
        Ok::<_, BackendError>(DynamicTool::new(
            name(tool)?,
            description,
            schema,
            move |input: Value| {
                let stream = stream.clone();
                Box::pin(async move {
                    let fields = input.as_object().cloned().unwrap_or_else(Map::new);
                    match tool {
                        "think" => stream.think(fields).await,
                        _ => stream.analyze(fields).await,
                    }
                    Ok(ToolOutput::text(format!("{tool} step recorded")))
                })
            },
        ))
    };
    Ok(vec![
        step(
            "think",
            "Think through the problem step by step before acting; a scratchpad.",
            think,
        )?,
        step(
            "analyze",
            "Analyze the result of the last step and decide what to do next.",
            analyze,
        )?,
    ])
}
