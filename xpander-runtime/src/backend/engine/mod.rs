//! The agent engine (feature `agent`): runs the platform's agent as
//! [`Backend::aget_args`](crate::Backend::aget_args) resolves it, on
//! [rig](https://docs.rs/rig-core): the model and its key, headers and settings, the system
//! prompt, the platform tools, the MCP servers, the tool-call limit and the output format.
//!
//! One run, top to bottom ([`RunnableAgent::run`]): build the model; open the event stream
//! (tool calls are pushed to the task as they happen); connect the MCP servers; run the
//! model's tool loop on `task.to_message_with_timestamp()`; close the servers; record the tokens, the tools
//! used and the model; check the answer against the output format; set the result.

mod activity;
mod builder;
mod mcp;
mod model;
mod output;
mod prompt;
mod tools;

use std::time::Duration;

use rig_agent::AgentBuilder;
use rig_agent::completion::PromptError;
use rig_core::completion::{Effort, OnUnsupported, Usage};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use builder::GetAgent;

use crate::TaskStream;
use crate::backend::{AgentArgs, McpToolSpec, ModelSpec, ToolSpec};
use crate::error::BackendError;
use crate::model::{LlmReasoningEffort, OutputFormat, Task, Tokens};
use crate::task_stream::Outlet;
use activity::Activity;
use mcp::McpSessions;

/// Model calls a run may make when the agent sets no tool-call limit.
const DEFAULT_TURNS: usize = 32;
/// How long the run's last events may take to reach the task once it ended.
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

/// The platform's agent, ready to run on a task: from
/// [`Backend::aget_agent`](crate::Backend::aget_agent).
///
/// ```no_run
/// use xpander_runtime::{Backend, Task, on_task};
///
/// #[on_task]
/// async fn handle(mut task: Task) -> Result<Task, xpander_runtime::Error> {
///     let agent = Backend::default().aget_agent().for_task(&mut task).await?;
///     agent.run(&mut task).await?; // result, tokens, used tools and model are set
///     Ok(task)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct RunnableAgent {
    args: AgentArgs,
}

impl RunnableAgent {
    pub(crate) fn new(args: AgentArgs) -> Result<Self, BackendError> {
        let spec = model_of(&args)?;
        // Fail before the run if the model cannot be reached at all.
        model::build(spec, &args.id)?;
        Ok(Self { args })
    }

    /// What the run uses: the resolved args (change them with [`RunnableAgent::args_mut`]).
    pub fn args(&self) -> &AgentArgs {
        &self.args
    }

    /// The resolved args, to change before running (a tool removed, a setting changed).
    pub fn args_mut(&mut self) -> &mut AgentArgs {
        &mut self.args
    }

    /// The system prompt the model gets now.
    pub fn system_prompt(&self) -> String {
        prompt::system_prompt(&self.args, chrono::Utc::now())
    }

    /// Runs the agent on `task.to_message_with_timestamp()`. On success the task carries the answer as its
    /// result (JSON for a JSON task, checked against its schema), the tokens, the tools used
    /// and the model that served it; each tool call was pushed to the task as
    /// `tool_call_request`/`tool_call_result` events (printed when the task has no platform).
    /// A provider error, an MCP server that cannot be used or an answer that does not match
    /// the output format is an error that says so.
    pub async fn run(&self, task: &mut Task) -> Result<(), BackendError> {
        let (stream, feed, _) = TaskStream::open(task);
        let outlet = match task.context.platform.clone() {
            Some(platform) => Outlet::Platform(platform),
            None => Outlet::Print,
        };
        let run_done = CancellationToken::new();
        let forwarding = tokio::spawn(feed.forward(outlet, run_done.clone()));
        let outcome = self.run_with(task, stream).await;
        run_done.cancel();
        let _ = tokio::time::timeout(FLUSH_LIMIT, forwarding).await;
        outcome
    }

    /// [`RunnableAgent::run`], with the run's events sent through a streaming handler's
    /// `stream` (so an `/invoke` caller sees them too).
    pub async fn run_streaming(
        &self,
        task: &mut Task,
        stream: &TaskStream,
    ) -> Result<(), BackendError> {
        self.run_with(task, stream.clone()).await
    }

    /// Blocking [`RunnableAgent::run`]; works inside a runtime too.
    pub fn run_blocking(&self, task: &mut Task) -> Result<(), BackendError> {
        crate::blocking::block_on(self.run(task))
    }

    async fn run_with(&self, task: &mut Task, stream: TaskStream) -> Result<(), BackendError> {
        let spec = model_of(&self.args)?;
        let model = model::build(spec, &self.args.id)?;
        let limit = usize::try_from(self.args.tool_call_limit)
            .ok()
            .filter(|limit| *limit > 0);
        let activity = Activity::new(stream.clone(), limit);
        let extension = task
            .payload_extension
            .as_ref()
            .and_then(|e| serde_json::to_value(e).ok())
            .unwrap_or(Value::Null);
        let mut tools = tools::local_tools(&self.args, &task.id, &extension, &stream)?;
        let servers: Vec<&McpToolSpec> = self
            .args
            .tools
            .iter()
            .filter_map(|tool| match tool {
                ToolSpec::Mcp(server) => Some(server),
                _ => None,
            })
            .collect();
        let mut sessions = McpSessions::default();
        let outcome = match sessions.connect(&servers, &task.id).await {
            Ok(served) => {
                tools.extend(served);
                let turns = limit.map_or(DEFAULT_TURNS, |limit| limit + 2);
                let mut builder = AgentBuilder::new(model)
                    .preamble(self.system_prompt())
                    .default_max_turns(turns)
                    .on_unsupported(OnUnsupported::Ignore);
                if let Some(temperature) = spec.temperature {
                    builder = builder.temperature(temperature);
                }
                if let Some(cap) = spec.max_tokens {
                    builder = builder.max_tokens(u64::from(cap));
                }
                if let Some(effort) = &spec.reasoning_effort {
                    builder = builder.reasoning(effort_of(effort));
                }
                let extra = request_fields(spec);
                if !extra.is_empty() {
                    builder = builder.additional_params(Value::Object(extra));
                }
                let agent = builder.dynamic_tools(tools).build();
                let message = task.to_message_with_timestamp().await;
                agent
                    .prompt(message)
                    .add_hook(activity.clone())
                    .await
                    .map_err(|e| run_error(spec, &e, activity.calls(), turns))
            }
            Err(e) => Err(e),
        };
        sessions.close().await;
        let response = outcome?;
        task.tokens = Some(tokens(&response.usage));
        task.used_tools = activity.used_tools();
        task.context.served_model = Some(spec.model_id.clone());
        let json = task.output_format == Some(OutputFormat::Json)
            || self.args.output.json_mode == Some(true);
        let schema = self.args.output.schema.as_ref();
        let answer =
            output::result(&response.output(), json, schema).map_err(BackendError::Output)?;
        task.result = Some(answer);
        Ok(())
    }
}

impl From<RunnableAgent> for AgentArgs {
    fn from(agent: RunnableAgent) -> Self {
        agent.args
    }
}

fn model_of(args: &AgentArgs) -> Result<&ModelSpec, BackendError> {
    args.model
        .as_ref()
        .ok_or_else(|| BackendError::ModelConfig {
            agent_id: args.id.clone(),
            message: "the overrides replaced the model, which the agent engine cannot run: remove \
                  `model` from the overrides"
                .into(),
        })
}

/// The OpenAI-style body fields the model spec asks for: the end-user attribution and the
/// prompt-cache routing key (set only for providers that take them).
fn request_fields(spec: &ModelSpec) -> serde_json::Map<String, Value> {
    let mut fields = serde_json::Map::new();
    if let Some(user) = &spec.user {
        fields.insert("user".into(), Value::String(user.clone()));
    }
    if let Some(key) = &spec.prompt_cache_key {
        fields.insert("prompt_cache_key".into(), Value::String(key.clone()));
    }
    fields
}

fn effort_of(effort: &LlmReasoningEffort) -> Effort {
    match effort {
        LlmReasoningEffort::Low => Effort::Low,
        LlmReasoningEffort::High => Effort::High,
        LlmReasoningEffort::XHigh => Effort::XHigh,
        _ => Effort::Medium,
    }
}

fn tokens(usage: &Usage) -> Tokens {
    let mut tokens = Tokens::new(
        usage.input_tokens.unwrap_or_default(),
        usage.output_tokens.unwrap_or_default(),
    );
    tokens.cache_read_tokens = usage.cached_input_tokens.unwrap_or_default();
    tokens.cache_write_tokens = usage.cache_creation_input_tokens.unwrap_or_default();
    tokens
}

/// What a failed run is: the provider's error (its status and message, secrets masked), the
/// turn budget spent, or another failure of the run.
fn run_error(spec: &ModelSpec, error: &PromptError, calls: usize, turns: usize) -> BackendError {
    let key = spec
        .api_key
        .as_ref()
        .map(|k| k.expose())
        .unwrap_or_default();
    let mask = |text: &str| crate::secret::redact::http_body(text, key);
    if let PromptError::MaxTurns { .. } = error {
        return BackendError::AgentRun(format!(
            "the model was still calling tools after {turns} model calls ({calls} tool calls); \
             raise the agent's tool-call limit or simplify the task"
        ));
    }
    let status = error.provider_response_status().map(|s| s.as_u16());
    match (status, error.provider_response_body()) {
        (Some(status), body) => BackendError::Llm {
            provider: spec.provider.to_string(),
            status: Some(status),
            message: mask(body.unwrap_or("no details")),
        },
        (None, _) => {
            let text = mask(&error.to_string());
            if text.contains("connect") || text.contains("timed out") || text.contains("HTTP") {
                BackendError::Llm {
                    provider: spec.provider.to_string(),
                    status: None,
                    message: text,
                }
            } else {
                BackendError::AgentRun(text)
            }
        }
    }
}
