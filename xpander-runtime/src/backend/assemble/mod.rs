//! Assembling [`AgentArgs`] from an agent, an optional task and what the resolver fetched
//! ([`Inputs`]): the order and rules of the Python SDK's `build_agent_args` (2.0.537) for
//! everything structural, without its prose blocks and harness layers, and without changing
//! the agent or the task. Pure: no network, so every rule is unit-testable.

mod inputs;
mod prompt;
mod settings;
mod toolset;

use serde_json::Value;

pub(crate) use inputs::Inputs;
pub(crate) use prompt::plan_active;
pub use prompt::render_instructions;

use crate::backend::args::{
    AgentArgs, DatetimeSpec, KnowledgeSpec, PlanSpec, ResolvedBlocking, TeamSpec,
};
use crate::backend::platform::Bound;

/// How many documents a knowledge search returns by default.
const KNOWLEDGE_DOCUMENTS: usize = 10;

/// The args of `inputs.agent`.
pub(crate) fn assemble(mut inputs: Inputs<'_>) -> AgentArgs {
    let mcp_tools = std::mem::take(&mut inputs.mcp_tools);
    let model_id = inputs.model.as_ref().map(|m| m.model_id.clone());
    let tools = toolset::tools(&inputs, mcp_tools, model_id.as_deref());
    let Inputs {
        agent,
        task,
        is_member,
        model,
        db_uri,
        members,
        fresh_plan,
        platform,
        env,
        overrides,
        ..
    } = inputs;
    // Members share the leader's model, whatever their own.
    let team = members.map(|mut members| {
        for member in &mut members {
            member.model = model.clone();
        }
        TeamSpec { members }
    });

    let mut args = AgentArgs {
        id: agent.id.clone(),
        name: agent.name.clone(),
        framework: agent.framework.clone(),
        description: agent
            .description
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| agent.instructions.general.clone()),
        instructions: prompt::instructions(agent, task),
        expected_output: task
            .and_then(|t| t.expected_output.clone())
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| agent.expected_output.clone()),
        additional_context: prompt::additional_context(task),
        datetime: DatetimeSpec::default(),
        output: settings::output(agent, task, is_member),
        session: settings::session(agent, task, db_uri),
        learning: agent.agno_settings.learning,
        knowledge: (!agent.knowledge_bases.is_empty()).then(|| KnowledgeSpec {
            knowledge_base_ids: agent
                .knowledge_bases
                .iter()
                .map(|kb| kb.id.clone())
                .collect(),
            num_documents: KNOWLEDGE_DOCUMENTS,
            platform: Bound(platform.cloned()),
        }),
        guardrails: settings::guardrails(agent, model.as_ref()),
        tool_call_limit: settings::tool_call_limit(env, agent, task, is_member),
        tools,
        team,
        deep_planning: None,
        overrides: overrides.clone(),
        model,
        blocking: ResolvedBlocking::default(),
    };
    if agent.is_a_team() && !agent.expected_output.is_empty() {
        args.instructions
            .push_str(&prompt::team_expected_output(&agent.expected_output));
    }
    if plan_active(agent, task)
        && let Some(task) = task
    {
        let plan = prompt::plan(fresh_plan.as_ref().unwrap_or(&task.deep_planning));
        add_plan(&mut args, plan);
    }
    args
}

/// Puts the plan line before the additional context and the plan's line after the expected
/// output, in the args and in any overriding value (so every renderer sees them).
fn add_plan(args: &mut AgentArgs, plan: PlanSpec) {
    args.expected_output.push_str(&plan.expected_output_suffix);
    args.additional_context = Some(match args.additional_context.take() {
        Some(existing) if !existing.is_empty() => format!("{}\n{existing}", plan.plan_block),
        _ => plan.plan_block.clone(),
    });
    if let Some(Value::String(expected)) = args.overrides.get_mut("expected_output") {
        expected.push_str(&plan.expected_output_suffix);
    }
    if let Some(context) = args.overrides.get_mut("additional_context") {
        *context = Value::String(match context {
            Value::String(s) if !s.is_empty() => format!("{}\n{s}", plan.plan_block),
            _ => plan.plan_block.clone(),
        });
    }
    args.deep_planning = Some(plan);
}

#[cfg(test)]
mod tests;
