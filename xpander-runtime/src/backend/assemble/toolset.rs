//! Which tools the agent gets: its platform tools (the planning ones only when the task
//! plans), the local tools registered in this process, its MCP servers, the caller's extra tools (root agent only), and think/analyze
//! reasoning tools for small models.

use serde_json::{Map, Value};

use super::inputs::Inputs;
use super::prompt::plan_active;
use crate::backend::args::{LocalToolSpec, McpToolSpec, ToolSpec};
use crate::backend::llm::families::is_weak_model;
use crate::backend::tools::PlatformTool;
use crate::model::{Agent, Task};

/// The deep-planning tools, hidden unless the task plans.
const PLAN_TOOLS: [&str; 7] = [
    "xpcreate_agent_plan",
    "xpget_agent_plan",
    "xpadd_new_agent_plan_item",
    "xpupdate_agent_plan_item",
    "xpdelete_agent_plan_item",
    "xpcomplete_agent_plan_items",
    "xpstart_execution_plan",
];

/// The agent's tools, in the order the Python SDK lists them. `model_id` is the resolved
/// model's; without one (an overriding model) the override's `id` decides reasoning tools.
pub(super) fn tools(
    inputs: &Inputs<'_>,
    mcp_tools: Vec<McpToolSpec>,
    model_id: Option<&str>,
) -> Vec<ToolSpec> {
    let Inputs { agent, task, .. } = *inputs;
    let plans = plan_active(agent, task) || task.is_some_and(|t| t.must_deep_plan);
    let mut tools: Vec<ToolSpec> = PlatformTool::for_agent(agent, inputs.platform)
        .into_iter()
        .filter(|t| plans || !PLAN_TOOLS.contains(&t.id.as_str()))
        .map(|tool| ToolSpec::Platform(Box::new(tool)))
        .collect();
    // Every registered local tool, unless a platform tool has its name (the platform's wins).
    let local: Vec<ToolSpec> = crate::registry::local_tools()
        .iter()
        .filter(|local| {
            !tools
                .iter()
                .any(|t| matches!(t, ToolSpec::Platform(p) if p.id == local.name()))
        })
        .map(|local| ToolSpec::Local(LocalToolSpec::of(local)))
        .collect();
    tools.extend(local);
    tools.extend(mcp_tools.into_iter().map(ToolSpec::Mcp));
    if !inputs.is_member {
        tools.extend(inputs.extra_tools.iter().cloned());
    }
    let model_id = model_id
        .map(str::to_owned)
        .or_else(|| override_model_id(inputs.overrides));
    if !agent.is_a_team()
        && uses_reasoning_tools(agent, task)
        && model_id.as_deref().is_some_and(is_weak_model)
    {
        tools.push(ToolSpec::Reasoning);
    }
    tools
}

/// The override's model id, for the reasoning-tools choice: a model object's `id` (a bare
/// string has none, as in Python, where `getattr("gpt-4", "id")` is nothing).
fn override_model_id(overrides: &Map<String, Value>) -> Option<String> {
    overrides
        .get("model")?
        .get("id")?
        .as_str()
        .map(str::to_lowercase)
}

/// Whether the agent's settings allow reasoning tools for this task (never for inline app or
/// email children of the agent gateway).
fn uses_reasoning_tools(agent: &Agent, task: Option<&Task>) -> bool {
    if !agent.agno_settings.reasoning_tools_enabled {
        return false;
    }
    let Some(task) = task.filter(|t| is_gateway_child(t)) else {
        return true;
    };
    let inline_app = task.is_app && !task.should_update_parent;
    let email = task
        .source
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("email"));
    !(inline_app || email)
}

fn is_gateway_child(task: &Task) -> bool {
    task.payload_extension
        .as_ref()
        .and_then(|p| p.fields.get("headers"))
        .and_then(|h| h.get("x-is-from-agent-gateway"))
        .map(|v| match v {
            Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
            other => *other == Value::Bool(true),
        })
        .unwrap_or(false)
}
