//! String enums shared across the wire model. Unknown values decode as `Other` (see `open_enum!`).

use super::open_enum::open_enum;

open_enum! {
    /// A task's status (`status`). Terminal ones: see [`AgentExecutionStatus::is_terminal`].
    ///
    /// ```
    /// use xpander_runtime::model::AgentExecutionStatus;
    ///
    /// let s: AgentExecutionStatus = serde_json::from_str("\"completed\"").unwrap();
    /// assert!(s.is_terminal());
    /// let new: AgentExecutionStatus = serde_json::from_str("\"queued\"").unwrap();
    /// assert_eq!(new, AgentExecutionStatus::Other("queued".into()));
    /// ```
    #[derive(Default)]
    pub enum AgentExecutionStatus {
        /// Created, not picked up yet.
        #[default]
        Pending = "pending",
        /// A worker is running it.
        Executing = "executing",
        /// Waiting (e.g. for a person).
        Paused = "paused",
        /// The handler failed.
        Error = "error",
        /// The task did not achieve its goal.
        Failed = "failed",
        /// Done.
        Completed = "completed",
        /// Stopped by a user.
        Stopped = "stopped",
    }
}

impl AgentExecutionStatus {
    /// Whether no further work happens on a task in this status.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Error | Self::Failed | Self::Completed | Self::Stopped
        )
    }
}

open_enum! {
    /// The format a task's (or agent's) result should take.
    ///
    /// ```
    /// use xpander_runtime::model::OutputFormat;
    /// assert_eq!(OutputFormat::Json.as_str(), "json");
    /// ```
    pub enum OutputFormat {
        /// Plain text.
        Text = "text",
        /// Markdown.
        Markdown = "markdown",
        /// A JSON document (see `output_schema`).
        Json = "json",
        /// Spoken output.
        Voice = "voice",
    }
}

open_enum! {
    /// How hard the agent should think (`think_mode`).
    ///
    /// ```
    /// use xpander_runtime::model::ThinkMode;
    /// assert_eq!(ThinkMode::default().as_str(), "default");
    /// ```
    #[derive(Default)]
    pub enum ThinkMode {
        /// The default effort.
        #[default]
        Default = "default",
        /// More effort.
        Harder = "harder",
    }
}

open_enum! {
    /// The reasoning effort asked of the model (`llm_reasoning_effort`).
    ///
    /// ```
    /// use xpander_runtime::model::LlmReasoningEffort;
    /// assert_eq!(LlmReasoningEffort::XHigh.as_str(), "xhigh");
    /// ```
    #[derive(Default)]
    pub enum LlmReasoningEffort {
        /// Low.
        Low = "low",
        /// Medium (the default).
        #[default]
        Medium = "medium",
        /// High.
        High = "high",
        /// Extra high.
        XHigh = "xhigh",
    }
}
