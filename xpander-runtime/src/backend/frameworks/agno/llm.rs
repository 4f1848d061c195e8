//! The Agno model object: the class for the provider and its constructor arguments.

use serde_json::{Map, Value, json};

use super::duration::seconds;
use crate::backend::frameworks::options::Secrets;
use crate::backend::llm::{LlmProvider, ModelSpec};

/// The Agno model class and its constructor arguments.
pub(super) fn model(spec: &ModelSpec, secrets: Secrets) -> Value {
    let mut m = Map::new();
    let class = match spec.provider {
        LlmProvider::OpenAi if spec.responses_api => "OpenAIResponses",
        LlmProvider::OpenAi => "OpenAIChat",
        LlmProvider::Nebius => "Nebius",
        LlmProvider::OpenRouter => "OpenRouter",
        LlmProvider::GoogleAiStudio => "Gemini",
        LlmProvider::Fireworks => "Fireworks",
        LlmProvider::Nim => "Nvidia",
        LlmProvider::AmazonBedrock => "AwsBedrock",
        LlmProvider::Anthropic => "Claude",
        LlmProvider::AzureAiFoundry => "AzureAIFoundry",
        _ => "OpenAILike",
    };
    m.insert("class".into(), json!(class));
    m.insert("provider".into(), json!(spec.provider));
    m.insert("id".into(), json!(spec.model_id));
    let key = spec
        .api_key
        .as_ref()
        .map_or(Value::Null, |k| secrets.show(k));
    let timeout = seconds(spec.request_timeout);
    match spec.provider {
        LlmProvider::AzureAiFoundry => {
            m.insert("azure_endpoint".into(), json!(spec.base_url));
            m.insert("api_key".into(), key);
        }
        LlmProvider::AmazonBedrock => {
            if let Some(token) = spec.api_key.as_ref().filter(|k| !k.is_empty()) {
                m.insert("aws_bearer_token".into(), secrets.show(token));
            }
            if let Some(region) = &spec.aws_region {
                m.insert("aws_region".into(), json!(region));
            }
            m.insert("endpoint_url".into(), json!(spec.base_url));
        }
        LlmProvider::GoogleAiStudio => {
            m.insert("api_key".into(), key);
            m.insert("timeout".into(), timeout.clone());
            if let Some(base) = &spec.base_url {
                let millis = (spec.request_timeout.as_secs_f64() * 1000.0) as u64;
                m.insert(
                    "client_params".into(),
                    json!({"http_options": {"base_url": base, "timeout": millis}}),
                );
            }
        }
        LlmProvider::Anthropic => {
            m.insert("api_key".into(), key);
            m.insert(
                "cache_system_prompt".into(),
                json!(spec.cache_system_prompt),
            );
            let mut client = Map::new();
            client.insert("timeout".into(), timeout.clone());
            if let Some(base) = &spec.base_url {
                client.insert("base_url".into(), json!(base));
            }
            m.insert("client_params".into(), Value::Object(client));
            m.insert("default_headers".into(), secrets.headers(&spec.headers));
        }
        _ => {
            m.insert("api_key".into(), key);
            if let Some(user) = &spec.user {
                m.insert("user".into(), json!(user));
            }
            m.insert("client_params".into(), json!({"timeout": timeout}));
            m.insert("extra_headers".into(), secrets.headers(&spec.headers));
            if let Some(base) = &spec.base_url {
                m.insert("base_url".into(), json!(base));
            }
            if let Some(key) = &spec.prompt_cache_key {
                m.insert("extra_body".into(), json!({"prompt_cache_key": key}));
            }
        }
    }
    m.insert("retries".into(), json!(spec.retries));
    m.insert(
        "exponential_backoff".into(),
        json!(spec.exponential_backoff),
    );
    if let Some(temperature) = spec.temperature {
        m.insert("temperature".into(), json!(temperature));
    }
    if let Some(effort) = &spec.reasoning_effort {
        m.insert("reasoning_effort".into(), json!(effort.as_str()));
    }
    if let Some(max) = spec.max_tokens {
        m.insert("max_tokens".into(), json!(max));
    }
    Value::Object(m)
}
