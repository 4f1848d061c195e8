//! Framework rendering: [`AgentArgs`] are framework-neutral; an adapter per framework turns
//! them into that framework's constructor arguments.
//!
//! [`AgentArgs::render`] gives the Agno shape, as the Python SDK gives every agent Agno
//! arguments. A [`Backend`](crate::Backend) holds adapters of your own, one per framework
//! ([`BackendBuilder::adapter`](crate::backend::BackendBuilder::adapter)), and
//! [`Backend::render`](crate::Backend::render) picks one by the agent's `framework` as the
//! platform stores it (it is never rewritten); a framework without one gets Agno's.
//!
//! ```
//! use std::sync::Arc;
//! use serde_json::{Map, Value, json};
//! use xpander_runtime::backend::frameworks::FrameworkAdapter;
//! use xpander_runtime::backend::{AgentArgs, Backend, RenderOptions};
//! use xpander_runtime::model::{Agent, Framework};
//!
//! struct Strands;
//!
//! impl FrameworkAdapter for Strands {
//!     fn name(&self) -> &str {
//!         "strands"
//!     }
//!     fn render(&self, args: &AgentArgs, _options: RenderOptions) -> Map<String, Value> {
//!         let mut out = Map::new();
//!         out.insert("name".into(), json!(args.name));
//!         out.insert("system_prompt".into(), json!(args.instructions));
//!         out
//!     }
//! }
//!
//! let agent: Agent = serde_json::from_value(json!({
//!     "id": "s1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
//!     "framework": "strands-agents", "model_provider": "openai", "model_name": "gpt-4.1",
//! })).unwrap();
//! let backend = Backend::builder()
//!     .local_agent(agent)
//!     .adapter(Framework::StrandsAgents, Arc::new(Strands))
//!     .build();
//! let args = backend.get_args().agent_id("s1").call().unwrap();
//! let kwargs = backend.render(&args);
//! assert_eq!(kwargs["system_prompt"], json!(args.instructions));
//! assert!(args.render().contains_key("store_events"), "AgentArgs::render stays Agno's");
//! ```

mod adapter;
mod agno;
mod options;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use adapter::{FrameworkAdapter, apply_overrides};
pub use agno::AgnoAdapter;
pub use options::{RenderOptions, Secrets};

use crate::backend::args::AgentArgs;
use crate::model::Framework;

/// The adapters a Backend holds, by framework. A framework without one gets the adapter held
/// for Agno, else the built-in [`AgnoAdapter`].
#[derive(Clone, Default)]
pub(crate) struct Adapters(HashMap<Framework, Arc<dyn FrameworkAdapter>>);

impl Adapters {
    /// Uses `adapter` for `framework` (replacing the one held, Agno's included).
    pub fn insert(&mut self, framework: Framework, adapter: Arc<dyn FrameworkAdapter>) {
        self.0.insert(framework, adapter);
    }

    /// The adapter for `framework`.
    pub fn get(&self, framework: &Framework) -> Arc<dyn FrameworkAdapter> {
        self.0
            .get(framework)
            .or_else(|| self.0.get(&Framework::Agno))
            .cloned()
            .unwrap_or_else(|| Arc::new(AgnoAdapter))
    }
}

impl fmt::Debug for Adapters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .map(|(framework, a)| (framework.as_str(), a.name())),
            )
            .finish()
    }
}

impl AgentArgs {
    /// Agno's constructor arguments (whatever [`AgentArgs::framework`] is, as the Python SDK
    /// does), secrets redacted as `"[REDACTED]"`, with [`AgentArgs::render_options`]. Adapters a
    /// Backend holds render through [`Backend::render`](crate::Backend::render).
    pub fn render(&self) -> Map<String, Value> {
        self.render_with(self.render_options(Secrets::Redact))
    }

    /// [`AgentArgs::render`] with keys and tokens in clear: only for handing the arguments to
    /// the framework itself, never to logs.
    pub fn render_with_secrets(&self) -> Map<String, Value> {
        self.render_with(self.render_options(Secrets::Reveal))
    }

    /// The options [`AgentArgs::render`] uses: these secrets, and blocking when the blocking
    /// API (`get_args().call()`) resolved the args, so a blocking caller gets Agno's
    /// synchronous database driver without asking.
    ///
    /// ```
    /// use xpander_runtime::Backend;
    /// use xpander_runtime::backend::Secrets;
    ///
    /// let agent = serde_json::from_value(serde_json::json!({
    ///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
    ///     "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
    /// })).unwrap();
    /// let args = Backend::builder().local_agent(agent).build().get_args().call().unwrap();
    /// assert!(args.render_options(Secrets::Redact).blocking);
    /// ```
    pub fn render_options(&self, secrets: Secrets) -> RenderOptions {
        RenderOptions::new(secrets).blocking(self.blocking.0)
    }

    /// Agno's constructor arguments with these options.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use xpander_runtime::backend::{RenderOptions, Secrets, dispatch_get_args};
    ///
    /// let agent = serde_json::from_value(serde_json::json!({
    ///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
    ///     "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
    /// })).unwrap();
    /// let args = dispatch_get_args(&agent, None).await.unwrap();
    /// let kwargs = args.render_with(RenderOptions::new(Secrets::Redact).blocking(true));
    /// assert_eq!(kwargs["model"]["class"], "OpenAIChat");
    /// # });
    /// ```
    pub fn render_with(&self, options: RenderOptions) -> Map<String, Value> {
        AgnoAdapter.render(self, options)
    }
}
