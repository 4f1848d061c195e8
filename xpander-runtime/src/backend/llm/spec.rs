//! [`ModelSpec`]: the model an agent runs on and how to reach it, as
//! [`resolve_model`](super::resolve_model) decides it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::provider::LlmProvider;
use crate::Secret;
use crate::model::LlmReasoningEffort;

/// The model an agent runs on, and how to reach it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelSpec {
    /// The provider (the platform's name, lower-cased); an unknown provider with a base URL is
    /// [`LlmProvider::OpenAiCompatible`].
    pub provider: LlmProvider,
    /// The model id, lower-cased (the task's `llm_model_name` wins over the agent's).
    pub model_id: String,
    /// The key; `None` when neither the agent, the task's OIDC token nor the environment has
    /// one. `"EMPTY"` stands for "no key" at an endpoint that takes none.
    pub api_key: Option<Secret>,
    /// A custom endpoint (the agent's `llm_api_base`, or the provider's fixed one).
    pub base_url: Option<String>,
    /// Headers for every LLM request: the OIDC token, the organization's defaults, the
    /// agent's own, in that order (later wins); for Anthropic also `User-Agent`.
    pub headers: BTreeMap<String, Secret>,
    /// The sampling temperature; `None` leaves the provider default (reasoning models).
    pub temperature: Option<f64>,
    /// The reasoning effort, when not the default (`medium`) and the model takes one.
    pub reasoning_effort: Option<LlmReasoningEffort>,
    /// Whether OpenAI's Responses API must be used instead of Chat Completions.
    pub responses_api: bool,
    /// The end-user attribution sent as the OpenAI-style `user` field (the organization id).
    pub user: Option<String>,
    /// A cap on output tokens, where the provider's default is too small.
    pub max_tokens: Option<u32>,
    /// A prompt-cache routing key (`{organization}:{agent}`, hashed past 64 characters).
    pub prompt_cache_key: Option<String>,
    /// Whether the system prompt is marked for prompt caching (Anthropic).
    pub cache_system_prompt: bool,
    /// Retries of a failed LLM call.
    pub retries: u32,
    /// Whether retries back off exponentially.
    pub exponential_backoff: bool,
    /// How long one LLM request may take.
    pub request_timeout: Duration,
    /// The AWS region (Bedrock), from `AWS_REGION`.
    pub aws_region: Option<String>,
}
