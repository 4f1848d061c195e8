//! The registry of handlers and hooks that `#[on_task]`, `#[on_auth_event]`, `#[on_boot]` and
//! `#[on_shutdown]` fill through `inventory`, read at start-up.
//!
//! Registrations happen before `main` in every crate the binary links. A handler in a library
//! crate the binary never names is not linked at all, and so not registered: name the crate
//! (`use my_handlers as _;`) in the binary.
//!
//! ```
//! // Iterate what this binary registered (nothing, in a doctest):
//! for handler in xpander_runtime::registry::task_handlers() {
//!     println!("{} at {}:{}", handler.info().name, handler.info().file, handler.info().line);
//! }
//! ```

use std::fmt;
use std::sync::OnceLock;

use tracing::error;

use crate::handler::{BoxFuture, Handler, HandlerFn, HandlerResult, HookResult};
use crate::model::{Agent, LocalTaskTest, Task, TaskUpdateEvent};
use crate::panic::{caught, panic_message};
use crate::{Configuration, Error, TaskStream};

mod error;
mod info;
mod tools;

pub use error::RegistryError;
pub use info::HandlerInfo;
pub use tools::{
    AfterToolFn, AfterToolHook, BeforeToolFn, BeforeToolHook, LocalTool, ToolErrorFn,
    ToolErrorHook, ToolFn, ToolResult,
};

/// How a task handler is called.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum TaskFn {
    /// An `async fn`, polled on the runtime.
    Async(fn(Task) -> BoxFuture<'static, HandlerResult>),
    /// A plain `fn`, run on a thread of its own.
    Blocking(fn(Task) -> HandlerResult),
    /// An `async fn` that also takes a [`TaskStream`] for its live events.
    Streaming(fn(Task, TaskStream) -> BoxFuture<'static, HandlerResult>),
}

/// A registered `#[on_task]` handler.
pub struct TaskHandler {
    info: HandlerInfo,
    call: TaskFn,
    agent_id: Option<&'static str>,
    test_task: Option<fn() -> LocalTaskTest>,
    configuration: Option<fn() -> Result<Configuration, Error>>,
}

impl TaskHandler {
    #[doc(hidden)]
    pub const fn new(
        info: HandlerInfo,
        call: TaskFn,
        agent_id: Option<&'static str>,
        test_task: Option<fn() -> LocalTaskTest>,
        configuration: Option<fn() -> Result<Configuration, Error>>,
    ) -> Self {
        Self {
            info,
            call,
            agent_id,
            test_task,
            configuration,
        }
    }

    /// Where it was declared.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }

    /// The agent it serves (`agent_id = "..."`); `None` serves `XPANDER_AGENT_ID`.
    pub fn agent_id(&self) -> Option<&'static str> {
        self.agent_id
    }

    /// Its local test task (`test_task = ...`), built anew on each call.
    pub fn test_task(&self) -> Option<LocalTaskTest> {
        self.test_task.map(|make| make())
    }

    /// Its own configuration (`configuration = ...`), evaluated on each call; `None` means the
    /// environment's.
    pub fn configuration(&self) -> Option<Result<Configuration, Error>> {
        self.configuration.map(|make| make())
    }

    /// How it is called.
    pub fn call(&self) -> TaskFn {
        self.call
    }
}

impl fmt::Debug for TaskHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandler")
            .field("info", &self.info)
            .field("blocking", &matches!(self.call, TaskFn::Blocking(_)))
            .field("streaming", &matches!(self.call, TaskFn::Streaming(_)))
            .field("agent_id", &self.agent_id)
            .field("test_task", &self.test_task.is_some())
            .field("configuration", &self.configuration.is_some())
            .finish()
    }
}

impl From<&TaskHandler> for Handler {
    fn from(handler: &TaskHandler) -> Self {
        Handler(match handler.call() {
            TaskFn::Async(call) => HandlerFn::Async(std::sync::Arc::new(call)),
            TaskFn::Blocking(call) => HandlerFn::Blocking(std::sync::Arc::new(call)),
            TaskFn::Streaming(call) => HandlerFn::Streaming(std::sync::Arc::new(call)),
        })
    }
}

/// How an `#[on_auth_event]` hook is called.
pub type AuthFn = for<'a> fn(&'a Agent, &'a Task, &'a TaskUpdateEvent) -> BoxFuture<'a, HookResult>;

/// A registered `#[on_auth_event]` hook.
pub struct AuthHook {
    info: HandlerInfo,
    call: AuthFn,
}

impl AuthHook {
    #[doc(hidden)]
    pub const fn new(info: HandlerInfo, call: AuthFn) -> Self {
        Self { info, call }
    }

    /// Where it was declared.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }

    /// How it is called.
    pub fn call(&self) -> AuthFn {
        self.call
    }
}

/// How a boot or shutdown hook is called.
#[derive(Clone, Copy)]
pub enum HookFn {
    /// An `async fn()`.
    Async(fn() -> BoxFuture<'static, HookResult>),
    /// A plain `fn()`, run on a thread of its own.
    Blocking(fn() -> HookResult),
}

/// A registered `#[on_boot]` hook: runs before the worker connects.
pub struct BootHook {
    info: HandlerInfo,
    call: HookFn,
}

/// A registered `#[on_shutdown]` hook: runs after the worker drained.
pub struct ShutdownHook {
    info: HandlerInfo,
    call: HookFn,
}

macro_rules! lifecycle_hook {
    ($ty:ident) => {
        impl $ty {
            #[doc(hidden)]
            pub const fn new(info: HandlerInfo, call: HookFn) -> Self {
                Self { info, call }
            }

            /// Where it was declared.
            pub fn info(&self) -> &HandlerInfo {
                &self.info
            }

            /// How it is called.
            pub fn call(&self) -> HookFn {
                self.call
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("info", &self.info)
                    .finish()
            }
        }
    };
}

lifecycle_hook!(BootHook);
lifecycle_hook!(ShutdownHook);

impl fmt::Debug for AuthHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHook")
            .field("info", &self.info)
            .finish()
    }
}

inventory::collect!(TaskHandler);
inventory::collect!(AuthHook);
inventory::collect!(BootHook);
inventory::collect!(ShutdownHook);

/// `inventory` iterates in no particular order; sort once by where each item was declared, so
/// runs repeat and declaration order (before or after `#[on_task]`) does not matter.
macro_rules! sorted {
    ($ty:ty) => {{
        static SORTED: OnceLock<Vec<&'static $ty>> = OnceLock::new();
        SORTED
            .get_or_init(|| {
                let mut items: Vec<&'static $ty> = inventory::iter::<$ty>.into_iter().collect();
                items.sort_by_key(|item| *item.info());
                items
            })
            .as_slice()
    }};
}

/// Every `#[on_task]` handler, ordered by module, name, file and line.
pub fn task_handlers() -> &'static [&'static TaskHandler] {
    sorted!(TaskHandler)
}

/// Every `#[on_auth_event]` hook, in the same order.
pub fn auth_hooks() -> &'static [&'static AuthHook] {
    sorted!(AuthHook)
}

/// Invokes every `#[on_auth_event]` hook in registry order. Each error or panic is logged with
/// the hook's name and the task id, and the next hook still runs.
pub async fn invoke_auth_hooks(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
    for hook in auth_hooks() {
        let call = hook.call();
        match caught(|| call(agent, task, event)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                error!(hook = %hook.info(), task_id = %task.id, %error, "auth event hook failed")
            }
            Err(panic) => error!(
                hook = %hook.info(), task_id = %task.id, panic = %panic_message(&*panic),
                "auth event hook panicked"
            ),
        }
    }
}

/// Every `#[register_tool]` local tool, in the same order.
///
/// ```
/// for tool in xpander_runtime::registry::local_tools() {
///     println!("{}: {}", tool.name(), tool.description());
/// }
/// ```
pub fn local_tools() -> &'static [&'static LocalTool] {
    sorted!(LocalTool)
}

/// The local tool named `name`.
pub fn local_tool(name: &str) -> Option<&'static LocalTool> {
    local_tools()
        .iter()
        .find(|tool| tool.name() == name)
        .copied()
}

/// Every `#[on_tool_before]` hook, in the same order.
pub fn before_tool_hooks() -> &'static [&'static BeforeToolHook] {
    sorted!(BeforeToolHook)
}

/// Every `#[on_tool_after]` hook, in the same order.
pub fn after_tool_hooks() -> &'static [&'static AfterToolHook] {
    sorted!(AfterToolHook)
}

/// Every `#[on_tool_error]` hook, in the same order.
pub fn tool_error_hooks() -> &'static [&'static ToolErrorHook] {
    sorted!(ToolErrorHook)
}

/// Every `#[on_boot]` hook, in the same order.
pub fn boot_hooks() -> &'static [&'static BootHook] {
    sorted!(BootHook)
}

/// Every `#[on_shutdown]` hook, in the same order.
pub fn shutdown_hooks() -> &'static [&'static ShutdownHook] {
    sorted!(ShutdownHook)
}

/// The handler for an agent: the one declared with its `agent_id`, else the one without.
pub fn handler_for(agent_id: &str) -> Option<&'static TaskHandler> {
    let handlers = task_handlers();
    handlers
        .iter()
        .find(|h| h.agent_id == Some(agent_id))
        .or_else(|| handlers.iter().find(|h| h.agent_id.is_none()))
        .copied()
}

/// The start-up check: at least one `#[on_task]` handler, and one handler per agent at most.
///
/// ```
/// match xpander_runtime::registry::check() {
///     Ok(()) => println!("{} handler(s)", xpander_runtime::registry::task_handlers().len()),
///     Err(problem) => eprintln!("{problem}"), // e.g. how to add a handler
/// }
/// ```
pub fn check() -> Result<(), RegistryError> {
    check_handlers(task_handlers())?;
    check_tools(local_tools())
}

fn check_tools(tools: &[&LocalTool]) -> Result<(), RegistryError> {
    for (i, first) in tools.iter().enumerate() {
        if let Some(second) = tools[i + 1..].iter().find(|t| t.name() == first.name()) {
            return Err(RegistryError::DuplicateTool {
                name: first.name().to_owned(),
                first: Box::new(*first.info()),
                second: Box::new(*second.info()),
            });
        }
    }
    Ok(())
}

fn check_handlers(handlers: &[&TaskHandler]) -> Result<(), RegistryError> {
    if handlers.is_empty() {
        return Err(RegistryError::NoTaskHandler);
    }
    for (i, first) in handlers.iter().enumerate() {
        if let Some(second) = handlers[i + 1..]
            .iter()
            .find(|h| h.agent_id == first.agent_id)
        {
            return Err(RegistryError::Duplicate {
                agent_id: first.agent_id.map(str::to_owned),
                first: Box::new(first.info),
                second: Box::new(second.info),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop(task: Task) -> HandlerResult {
        Ok(task)
    }

    fn handler(name: &'static str, line: u32, agent_id: Option<&'static str>) -> TaskHandler {
        let info = HandlerInfo {
            module_path: "app",
            name,
            file: "src/main.rs",
            line,
        };
        TaskHandler::new(info, TaskFn::Blocking(noop), agent_id, None, None)
    }

    #[test]
    fn no_handler_says_how_to_add_one() {
        let err = check_handlers(&[]).unwrap_err();
        assert!(err.to_string().contains("#[xpander_runtime::on_task]"));
        assert!(err.to_string().contains("use my_handlers as _;"));
    }

    #[test]
    fn two_default_handlers_are_named_with_file_and_line() {
        let (a, b) = (handler("a", 3, None), handler("b", 9, None));
        let err = check_handlers(&[&a, &b]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two #[on_task] handlers serve XPANDER_AGENT_ID (neither names an agent_id): \
             app::a (src/main.rs:3) and app::b (src/main.rs:9); give each an \
             `agent_id = \"...\"` or remove one"
        );
    }

    #[test]
    fn two_handlers_for_one_agent_are_an_error_and_distinct_agents_are_fine() {
        let (a, b, c) = (
            handler("a", 1, Some("x")),
            handler("b", 2, Some("x")),
            handler("c", 3, None),
        );
        assert!(matches!(
            check_handlers(&[&a, &b]),
            Err(RegistryError::Duplicate { agent_id: Some(ref id), .. }) if id == "x"
        ));
        let d = handler("d", 4, Some("y"));
        assert_eq!(check_handlers(&[&a, &c, &d]), Ok(()));
    }
}
