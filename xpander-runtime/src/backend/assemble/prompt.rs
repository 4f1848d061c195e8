//! The prompt pieces of the args: the instructions, the additional context (the user, the
//! task's context) and the deep-planning additions.

use serde_json::Value;

use crate::backend::args::PlanSpec;
use crate::backend::pyrepr;
use crate::model::{Agent, DeepPlanning, Task};

/// What the plan line starts with.
const PLAN_LABEL: &str = "Execution plan steps";
/// The line a deep-planning run's expected output gets.
const PLAN_EXPECTED_OUTPUT: &str = "\nAll planned tasks completed and marked as done.";

/// The agent's `<instructions>`/`<goals>` text as the platform renders it: only the non-empty
/// blocks, the role list in Python's `repr` form (it reaches the LLM that way), goals one per
/// line; `""` when both are empty.
///
/// ```
/// use xpander_runtime::backend::render_instructions;
///
/// let text = render_instructions(&["be nice".into()], &["help".into()]);
/// assert_eq!(
///     text,
///     "\n        <instructions>\n            ['be nice']\n        </instructions>\n        \
///      <goals>\n            help\n        </goals>\n        "
/// );
/// assert_eq!(render_instructions(&[], &[]), "");
/// ```
pub fn render_instructions(role: &[String], goal: &[String]) -> String {
    let mut blocks = Vec::new();
    if !role.is_empty() {
        blocks.push(format!(
            "        <instructions>\n            {}\n        </instructions>",
            pyrepr::list_of_str(role)
        ));
    }
    if !goal.is_empty() {
        blocks.push(format!(
            "        <goals>\n            {}\n        </goals>",
            goal.join("\n")
        ));
    }
    if blocks.is_empty() {
        String::new()
    } else {
        format!("\n{}\n        ", blocks.join("\n"))
    }
}

/// The task's instructions override replaces the agent's blocks.
pub(super) fn instructions(agent: &Agent, task: Option<&Task>) -> String {
    match task.and_then(|t| t.instructions_override.as_deref()) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => render_instructions(&agent.instructions.role, &agent.instructions.goal),
    }
}

/// A team's `<expected_output>` block, appended to its instructions.
pub(super) fn team_expected_output(expected_output: &str) -> String {
    format!(
        "\n\n            <expected_output>\n            {expected_output}\n            </expected_output>\n        "
    )
}

/// `User details: <user JSON>`, then the task's additional context on the next line.
pub(super) fn additional_context(task: Option<&Task>) -> Option<String> {
    let task = task?;
    let user = task.input.user.as_ref().map(|user| {
        // The JSON is compact, as pydantic's `model_dump_json` writes it.
        format!(
            "User details: {}",
            serde_json::to_string(user).expect("a user serialises")
        )
    });
    let extra = task.additional_context.clone().filter(|c| !c.is_empty());
    match (user, extra) {
        (Some(user), Some(extra)) => Some(format!("{user}\n{extra}")),
        (user, extra) => user.or(extra),
    }
}

/// Whether deep planning is on for this run: the agent plans and the task asks for it.
pub(crate) fn plan_active(agent: &Agent, task: Option<&Task>) -> bool {
    agent.deep_planning && task.is_some_and(|t| t.deep_planning.enabled)
}

/// The plan line and the expected-output line of an active plan.
pub(super) fn plan(plan: &DeepPlanning) -> PlanSpec {
    let plan_block = if plan.tasks.is_empty() {
        "No execution plan yet: create one with xpcreate_agent_plan.".to_owned()
    } else {
        let items: Vec<Value> = plan
            .tasks
            .iter()
            .map(|t| serde_json::json!({"id": t.id, "title": t.title}))
            .collect();
        format!(
            "{PLAN_LABEL} (read live completion status via xpget_agent_plan): {}",
            crate::pyjson::dumps(&items)
        )
    };
    PlanSpec {
        plan_block,
        expected_output_suffix: PLAN_EXPECTED_OUTPUT.to_owned(),
    }
}
