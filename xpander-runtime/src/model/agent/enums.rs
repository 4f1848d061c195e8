//! The agent's string enums (framework, status, type, graph item kinds, …). Unknown values
//! decode as `Other` (see `open_enum!`).

use crate::model::open_enum::open_enum;

open_enum! {
    /// The agent framework (`framework`).
    ///
    /// ```
    /// use xpander_runtime::model::Framework;
    ///
    /// let f: Framework = serde_json::from_str("\"google-adk\"").unwrap();
    /// assert_eq!(f, Framework::GoogleAdk);
    /// let new: Framework = serde_json::from_str("\"crewai\"").unwrap();
    /// assert_eq!(new, Framework::Other("crewai".into()));
    /// ```
    pub enum Framework {
        /// Agno (every agent is run with Agno arguments).
        Agno = "agno",
        /// Google ADK.
        GoogleAdk = "google-adk",
        /// LangChain.
        LangChain = "langchain",
        /// OpenAI Agents SDK.
        OpenAiAgents = "open-ai-agents",
        /// Strands Agents.
        StrandsAgents = "strands-agents",
        /// OpenClaw.
        OpenClaw = "open-claw",
        /// The always-on container that runs every installed coding CLI.
        ExternalHarness = "external-harness",
        /// Legacy single-CLI harness value (Claude Code).
        ClaudeCode = "claude-code",
        /// Legacy single-CLI harness value (Codex).
        Codex = "codex",
    }
}

impl Framework {
    /// Whether this is a CLI harness framework (`external-harness` or a legacy `claude-code` /
    /// `codex`). Like the Python SDK, an unknown value is compared trimmed and lower-cased.
    pub fn is_harness(&self) -> bool {
        match self {
            Self::ExternalHarness | Self::ClaudeCode | Self::Codex => true,
            Self::Other(value) => matches!(
                Self::from(value.trim().to_ascii_lowercase().as_str()),
                Self::ExternalHarness | Self::ClaudeCode | Self::Codex
            ),
            _ => false,
        }
    }
}

open_enum! {
    /// An agent's status (`status`), upper case on the wire.
    #[derive(Default)]
    pub enum AgentStatus {
        /// Not published yet.
        Draft = "DRAFT",
        /// Operational (the default).
        #[default]
        Active = "ACTIVE",
        /// Switched off.
        Inactive = "INACTIVE",
    }
}

open_enum! {
    /// What kind of agent this is (`type`).
    pub enum AgentType {
        /// Manages and coordinates other agents.
        Manager = "manager",
        /// A standard agent.
        Regular = "regular",
        /// An external agent reached over the A2A protocol.
        A2A = "a2a",
        /// An external agent reached with a curl command.
        Curl = "curl",
        /// An orchestration object.
        Orchestration = "orchestration",
    }
}

open_enum! {
    /// Where the agent runs (`deployment_type`).
    #[derive(Default)]
    pub enum AgentDeploymentType {
        /// Serverless (the default).
        #[default]
        Serverless = "serverless",
        /// A container.
        Container = "container",
    }
}

open_enum! {
    /// Who can see the agent (`access_scope`).
    pub enum AccessScope {
        /// Only its creator.
        Personal = "personal",
        /// The whole organization (the default).
        Organizational = "organizational",
        /// The members of its project.
        Project = "project",
    }
}

open_enum! {
    /// The kind of a graph item (`graph[].type`).
    pub enum GraphItemType {
        /// An entry point.
        SourceNode = "source_node",
        /// A sub-agent: an agent with such items runs as a team.
        Agent = "agent",
        /// A workflow.
        Workflow = "workflow",
        /// A tool.
        Tool = "tool",
        /// A human approval step.
        HumanInTheLoop = "human_in_the_loop",
        /// A delay between iterations.
        Sleep = "xpsleep-agent-delay",
        /// A custom agent.
        CustomAgent = "custom_agent",
        /// Storage.
        Storage = "storage",
        /// A coding agent.
        CodingAgent = "coding_agent",
        /// An MCP server (its `settings.mcp_settings` describe it).
        Mcp = "mcp",
        /// A local database.
        LocalDb = "local_db",
        /// A list of skills.
        Skills = "skills",
    }
}

open_enum! {
    /// The sub-kind of a graph item (`graph[].sub_type`).
    pub enum GraphItemSubType {
        /// Source node: SDK.
        Sdk = "sdk",
        /// Source node: task.
        Task = "task",
        /// Source node: assistant.
        Assistant = "assistant",
        /// Source node: webhook.
        Webhook = "webhook",
        /// Tool: an operation.
        Operation = "operation",
        /// Tool: a custom function.
        CustomFunction = "custom_function",
        /// Tool: a local tool.
        LocalTool = "local_tool",
    }
}

open_enum! {
    /// Where tasks for the agent come from (`source_nodes[].type`).
    pub enum SourceNodeType {
        /// The workbench.
        Workbench = "workbench",
        /// The SDK.
        Sdk = "sdk",
        /// A task.
        Task = "task",
        /// An assistant.
        Assistant = "assistant",
        /// A webhook.
        Webhook = "webhook",
        /// An MCP client.
        Mcp = "mcp",
        /// Another agent, over A2A.
        A2A = "a2a",
        /// A Telegram bot.
        Telegram = "telegram",
        /// A Slack bot.
        Slack = "slack",
        /// Inbound email.
        Email = "email",
        /// The REST API.
        Api = "api",
    }
}

open_enum! {
    /// Where the dynamic prompt's text goes relative to the system prompt.
    #[derive(Default)]
    pub enum DynamicPromptPosition {
        /// Before it.
        Before = "before",
        /// After it (the default).
        #[default]
        After = "after",
    }
}

open_enum! {
    /// How an external agent authenticates calls (`connectivity_details.auth_type`).
    pub enum ConnectivityAuthType {
        /// No authentication (the Python default).
        NoAuth = "none",
        /// An API key in a header.
        ApiKey = "api_key",
        /// HTTP basic.
        Basic = "basic",
        /// A bearer token.
        Bearer = "bearer",
    }
}
