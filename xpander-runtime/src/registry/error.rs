//! [`RegistryError`]: what the start-up check of the registry found wrong.

use super::info::HandlerInfo;

/// What the start-up check found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No `#[on_task]` handler is linked into the binary.
    #[error(
        "no #[on_task] handler is registered: add one to your binary, e.g. \
         `#[xpander_runtime::on_task] async fn handle(mut task: Task) -> Task {{ task.result = \
         Some(\"done\".into()); task }}`. A handler in a library crate is linked only if the \
         binary names that crate (`use my_handlers as _;`)"
    )]
    NoTaskHandler,
    /// Two handlers serve the same agent.
    #[error(
        "two #[on_task] handlers serve {}: {first} and {second}; give each an `agent_id = \"...\"` \
         or remove one",
        agent_id.as_deref().map_or("XPANDER_AGENT_ID (neither names an agent_id)".to_owned(), |a| format!("agent `{a}`"))
    )]
    Duplicate {
        /// The agent both serve (`None`: both serve `XPANDER_AGENT_ID`).
        agent_id: Option<String>,
        /// The first, in registry order.
        first: Box<HandlerInfo>,
        /// The second.
        second: Box<HandlerInfo>,
    },
    /// Two local tools have the same name.
    #[error(
        "two #[register_tool] tools are named `{name}`: {first} and {second}; rename one with \
         `name = \"...\"`"
    )]
    DuplicateTool {
        /// The name.
        name: String,
        /// The first, in registry order.
        first: Box<HandlerInfo>,
        /// The second.
        second: Box<HandlerInfo>,
    },
}
