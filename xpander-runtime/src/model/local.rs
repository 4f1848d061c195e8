//! [`LocalTaskTest`]: a task to run locally, from `#[on_task(test_task = ...)]` or `--invoke`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::enums::OutputFormat;
use super::task::{AgentExecutionInput, User};

/// A task to run once, locally, through the registered handler.
///
/// A string converts into one, so `test_task = "What can you do?"` works; the builder methods
/// cover the rest:
///
/// ```
/// use xpander_runtime::model::{LocalTaskTest, OutputFormat};
///
/// let test = LocalTaskTest::new("What can you do?")
///     .output_format(OutputFormat::Json)
///     .output_schema(serde_json::json!({"capabilities": "list of capabilities"}));
/// assert_eq!(test.input.text, "What can you do?");
/// let plain: LocalTaskTest = "hi".into();
/// assert_eq!(plain.output_format, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocalTaskTest {
    /// The prompt, files and user.
    pub input: AgentExecutionInput,
    /// The agent version to run.
    #[serde(default)]
    pub agent_version: Option<String>,
    /// The result's format.
    #[serde(default)]
    pub output_format: Option<OutputFormat>,
    /// A JSON schema for a JSON result.
    #[serde(default)]
    pub output_schema: Option<Value>,
}

impl LocalTaskTest {
    /// A test with this prompt.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            input: AgentExecutionInput::from(prompt.into()),
            ..Self::default()
        }
    }

    /// Sets the result's format.
    pub fn output_format(mut self, format: OutputFormat) -> Self {
        self.output_format = Some(format);
        self
    }

    /// Sets the JSON schema of the result.
    pub fn output_schema(mut self, schema: Value) -> Self {
        self.output_schema = Some(schema);
        self
    }

    /// Sets the agent version.
    pub fn agent_version(mut self, version: impl Into<String>) -> Self {
        self.agent_version = Some(version.into());
        self
    }

    /// Sets the user.
    pub fn user(mut self, user: User) -> Self {
        self.input.user = Some(user);
        self
    }

    /// Adds input files.
    pub fn files(mut self, urls: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.input.files.extend(urls.into_iter().map(Into::into));
        self
    }
}

impl From<&str> for LocalTaskTest {
    fn from(prompt: &str) -> Self {
        Self::new(prompt)
    }
}

impl From<String> for LocalTaskTest {
    fn from(prompt: String) -> Self {
        Self::new(prompt)
    }
}
