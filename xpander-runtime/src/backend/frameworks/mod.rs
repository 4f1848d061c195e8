//! Framework dispatch: [`AgentArgs`] are framework-neutral; an adapter per framework turns
//! them into that framework's constructor arguments.
//!
//! The adapter is chosen by the agent's `framework` as the platform stores it (it is never
//! rewritten). A framework without an adapter gets the Agno shape, as the Python SDK gives
//! every agent Agno arguments. Register your own adapter for a framework with
//! [`register_adapter`]:
//!
//! ```
//! use std::sync::Arc;
//! use serde_json::{Map, Value, json};
//! use xpander_runtime::backend::frameworks::{FrameworkAdapter, register_adapter};
//! use xpander_runtime::backend::{AgentArgs, Secrets};
//! use xpander_runtime::model::Framework;
//!
//! struct Strands;
//!
//! impl FrameworkAdapter for Strands {
//!     fn name(&self) -> &str {
//!         "strands"
//!     }
//!     fn render(&self, args: &AgentArgs, _secrets: Secrets) -> Map<String, Value> {
//!         let mut out = Map::new();
//!         out.insert("name".into(), json!(args.name));
//!         out.insert("system_prompt".into(), json!(args.instructions));
//!         out
//!     }
//! }
//!
//! register_adapter(Framework::StrandsAgents, Arc::new(Strands));
//! ```

mod agno;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use serde_json::{Map, Value};

pub use agno::AgnoAdapter;

use super::BackendError;
use super::agent_file::LocalAgents;
use super::args::{AgentArgs, Secrets};
use super::build::{BuildContext, build};
use super::env::Env;
use crate::model::{Agent, Framework, Task};

/// Turns [`AgentArgs`] into one framework's constructor arguments. Object-safe, so adapters
/// can be registered at run time.
pub trait FrameworkAdapter: Send + Sync {
    /// A short name, for logs.
    fn name(&self) -> &str;

    /// The framework's arguments. Show secrets per `secrets`; apply
    /// [`AgentArgs::overrides`] as the framework's keys (see [`apply_overrides`]).
    fn render(&self, args: &AgentArgs, secrets: Secrets) -> Map<String, Value>;
}

static ADAPTERS: LazyLock<RwLock<HashMap<Framework, Arc<dyn FrameworkAdapter>>>> =
    LazyLock::new(|| {
        let mut adapters: HashMap<Framework, Arc<dyn FrameworkAdapter>> = HashMap::new();
        adapters.insert(Framework::Agno, Arc::new(AgnoAdapter));
        RwLock::new(adapters)
    });

/// Uses `adapter` for agents whose framework is `framework`, process-wide (replacing any
/// adapter registered for it, the built-in Agno one included).
pub fn register_adapter(framework: Framework, adapter: Arc<dyn FrameworkAdapter>) {
    ADAPTERS
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(framework, adapter);
}

/// The adapter for `framework`: the registered one, else Agno's.
pub fn adapter_for(framework: &Framework) -> Arc<dyn FrameworkAdapter> {
    let adapters = ADAPTERS.read().unwrap_or_else(|p| p.into_inner());
    adapters
        .get(framework)
        .or_else(|| adapters.get(&Framework::Agno))
        .cloned()
        .unwrap_or_else(|| Arc::new(AgnoAdapter))
}

/// A shallow update of `rendered` with `overrides` (Python's `args.update(override)`).
pub fn apply_overrides(rendered: &mut Map<String, Value>, overrides: &Map<String, Value>) {
    for (key, value) in overrides {
        rendered.insert(key.clone(), value.clone());
    }
}

/// Resolves the args of an agent already loaded, for a task (Python's
/// `dispatch_get_args(agent=agent, task=task)`). The platform is the agent's (or the task's)
/// configuration; with neither, nothing is fetched. Render them for the agent's framework with
/// [`AgentArgs::render`].
///
/// ```no_run
/// # async fn demo(agent: xpander_runtime::Agent, task: xpander_runtime::Task) -> Result<(), xpander_runtime::backend::BackendError> {
/// use xpander_runtime::backend::dispatch_get_args;
///
/// let args = dispatch_get_args(&agent, Some(&task)).await?;
/// let agno_kwargs = args.render();
/// # Ok(()) }
/// ```
pub async fn dispatch_get_args(
    agent: &Agent,
    task: Option<&Task>,
) -> Result<AgentArgs, BackendError> {
    let env = Env::process();
    let local = LocalAgents::None;
    let overrides = Map::new();
    let platform = agent
        .configuration()
        .or_else(|| task.and_then(Task::configuration))
        .cloned();
    let ctx = BuildContext::new(platform, &env, &local, &overrides);
    build(&ctx, agent, task, false).await
}
