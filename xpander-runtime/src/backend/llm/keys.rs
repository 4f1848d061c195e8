//! Which LLM key an agent's model gets, and which headers go with it.
//!
//! Key precedence for one environment variable `ENV` (the Python SDK's `get_llm_key`):
//! 1. the caller's OIDC token for the agent's LLM audience, when the agent asks for it;
//! 2. an endpoint of the user's own choosing (an `llm_api_base` away from the provider's API)
//!    in xpander cloud, or for a provider with its own public API: only the agent's own
//!    credential (or `"EMPTY"`), never a key of this installation;
//! 3. without an agent credential: `ENV`;
//! 4. in cloud (`IS_XPANDER_CLOUD=true`): the agent's credential, then `ENV`;
//! 5. locally: `ENV`, then the agent's credential.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::provider::LlmProvider;
use crate::Secret;
use crate::backend::env::Env;
use crate::model::{Agent, Task};

/// "No key": what a keyless endpoint gets, as vLLM and Ollama expect.
pub(crate) const EMPTY_KEY: &str = "EMPTY";

/// Everything the key choice depends on, resolved once per model build.
pub(crate) struct KeyChooser<'a> {
    oidc: Option<Secret>,
    custom: Option<&'a Secret>,
    cloud: bool,
    own_credential_only: bool,
    env: &'a Env,
}

impl<'a> KeyChooser<'a> {
    pub fn new(
        agent: &'a Agent,
        task: Option<&Task>,
        provider: &LlmProvider,
        env: &'a Env,
        cloud: bool,
    ) -> Self {
        let custom = agent
            .llm_credentials
            .as_ref()
            .map(|c| &c.value)
            .filter(|v| !v.is_empty());
        let user_endpoint = is_user_endpoint(agent.llm_api_base.as_deref(), provider);
        Self {
            oidc: oidc_llm_token(agent, task),
            custom,
            cloud,
            own_credential_only: user_endpoint && (cloud || provider.canonical_host().is_some()),
            env,
        }
    }

    /// The OIDC token used as the LLM key (also sent as `x-oidc-token`).
    pub fn oidc_token(&self) -> Option<&Secret> {
        self.oidc.as_ref()
    }

    /// The key for the provider whose environment variable is `env_var`.
    pub fn key(&self, env_var: &str) -> Option<Secret> {
        if let Some(token) = &self.oidc {
            return Some(token.clone());
        }
        if self.own_credential_only {
            return Some(
                self.custom
                    .cloned()
                    .unwrap_or_else(|| Secret::new(EMPTY_KEY)),
            );
        }
        let from_env = self.env.var(env_var).map(Secret::from);
        match self.custom {
            None => from_env,
            Some(custom) if self.cloud => Some(custom.clone()),
            Some(custom) => from_env.or_else(|| Some(custom.clone())),
        }
    }

    /// The first key found among `env_vars` (OpenAI tries `AGENTS_OPENAI_API_KEY` first).
    pub fn first_key(&self, env_vars: &[&str]) -> Option<Secret> {
        env_vars.iter().find_map(|var| self.key(var))
    }
}

/// The caller's OIDC token for the agent's LLM audience: the agent pre-authenticates, uses the
/// token for the LLM, names the audience, and the task carries `user_tokens.oidc_tokens`.
fn oidc_llm_token(agent: &Agent, task: Option<&Task>) -> Option<Secret> {
    if agent.pre_auth_audiences.is_empty() || !agent.use_oidc_pre_auth_token_for_llm {
        return None;
    }
    let audience = agent.oidc_pre_auth_token_llm_audience.as_deref()?;
    task?
        .user_tokens
        .as_ref()?
        .oidc_token(audience)
        .filter(|t| !t.is_empty())
}

/// Whether `base_url` points somewhere other than the provider's own API.
pub(crate) fn is_user_endpoint(base_url: Option<&str>, provider: &LlmProvider) -> bool {
    let raw = base_url.unwrap_or_default().trim();
    if raw.is_empty() {
        return false;
    }
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("http://{raw}")
    };
    let host = reqwest::Url::parse(&with_scheme)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    Some(host.as_str()) != provider.canonical_host()
}

/// Header maps as the platform stores them, cleaned as the Python SDK cleans them: names
/// trimmed and non-empty, values turned into text (Python's `str()`), trimmed and non-empty.
pub(crate) fn sanitize_headers(headers: &Map<String, Value>) -> BTreeMap<String, Secret> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.trim();
            let text = python_str(value)?;
            let text = text.trim();
            (!name.is_empty() && !text.is_empty()).then(|| (name.to_owned(), Secret::new(text)))
        })
        .collect()
}

/// The agent's own headers, cleaned the same way.
pub(crate) fn sanitize_secret_headers(
    headers: &BTreeMap<String, Secret>,
) -> BTreeMap<String, Secret> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.trim();
            let text = value.expose().trim();
            (!name.is_empty() && !text.is_empty()).then(|| (name.to_owned(), Secret::new(text)))
        })
        .collect()
}

/// Python's `str(value)` for a JSON value; `None` for null (dropped).
fn python_str(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            _ => n.to_string(),
        }),
        other => Some(crate::pyjson::dumps(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LlmCredentials;
    use serde_json::json;

    fn agent(custom: Option<&str>, base: Option<&str>) -> Agent {
        let mut agent: Agent = serde_json::from_value(json!({
            "id": "a", "organization_id": "o", "name": "n", "unique_name": "n",
            "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
        }))
        .unwrap();
        agent.llm_credentials = custom.map(|v| LlmCredentials {
            name: "k".into(),
            description: None,
            value: Secret::new(v),
        });
        agent.llm_api_base = base.map(str::to_owned);
        agent
    }

    fn env(vars: &[(&str, &str)]) -> Env {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::from_fn(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    fn key(agent: &Agent, env: &Env, cloud: bool) -> Option<String> {
        KeyChooser::new(agent, None, &LlmProvider::OpenAi, env, cloud)
            .first_key(&["AGENTS_OPENAI_API_KEY", "OPENAI_API_KEY"])
            .map(|s| s.expose().to_owned())
    }

    #[test]
    fn local_prefers_the_environment_then_the_agent_key() {
        let e = env(&[
            ("AGENTS_OPENAI_API_KEY", "agents-env"),
            ("OPENAI_API_KEY", "openai-env"),
        ]);
        assert_eq!(
            key(&agent(Some("custom"), None), &e, false).as_deref(),
            Some("agents-env")
        );
        // A custom key answers the first lookup already: OPENAI_API_KEY is never consulted.
        let e = env(&[("OPENAI_API_KEY", "openai-env")]);
        assert_eq!(
            key(&agent(Some("custom"), None), &e, false).as_deref(),
            Some("custom")
        );
        assert_eq!(
            key(&agent(None, None), &e, false).as_deref(),
            Some("openai-env")
        );
        assert_eq!(key(&agent(None, None), &env(&[]), false), None);
    }

    #[test]
    fn cloud_prefers_the_agent_key() {
        let e = env(&[("AGENTS_OPENAI_API_KEY", "agents-env")]);
        assert_eq!(
            key(&agent(Some("custom"), None), &e, true).as_deref(),
            Some("custom")
        );
        assert_eq!(
            key(&agent(None, None), &e, true).as_deref(),
            Some("agents-env")
        );
        let e = env(&[("AGENTS_OPENAI_API_KEY", "")]);
        assert_eq!(
            key(&agent(None, None), &e, true),
            None,
            "empty counts as unset"
        );
    }

    #[test]
    fn a_user_endpoint_gets_only_the_agent_credential() {
        let e = env(&[("OPENAI_API_KEY", "install-key")]);
        let own = agent(Some("own"), Some("https://my-gateway.example/v1"));
        assert_eq!(key(&own, &e, false).as_deref(), Some("own"));
        let keyless = agent(None, Some("https://my-gateway.example/v1"));
        assert_eq!(key(&keyless, &e, false).as_deref(), Some("EMPTY"));
        let vendor = agent(None, Some("https://api.openai.com/v1"));
        assert_eq!(key(&vendor, &e, false).as_deref(), Some("install-key"));
    }

    #[test]
    fn oidc_wins() {
        let mut a = agent(Some("custom"), None);
        a.pre_auth_audiences = vec!["llm".into()];
        a.use_oidc_pre_auth_token_for_llm = true;
        a.oidc_pre_auth_token_llm_audience = Some("llm".into());
        let mut task = Task::from_prompt("x");
        task.user_tokens =
            Some(serde_json::from_value(json!({"oidc_tokens": {"llm": "jwt"}})).unwrap());
        let e = env(&[("OPENAI_API_KEY", "env")]);
        let chooser = KeyChooser::new(&a, Some(&task), &LlmProvider::OpenAi, &e, false);
        assert_eq!(chooser.key("OPENAI_API_KEY").unwrap().expose(), "jwt");
        assert_eq!(chooser.oidc_token().unwrap().expose(), "jwt");
    }

    #[test]
    fn header_cleaning_follows_python_str() {
        let cleaned = sanitize_headers(
            json!({" x-a ": " 1 ", "": "v", "x-empty": "  ", "x-null": null, "x-bool": true,
                   "x-int": 7, "x-float": 2.0, "x-f": 1.5})
            .as_object()
            .unwrap(),
        );
        let shown: Vec<(&str, &str)> = cleaned
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            shown,
            [
                ("x-a", "1"),
                ("x-bool", "True"),
                ("x-f", "1.5"),
                ("x-float", "2.0"),
                ("x-int", "7")
            ]
        );
    }
}
