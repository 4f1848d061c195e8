//! What the scripted LLM was asked ([`LlmRequestRecord`]), in one shape for both APIs, and the
//! log that keeps the records (`GET /_dev/llm/requests`).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xpander_runtime::model::Timestamp;

/// How many records the log keeps: they hold whole conversations, so fewer than the request
/// log's entries.
const CAPACITY: usize = 2_000;

/// The API a request came in on.
///
/// ```
/// use xpander_devserver::LlmApi;
///
/// assert_eq!(serde_json::to_value(LlmApi::OpenAi).unwrap(), "openai");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmApi {
    /// OpenAI Chat Completions (`/openai/v1/chat/completions`).
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic Messages (`/anthropic/v1/messages`).
    Anthropic,
}

/// A tool offered to the model, the same for both APIs: OpenAI's `function.parameters` and
/// Anthropic's `input_schema` are both `parameters`.
///
/// ```
/// use serde_json::json;
/// use xpander_devserver::LlmTool;
///
/// let tool: LlmTool = serde_json::from_value(json!({
///     "name": "search", "description": "Searches.", "parameters": {"type": "object"},
/// })).unwrap();
/// assert_eq!(tool.parameters, Some(json!({"type": "object"})));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmTool {
    /// The tool's name (for a provider's built-in tool without one, its `type`).
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// The JSON schema of its arguments.
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// One request to the scripted LLM, as `GET /_dev/llm/requests` and
/// [`DevServerHandle::llm_requests`](crate::DevServerHandle::llm_requests) show it. Credential
/// headers are stored redacted: the raw key is never kept.
///
/// ```
/// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
/// use xpander_devserver::{DevServer, DevServerOptions};
///
/// let server = DevServer::start(DevServerOptions::default()).await?;
/// // After a client called `{base_url}/_dev/llm/openai/v1/chat/completions`:
/// for record in server.llm_requests().await {
///     println!("{:?} turn {:?}: {:?}", record.api, record.turn, record.system);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmRequestRecord {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// When it arrived (UTC).
    pub time: Timestamp,
    /// The API.
    pub api: LlmApi,
    /// The agent of a per-agent route (`/_dev/llm/agents/{agent_id}/...`).
    pub agent_id: Option<String>,
    /// The script that answered: `default` or `agents.{agent_id}`.
    pub script: String,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// `model`.
    pub model: Option<String>,
    /// `temperature`.
    pub temperature: Option<f64>,
    /// `top_p`.
    pub top_p: Option<f64>,
    /// `max_tokens` (OpenAI: or `max_completion_tokens`).
    pub max_tokens: Option<u64>,
    /// OpenAI's `reasoning_effort` (or `reasoning.effort`), Anthropic's `output_config.effort`.
    pub reasoning_effort: Option<String>,
    /// The system prompt: OpenAI's `system` and `developer` messages, Anthropic's `system`
    /// (a string or text blocks); texts joined by a blank line.
    pub system: Option<String>,
    /// `messages`, as sent.
    pub messages: Vec<Value>,
    /// The tools offered.
    pub tools: Vec<LlmTool>,
    /// `tool_choice`, as sent.
    pub tool_choice: Option<Value>,
    /// Structured output: OpenAI's `response_format`, Anthropic's `output_format` (or
    /// `output_config.format`), as sent.
    pub response_format: Option<Value>,
    /// The request's other top-level keys, as sent (`stop`, `seed`, `thinking`,
    /// `stream_options`, ...).
    pub other: Map<String, Value>,
    /// The request headers (names in lower case), credentials `[REDACTED]`.
    pub headers: BTreeMap<String, String>,
    /// The turn answered (or failed, or missing): the number of assistant messages sent.
    pub turn: Option<usize>,
    /// The HTTP status answered.
    pub status: u16,
    /// The ids given to the tool calls answered.
    pub tool_call_ids: Vec<String>,
    /// Why the request failed: a `fail` turn's message, a turn past the script's end, or a
    /// malformed request.
    pub error: Option<String>,
}

impl LlmRequestRecord {
    /// A record of a request not read yet.
    pub(crate) fn new(
        api: LlmApi,
        agent_id: Option<String>,
        headers: BTreeMap<String, String>,
    ) -> Self {
        Self {
            seq: 0,
            time: Timestamp::now(),
            api,
            agent_id,
            script: String::new(),
            stream: false,
            model: None,
            temperature: None,
            top_p: None,
            max_tokens: None,
            reasoning_effort: None,
            system: None,
            messages: Vec::new(),
            tools: Vec::new(),
            tool_choice: None,
            response_format: None,
            other: Map::new(),
            headers,
            turn: None,
            status: 200,
            tool_call_ids: Vec::new(),
            error: None,
        }
    }
}

/// The last records, oldest first.
#[derive(Debug)]
pub(crate) struct LlmLog {
    next_seq: u64,
    records: VecDeque<LlmRequestRecord>,
}

impl Default for LlmLog {
    fn default() -> Self {
        Self {
            next_seq: 1,
            records: VecDeque::new(),
        }
    }
}

impl LlmLog {
    pub fn push(&mut self, mut record: LlmRequestRecord) {
        record.seq = self.next_seq;
        self.next_seq += 1;
        self.records.push_back(record);
        if self.records.len() > CAPACITY {
            self.records.pop_front();
        }
    }

    pub fn records(&self) -> impl Iterator<Item = &LlmRequestRecord> {
        self.records.iter()
    }

    pub fn clear(&mut self) {
        self.records.clear();
    }
}
