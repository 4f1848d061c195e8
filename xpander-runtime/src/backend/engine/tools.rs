//! The agent's platform tools and reasoning tools as model tools: each call invokes the
//! platform tool for the task (`x-execution-id`, a fresh `x-tool-call-id`, the task's payload
//! extension merged), or reports a think/analyze step.

use std::sync::Arc;

use rig_core::message::ToolName;
use rig_core::tool::{DynamicTool, ToolErrorKind, ToolExecutionError, ToolOutput};
use serde_json::{Map, Value, json};

use super::activity::Activity;
use crate::backend::{AgentArgs, PlatformTool, ToolSpec};
use crate::error::BackendError;

/// The reasoning tools' names: their calls are think/analyze steps, not tool calls.
pub(super) const REASONING_TOOLS: [&str; 2] = ["think", "analyze"];

/// The model tools for every platform, reasoning and custom tool of `args` (MCP servers are
/// connected apart).
pub(super) fn local_tools(
    args: &AgentArgs,
    task_id: &str,
    extension: &Value,
    activity: &Activity,
) -> Result<Vec<DynamicTool>, BackendError> {
    let mut tools = Vec::new();
    for spec in &args.tools {
        match spec {
            ToolSpec::Platform(tool) => tools.push(platform_tool(tool, task_id, extension)?),
            ToolSpec::Reasoning => tools.extend(reasoning_tools(activity)?),
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

fn platform_tool(
    tool: &PlatformTool,
    task_id: &str,
    extension: &Value,
) -> Result<DynamicTool, BackendError> {
    let tool = Arc::new(tool.clone());
    let (task_id, extension) = (task_id.to_owned(), extension.clone());
    let definition = (
        name(&tool.id)?,
        tool.description.clone(),
        tool.parameters.clone(),
    );
    Ok(DynamicTool::new(
        definition.0,
        definition.1,
        definition.2,
        move |payload: Value| {
            let (tool, task_id, extension) = (tool.clone(), task_id.clone(), extension.clone());
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

/// `think` and `analyze`: the model's reasoning steps, each sent as a think/analyze event.
fn reasoning_tools(activity: &Activity) -> Result<Vec<DynamicTool>, BackendError> {
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
            "next_action": {"type": "string", "enum": ["continue", "validate", "final_answer"]},
            "confidence": {"type": "number", "description": "How sure you are, 0 to 1"}
        },
        "required": ["title", "result", "analysis"]
    });
    let step = |tool: &'static str, description: &str, schema: Value| {
        let activity = activity.clone();
        Ok::<_, BackendError>(DynamicTool::new(
            name(tool)?,
            description,
            schema,
            move |input: Value| {
                let activity = activity.clone();
                Box::pin(async move {
                    let fields = input.as_object().cloned().unwrap_or_else(Map::new);
                    match tool {
                        "think" => activity.stream().think(fields).await,
                        _ => activity.stream().analyze(fields).await,
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
