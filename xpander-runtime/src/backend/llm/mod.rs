//! The LLM an agent runs on: [`LlmProvider`] and [`resolve_model`], which turns the agent's
//! (or the task's) provider and model into a [`ModelSpec`] with key, headers and sampling
//! settings as the Python SDK 2.0.537 sets them. Pure: the organization's default headers are
//! fetched by the caller.

mod endpoint;
pub(crate) mod families;
mod keys;
mod provider;
mod spec;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

pub use provider::LlmProvider;
pub use spec::ModelSpec;

use crate::Secret;
use crate::backend::env::Env;
use crate::error::BackendError;
use crate::model::{Agent, LlmReasoningEffort, Task};
use families::{is_reasoning_family, requires_responses_api};
use keys::{EMPTY_KEY, KeyChooser};

/// One LLM request may take this long: agent turns can run for hours.
pub(crate) const LLM_REQUEST_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// Output token cap where a provider's default is too small (`XPANDER_LLM_MAX_OUTPUT_TOKENS`).
const DEFAULT_MAX_OUTPUT_TOKENS: i64 = 32_000;

/// The prompt-cache key may be at most this long (OpenAI's limit).
const MAX_PROMPT_CACHE_KEY_LEN: usize = 64;

/// The model for `agent` (and `task`, whose `llm_model_*` fields win), with the organization's
/// default LLM headers already fetched (`{}` offline).
pub(crate) fn resolve_model(
    agent: &Agent,
    task: Option<&Task>,
    org_headers: &Map<String, Value>,
    env: &Env,
    cloud: bool,
) -> Result<ModelSpec, BackendError> {
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let named = LlmProvider::from(
        task.and_then(|t| non_empty(&t.llm_model_provider))
            .unwrap_or_else(|| agent.model_provider.clone())
            .to_lowercase()
            .as_str(),
    );
    let model_id = task
        .and_then(|t| non_empty(&t.llm_model_name))
        .unwrap_or_else(|| agent.model_name.clone())
        .to_lowercase();
    let effort = task
        .and_then(|t| t.llm_reasoning_effort.clone())
        .unwrap_or_else(|| agent.llm_reasoning_effort.clone());
    let reasoning_family = is_reasoning_family(&model_id);
    let config_error = |message: String| BackendError::ModelConfig {
        agent_id: agent.id.clone(),
        message,
    };

    if let Some(reason) = endpoint::refusal(agent.llm_api_base.as_deref(), cloud) {
        return Err(config_error(format!(
            "llm_api_base is {reason}, which this platform does not call; set it to the \
             endpoint's public https address, or clear it to use the provider's own API"
        )));
    }
    // The key choice looks at the provider as named (an unknown one has no public API).
    let keys = KeyChooser::new(agent, task, &named, env, cloud);

    // Headers, later wins: the OIDC token, the organization's defaults, the agent's own.
    let mut headers = BTreeMap::new();
    if let Some(token) = keys.oidc_token() {
        headers.insert("x-oidc-token".to_owned(), token.clone());
    }
    headers.extend(keys::sanitize_headers(org_headers));
    headers.extend(keys::sanitize_secret_headers(&agent.llm_extra_headers));

    let base_url = agent.llm_api_base.clone().filter(|b| !b.is_empty());
    let (provider, profile) = match named.profile() {
        Some(profile) => (named, profile),
        // An unknown provider that names an endpoint is an OpenAI-compatible custom provider.
        None if base_url.is_some() => {
            let compatible = LlmProvider::OpenAiCompatible;
            let profile = compatible.profile().expect("a known provider");
            (compatible, profile)
        }
        None => {
            return Err(BackendError::UnsupportedProvider {
                provider: named.to_string(),
            });
        }
    };

    let reasoning_effort =
        (effort != LlmReasoningEffort::Medium && !model_id.is_empty() && reasoning_family)
            .then_some(effort);
    let mut spec = ModelSpec {
        model_id: model_id.clone(),
        api_key: keys.first_key(profile.env_keys),
        base_url: base_url.or_else(|| profile.default_base_url.map(str::to_owned)),
        headers: if profile.takes_headers {
            headers.clone()
        } else {
            BTreeMap::new()
        },
        temperature: profile.zero_temperature.then_some(0.0),
        responses_api: false,
        reasoning_effort,
        user: profile.sends_user.then(|| agent.organization_id.clone()),
        max_tokens: None,
        prompt_cache_key: provider
            .takes_prompt_cache_key()
            .then(|| bounded_cache_key(&format!("{}:{}", agent.organization_id, agent.id))),
        cache_system_prompt: false,
        retries: 3,
        exponential_backoff: true,
        request_timeout: LLM_REQUEST_TIMEOUT,
        aws_region: None,
        provider,
    };
    let max_output =
        u32::try_from(env.int("XPANDER_LLM_MAX_OUTPUT_TOKENS", DEFAULT_MAX_OUTPUT_TOKENS))
            .unwrap_or(32_000);

    match spec.provider {
        LlmProvider::OpenAi => {
            spec.responses_api = requires_responses_api(&model_id)
                || (reasoning_family
                    && matches!(
                        spec.reasoning_effort,
                        Some(LlmReasoningEffort::High | LlmReasoningEffort::XHigh)
                    ));
        }
        LlmProvider::OpenRouter => spec.max_tokens = Some(max_output),
        LlmProvider::AmazonBedrock => {
            const NO_TEMPERATURE: [&str; 5] =
                ["opus-4-7", "opus-4-8", "opus-5", "sonnet-5", "fable-5"];
            if NO_TEMPERATURE.iter().any(|m| model_id.contains(m)) {
                spec.temperature = None;
            }
            if spec
                .api_key
                .as_ref()
                .is_some_and(|k| k.expose() == EMPTY_KEY)
            {
                return Err(config_error(
                    "a custom Bedrock endpoint needs its own credential: store a Bedrock key on \
                     the agent"
                        .into(),
                ));
            }
            spec.max_tokens = Some(max_output);
            spec.aws_region = env.var("AWS_REGION");
            spec.prompt_cache_key = None;
        }
        LlmProvider::Anthropic => {
            // The organization is Anthropic's attribution, sent as the User-Agent.
            spec.headers.insert(
                "User-Agent".into(),
                Secret::new(agent.organization_id.clone()),
            );
            if model_id.contains("fable") {
                spec.temperature = None;
            }
            spec.cache_system_prompt = true;
            spec.max_tokens = Some(max_output);
        }
        LlmProvider::AzureAiFoundry => {
            let from_header = headers
                .get("Authorization")
                .or_else(|| headers.get("authorization"))
                .cloned();
            let key = from_header
                .or_else(|| keys.key("AZURE_API_KEY"))
                .ok_or_else(|| {
                    config_error(
                        "Azure AI Foundry needs an API key: an `Authorization` header in \
                         llm_extra_headers, a custom LLM key, or AZURE_API_KEY"
                            .into(),
                    )
                })?;
            if spec.base_url.is_none() {
                return Err(config_error(
                    "Azure AI Foundry needs llm_api_base (the Azure endpoint)".into(),
                ));
            }
            let stripped = key.expose().replace("Bearer ", "").replace("bearer ", "");
            spec.api_key = Some(Secret::new(stripped));
            spec.reasoning_effort = None;
        }
        LlmProvider::OpenAiCompatible => {
            if spec.base_url.is_none() {
                return Err(config_error(
                    "the openai_compatible provider needs llm_api_base (the endpoint's /v1 URL)"
                        .into(),
                ));
            }
            if spec.api_key.is_none() {
                spec.api_key = Some(Secret::new(EMPTY_KEY));
            }
        }
        _ => {}
    }
    // Reasoning families reject any sampling temperature, whichever provider serves them.
    if reasoning_family {
        spec.temperature = None;
    }
    Ok(spec)
}

/// `raw` when it fits the provider's limit, else its MD5 digest (stable, so routing holds).
fn bounded_cache_key(raw: &str) -> String {
    if raw.len() <= MAX_PROMPT_CACHE_KEY_LEN {
        raw.to_owned()
    } else {
        use md5::Digest;
        md5::Md5::digest(raw.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_cache_key_becomes_its_md5_as_in_python() {
        let raw = format!("org-1:{}", "a".repeat(70));
        // hashlib.md5(raw.encode()).hexdigest()
        assert_eq!(
            super::bounded_cache_key(&raw),
            "8d917f1b2621a977d0509220ac1287c4"
        );
        assert_eq!(super::bounded_cache_key("org-1:agent-1"), "org-1:agent-1");
    }

    use super::*;
    use serde_json::json;

    fn agent(provider: &str, model: &str, extra: Value) -> Agent {
        let mut value = json!({
            "id": "agent-1", "organization_id": "org-1", "name": "n", "unique_name": "n",
            "framework": "agno", "model_provider": provider, "model_name": model,
        });
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(value).unwrap()
    }

    fn env(vars: &[(&'static str, &'static str)]) -> Env {
        let vars = vars.to_vec();
        Env::from_fn(move |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        })
    }

    fn resolve(agent: &Agent, org: Value) -> ModelSpec {
        resolve_model(
            agent,
            None,
            org.as_object().unwrap(),
            &env(&[("OPENAI_API_KEY", "sk")]),
            false,
        )
        .unwrap()
    }

    #[test]
    fn openai_defaults() {
        let spec = resolve(&agent("OpenAI", "GPT-4.1", json!({})), json!({}));
        assert_eq!(spec.provider.as_str(), "openai");
        assert_eq!(spec.model_id, "gpt-4.1");
        assert_eq!(spec.temperature, Some(0.0));
        assert_eq!(spec.user.as_deref(), Some("org-1"));
        assert_eq!(spec.prompt_cache_key.as_deref(), Some("org-1:agent-1"));
        assert_eq!(spec.api_key.unwrap().expose(), "sk");
        assert!(!spec.responses_api);
    }

    #[test]
    fn headers_merge_in_order() {
        let a = agent(
            "openai",
            "gpt-4.1",
            json!({"llm_extra_headers": {"x-shared": "agent", "x-agent": "a", "x-blank": " "}}),
        );
        let spec = resolve(&a, json!({"x-shared": "org", "x-org": "o", "": "dropped"}));
        let shown: Vec<(&str, &str)> = spec
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            shown,
            [("x-agent", "a"), ("x-org", "o"), ("x-shared", "agent")]
        );
    }

    #[test]
    fn gpt5_reasoning_effort_keeps_headers_and_drops_temperature() {
        let a = agent(
            "openai",
            "gpt-5",
            json!({"llm_reasoning_effort": "high", "llm_extra_headers": {"x-h": "1"}}),
        );
        let spec = resolve(&a, json!({}));
        assert_eq!(spec.temperature, None);
        assert_eq!(spec.reasoning_effort, Some(LlmReasoningEffort::High));
        assert!(spec.responses_api);
        assert_eq!(spec.headers.len(), 1);
        let medium = resolve(&agent("openai", "gpt-5", json!({})), json!({}));
        assert_eq!(medium.reasoning_effort, None);
        assert!(!medium.responses_api);
    }

    #[test]
    fn anthropic_gets_user_agent_and_caching() {
        let a = agent(
            "anthropic",
            "claude-sonnet-4-5",
            json!({"llm_extra_headers": {"x-c": "1"}}),
        );
        let spec = resolve(&a, json!({}));
        assert_eq!(spec.headers["User-Agent"].expose(), "org-1");
        assert!(spec.cache_system_prompt);
        assert_eq!(spec.max_tokens, Some(32_000));
        assert_eq!(spec.temperature, Some(0.0));
        assert_eq!(spec.user, None);
        assert_eq!(spec.prompt_cache_key, None);
    }

    #[test]
    fn headerless_providers() {
        let a = agent(
            "google_ai_studio",
            "gemini-2.5-pro",
            json!({"llm_extra_headers": {"x": "1"}}),
        );
        assert!(resolve(&a, json!({})).headers.is_empty());
        let a = agent("amazon_bedrock", "anthropic.claude-opus-4-7", json!({}));
        let spec = resolve(&a, json!({"x": "1"}));
        assert!(spec.headers.is_empty());
        assert_eq!(spec.temperature, None);
    }

    #[test]
    fn fixed_base_urls_yield_to_the_agent() {
        let spec = resolve(&agent("helicone", "gpt-4o", json!({})), json!({}));
        assert_eq!(
            spec.base_url.as_deref(),
            Some("https://ai-gateway.helicone.ai/v1")
        );
        let own = agent(
            "helicone",
            "gpt-4o",
            json!({"llm_api_base": "https://gw.example/v1"}),
        );
        assert_eq!(
            resolve(&own, json!({})).base_url.as_deref(),
            Some("https://gw.example/v1")
        );
    }

    #[test]
    fn azure_needs_key_and_base() {
        let e = env(&[]);
        let a = agent(
            "azure_ai_foundary",
            "gpt-4o",
            json!({"llm_extra_headers": {"Authorization": "Bearer az"}}),
        );
        let err = resolve_model(&a, None, &Map::new(), &e, false).unwrap_err();
        assert!(err.to_string().contains("llm_api_base"), "{err}");
        let a = agent(
            "azure_ai_foundary",
            "gpt-4o",
            json!({"llm_extra_headers": {"Authorization": "Bearer az"}, "llm_api_base": "https://x.azure.com"}),
        );
        let spec = resolve_model(&a, None, &Map::new(), &e, false).unwrap();
        assert_eq!(spec.api_key.unwrap().expose(), "az");
        assert!(spec.headers.is_empty());
    }

    #[test]
    fn unknown_providers() {
        let e = env(&[]);
        let err = resolve_model(
            &agent("huggingFace", "m", json!({})),
            None,
            &Map::new(),
            &e,
            false,
        )
        .unwrap_err();
        assert!(
            matches!(err, BackendError::UnsupportedProvider { ref provider } if provider == "huggingface")
        );
        let custom = agent(
            "my_llm",
            "m",
            json!({"llm_api_base": "http://10.1.1.1:8000/v1"}),
        );
        let spec = resolve_model(&custom, None, &Map::new(), &e, false).unwrap();
        assert_eq!(spec.provider.as_str(), "openai_compatible");
        assert_eq!(spec.api_key.unwrap().expose(), "EMPTY");
    }

    #[test]
    fn task_model_fields_win() {
        let mut task = Task::from_prompt("x");
        task.llm_model_provider = Some("Anthropic".into());
        task.llm_model_name = Some("Claude-Opus".into());
        let spec = resolve_model(
            &agent("openai", "gpt-4.1", json!({})),
            Some(&task),
            &Map::new(),
            &env(&[]),
            false,
        )
        .unwrap();
        assert_eq!(
            (spec.provider.as_str(), spec.model_id.as_str()),
            ("anthropic", "claude-opus")
        );
    }

    #[test]
    fn metadata_endpoints_are_refused() {
        let a = agent(
            "openai",
            "gpt-4.1",
            json!({"llm_api_base": "http://169.254.169.254/v1"}),
        );
        let err = resolve_model(&a, None, &Map::new(), &env(&[]), false).unwrap_err();
        assert!(matches!(err, BackendError::ModelConfig { .. }));
    }

    #[test]
    fn long_cache_keys_are_hashed() {
        assert_eq!(bounded_cache_key("o:a"), "o:a");
        let long = "x".repeat(65);
        assert_eq!(bounded_cache_key(&long).len(), 32);
    }
}
