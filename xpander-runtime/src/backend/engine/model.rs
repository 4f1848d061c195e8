//! The model an agent runs on, as a rig completion model: the provider's client on a pooled
//! HTTP client of ours (rustls on ring, no redirects), with the agent's extra headers added to
//! every request.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use rig_core::DynModel;
use rig_core::http_client::{DynHttpClient, HttpMiddleware};
use rig_core::operation::Completion;
use rig_core::providers::anthropic::AnthropicConfig;
use rig_core::providers::gemini::GeminiConfig;
use rig_core::providers::openai::wire::AZURE;
use rig_core::providers::openai::{OpenAIConfig, Route};
use rig_core::wasm_compat::WasmBoxedFuture;

use crate::backend::llm::{LlmProvider, ModelSpec};
use crate::error::BackendError;

/// Output tokens asked of Anthropic when the agent sets no cap (its API requires one).
const ANTHROPIC_MAX_TOKENS: u64 = 8192;

/// The completion model for `spec`, or why the agent cannot run on it here.
pub(super) fn build(
    spec: &ModelSpec,
    agent_id: &str,
) -> Result<DynModel<Completion>, BackendError> {
    let http = transport(spec, agent_id)?;
    let key = spec
        .api_key
        .as_ref()
        .map(|key| key.expose().to_owned())
        .filter(|key| !key.is_empty() && key != "EMPTY");
    let base = spec
        .base_url
        .as_deref()
        .map(|url| url.trim_end_matches('/'));
    let id = spec.model_id.as_str();
    let model = match &spec.provider {
        LlmProvider::Anthropic => {
            let mut config = AnthropicConfig::new(required(key, spec, agent_id)?);
            if let Some(base) = base {
                config = config.with_base_url(base);
            }
            let mut model = config.connect(http).completion(id);
            let cap = spec.max_tokens.map_or(ANTHROPIC_MAX_TOKENS, u64::from);
            model.wire = model.wire.with_default_max_tokens(cap);
            model.erase()
        }
        LlmProvider::GoogleAiStudio => {
            let mut config = GeminiConfig::new(required(key, spec, agent_id)?);
            if let Some(base) = base {
                config = config.with_base_url(base);
            }
            config.connect(http).completion(id).erase()
        }
        LlmProvider::AmazonBedrock => {
            return Err(BackendError::UnsupportedEngineProvider {
                provider: spec.provider.to_string(),
                reason: "Bedrock needs the AWS SDK, which this build leaves out; point the \
                         agent at an OpenAI-compatible gateway, or run it with the Python SDK"
                    .into(),
            });
        }
        LlmProvider::AzureAiFoundry => {
            let base = base.ok_or_else(|| {
                config_error(
                    agent_id,
                    "Azure needs the agent's \
                llm_api_base (https://<resource>.openai.azure.com); the model is the deployment",
                )
            })?;
            let config = OpenAIConfig::with_key(&AZURE, required(key, spec, agent_id)?)
                .with_base_url(base)
                .with_route(Route::Chat);
            config.connect(http).completion(id).erase()
        }
        LlmProvider::OpenAi => {
            let mut config = OpenAIConfig::new(key.unwrap_or_default());
            if let Some(base) = base {
                config = config.with_base_url(base);
            }
            let route = if spec.responses_api {
                Route::Responses
            } else {
                Route::Chat
            };
            config
                .with_route(route)
                .connect(http)
                .completion(id)
                .erase()
        }
        other => {
            let base = base.or_else(|| public_endpoint(other)).ok_or_else(|| {
                BackendError::UnsupportedEngineProvider {
                    provider: other.to_string(),
                    reason: "no endpoint is known for it: set the agent's llm_api_base to an \
                             OpenAI-compatible endpoint"
                        .into(),
                }
            })?;
            // Every other provider the platform names speaks OpenAI's Chat Completions.
            let config = OpenAIConfig::new(key.unwrap_or_default())
                .with_base_url(base)
                .with_route(Route::Chat);
            config.connect(http).completion(id).erase()
        }
    };
    Ok(model)
}

/// The public OpenAI-compatible endpoints of providers whose profile has no fixed base URL.
fn public_endpoint(provider: &LlmProvider) -> Option<&'static str> {
    Some(match provider {
        LlmProvider::OpenRouter => "https://openrouter.ai/api/v1",
        LlmProvider::Fireworks => "https://api.fireworks.ai/inference/v1",
        LlmProvider::Nim => "https://integrate.api.nvidia.com/v1",
        LlmProvider::Nebius => "https://api.tokenfactory.nebius.com/v1",
        _ => return None,
    })
}

fn required(key: Option<String>, spec: &ModelSpec, agent_id: &str) -> Result<String, BackendError> {
    key.ok_or_else(|| {
        config_error(
            agent_id,
            &format!(
                "no API key for {}: give the agent a credential, or set the provider's key \
                 variable",
                spec.provider
            ),
        )
    })
}

fn config_error(agent_id: &str, message: &str) -> BackendError {
    BackendError::ModelConfig {
        agent_id: agent_id.to_owned(),
        message: message.to_owned(),
    }
}

/// Our pooled client for model calls, with the agent's headers on every request.
fn transport(spec: &ModelSpec, agent_id: &str) -> Result<DynHttpClient, BackendError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &spec.headers {
        let parsed = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value.expose()),
        );
        let (Ok(name), Ok(mut value)) = parsed else {
            return Err(config_error(
                agent_id,
                &format!("the LLM header `{name}` is not a valid HTTP header"),
            ));
        };
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    let client = crate::platform::model_client(request_timeout(spec));
    let http = DynHttpClient::new(rig_reqwest::ReqwestClient::from(client));
    Ok(if headers.is_empty() {
        http
    } else {
        http.with_middleware(ExtraHeaders(headers))
    })
}

fn request_timeout(spec: &ModelSpec) -> Duration {
    if spec.request_timeout.is_zero() {
        Duration::from_secs(600)
    } else {
        spec.request_timeout
    }
}

/// The agent's extra LLM headers; they win over the client's own, as in the Python SDK.
struct ExtraHeaders(HeaderMap);

impl HttpMiddleware for ExtraHeaders {
    fn before_request_headers<'a>(
        &'a self,
        _method: &'a rig_core::http_client::Method,
        _uri: &'a rig_core::http_client::Uri,
        headers: &'a mut HeaderMap,
    ) -> WasmBoxedFuture<'a, rig_core::http_client::Result<()>> {
        Box::pin(async move {
            for (name, value) in &self.0 {
                headers.insert(name, value.clone());
            }
            Ok(())
        })
    }
}
