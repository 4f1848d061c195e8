//! [`FrameworkAdapter`]: what turns [`AgentArgs`] into one framework's arguments.

use serde_json::{Map, Value};

use super::options::RenderOptions;
use crate::backend::args::AgentArgs;

/// Turns [`AgentArgs`] into one framework's constructor arguments. Object-safe, so a Backend
/// can hold adapters chosen at run time.
pub trait FrameworkAdapter: Send + Sync {
    /// A short name, for logs.
    fn name(&self) -> &str;

    /// The framework's arguments. Show secrets per `options.secrets`; apply
    /// [`AgentArgs::overrides`] as the framework's keys (see [`apply_overrides`]).
    fn render(&self, args: &AgentArgs, options: RenderOptions) -> Map<String, Value>;
}

/// A shallow update of `rendered` with `overrides` (Python's `args.update(override)`).
pub fn apply_overrides(rendered: &mut Map<String, Value>, overrides: &Map<String, Value>) {
    for (key, value) in overrides {
        rendered.insert(key.clone(), value.clone());
    }
}
