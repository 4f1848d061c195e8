//! [`Agents`]: load and list agents.

use crate::blocking::block_on;
use crate::model::{Agent, AgentSummary, CreateTaskRequest, Task};
use crate::platform::routes::{GetAgent, ListAgents};
use crate::{Configuration, Platform, Result, Tasks};

/// The platform's agents: load one (optionally at a version) or list them.
///
/// ```no_run
/// use xpander_runtime::{Agents, Configuration};
///
/// # async fn demo() -> xpander_runtime::Result<()> {
/// let agents = Agents::new(Configuration::from_env()?);
/// let agent = agents.aget("agent-123").await?;
/// let pinned = agents.aget_version("agent-123", 3).await?;
/// println!("{} (v{})", agent.name, pinned.version);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Agents {
    platform: Platform,
}

impl Agents {
    /// Agents of the platform this configuration points at.
    pub fn new(platform: impl Into<Platform>) -> Self {
        Self {
            platform: platform.into(),
        }
    }

    /// Agents of the platform the environment points at.
    pub fn from_env() -> Result<Self> {
        Ok(Self::new(Platform::from_env()?))
    }

    /// Loads an agent (`GET /agents/{id}`), its current version.
    pub async fn aget(&self, agent_id: &str) -> Result<Agent> {
        self.load(agent_id, None).await
    }

    /// Loads an agent at a version (sent as `x-agent-version`; 0 means the current one).
    pub async fn aget_version(&self, agent_id: &str, version: u32) -> Result<Agent> {
        self.load(agent_id, Some(version)).await
    }

    /// Blocking [`Agents::aget`].
    pub fn get(&self, agent_id: &str) -> Result<Agent> {
        block_on(self.aget(agent_id))
    }

    /// Blocking [`Agents::aget_version`].
    pub fn get_version(&self, agent_id: &str, version: u32) -> Result<Agent> {
        block_on(self.aget_version(agent_id, version))
    }

    /// Lists the organization's agents (`GET /agents/list`).
    pub async fn alist(&self) -> Result<Vec<AgentSummary>> {
        self.platform.send(ListAgents).await
    }

    /// Blocking [`Agents::alist`].
    pub fn list(&self) -> Result<Vec<AgentSummary>> {
        block_on(self.alist())
    }

    async fn load(&self, agent_id: &str, version: Option<u32>) -> Result<Agent> {
        let agent = self.platform.send(GetAgent { agent_id, version }).await?;
        Ok(agent.with_configuration(self.platform.clone()))
    }
}

impl Agent {
    /// Creates a task for this agent (`source` defaults to `sdk`).
    ///
    /// ```no_run
    /// # async fn demo(agent: xpander_runtime::Agent) -> xpander_runtime::Result<()> {
    /// use xpander_runtime::model::{CreateTaskRequest, OutputFormat};
    ///
    /// let task = agent
    ///     .acreate_task(CreateTaskRequest::new("Analyze this dataset").output_format(OutputFormat::Json))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn acreate_task(&self, mut request: CreateTaskRequest) -> Result<Task> {
        let platform = match self.platform() {
            Some(platform) => platform.clone(),
            None => Platform::from_env()?,
        };
        request.source.get_or_insert_with(|| "sdk".to_owned());
        Tasks::new(platform).acreate(&self.id, request).await
    }

    /// The configuration of the platform this agent was loaded from.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.platform().map(Platform::configuration)
    }

    /// The platform this agent was loaded from.
    pub fn platform(&self) -> Option<&Platform> {
        self.context.platform.as_ref()
    }

    /// Binds the agent to a platform, for an agent built by hand or decoded from JSON.
    pub fn with_configuration(mut self, platform: impl Into<Platform>) -> Self {
        self.context.platform = Some(platform.into());
        self
    }

    /// Blocking [`Agent::acreate_task`].
    pub fn create_task(&self, request: CreateTaskRequest) -> Result<Task> {
        block_on(self.acreate_task(request))
    }
}
