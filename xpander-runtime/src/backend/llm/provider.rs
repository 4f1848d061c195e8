//! [`LlmProvider`]: the LLM providers the platform names, and what each needs to be reached
//! (its key variables, a fixed base URL, the request fields it takes).

use crate::model::open_enum::open_enum;

open_enum! {
    /// An LLM provider, spelled as the platform stores it (`model_provider`, lower-cased).
    /// A provider this version does not know is kept as `Other`; with a base URL it is served as
    /// [`LlmProvider::OpenAiCompatible`].
    ///
    /// ```
    /// use xpander_runtime::backend::LlmProvider;
    ///
    /// assert_eq!(LlmProvider::from("azure_ai_foundary"), LlmProvider::AzureAiFoundry);
    /// assert_eq!(LlmProvider::OpenRouter.to_string(), "open_router");
    /// let unknown: LlmProvider = serde_json::from_str("\"my_llm\"").unwrap();
    /// assert_eq!(unknown, LlmProvider::Other("my_llm".into()));
    /// assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"my_llm\"");
    /// ```
    pub enum LlmProvider {
        /// OpenAI.
        OpenAi = "openai",
        /// ByteDance (BytePlus ModelArk).
        Bytedance = "bytedance",
        /// Tzafon Lightcone.
        TzafonLightcone = "tzafon_lightcone",
        /// Cerebras.
        Cerebras = "cerebras",
        /// Z.ai.
        ZAi = "z_ai",
        /// The Helicone AI gateway.
        Helicone = "helicone",
        /// Nebius AI Studio.
        Nebius = "nebius",
        /// OpenRouter.
        OpenRouter = "open_router",
        /// Google AI Studio (Gemini).
        GoogleAiStudio = "google_ai_studio",
        /// Fireworks AI.
        Fireworks = "fireworks",
        /// NVIDIA NIM.
        Nim = "nim",
        /// Amazon Bedrock.
        AmazonBedrock = "amazon_bedrock",
        /// Anthropic.
        Anthropic = "anthropic",
        /// Azure AI Foundry (the platform spells it `azure_ai_foundary`).
        AzureAiFoundry = "azure_ai_foundary",
        /// The Cloudflare AI gateway.
        CloudflareAiGateway = "cloudflare_ai_gw",
        /// Any OpenAI-compatible endpoint (the agent's `llm_api_base`).
        OpenAiCompatible = "openai_compatible",
    }
}

/// How a known provider is reached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProviderProfile {
    /// Where its key comes from, tried in order.
    pub env_keys: &'static [&'static str],
    /// A base URL used when the agent sets none.
    pub default_base_url: Option<&'static str>,
    /// Whether `temperature` is pinned to 0.
    pub zero_temperature: bool,
    /// Whether the organization is sent as the OpenAI-style `user`.
    pub sends_user: bool,
    /// Whether the extra headers reach the provider at all.
    pub takes_headers: bool,
}

const fn profile(
    env_keys: &'static [&'static str],
    default_base_url: Option<&'static str>,
    zero_temperature: bool,
    sends_user: bool,
    takes_headers: bool,
) -> ProviderProfile {
    ProviderProfile {
        env_keys,
        default_base_url,
        zero_temperature,
        sends_user,
        takes_headers,
    }
}

impl LlmProvider {
    /// How this provider is reached; `None` for a provider this version does not know.
    pub(crate) fn profile(&self) -> Option<ProviderProfile> {
        Some(match self {
            Self::OpenAi => profile(
                &["AGENTS_OPENAI_API_KEY", "OPENAI_API_KEY"],
                None,
                true,
                true,
                true,
            ),
            Self::Bytedance => profile(
                &["BYTEDANCE_API_KEY"],
                Some("https://ark.ap-southeast.bytepluses.com/api/v3"),
                false,
                true,
                true,
            ),
            Self::TzafonLightcone => profile(
                &["TZAFON_LIGHTCONE_API_KEY"],
                Some("https://api.tzafon.ai/v1"),
                false,
                true,
                true,
            ),
            Self::Cerebras => profile(
                &["CEREBRAS_API_KEY"],
                Some("https://api.cerebras.ai/v1"),
                false,
                true,
                true,
            ),
            Self::ZAi => profile(
                &["Z_AI_API_KEY"],
                Some("https://api.z.ai/api/paas/v4"),
                false,
                true,
                true,
            ),
            Self::Helicone => profile(
                &["HELICONE_API_KEY"],
                Some("https://ai-gateway.helicone.ai/v1"),
                false,
                true,
                true,
            ),
            Self::Nebius => profile(&["NEBIUS_API_KEY"], None, false, true, true),
            Self::OpenRouter => profile(&["OPENROUTER_API_KEY"], None, false, true, true),
            Self::GoogleAiStudio => profile(&["GOOGLE_API_KEY"], None, false, false, false),
            Self::Fireworks => profile(&["FIREWORKS_API_KEY"], None, false, true, true),
            Self::Nim => profile(&["NVIDIA_API_KEY"], None, true, true, true),
            Self::AmazonBedrock => profile(&["AWS_BEARER_TOKEN_BEDROCK"], None, true, false, false),
            Self::Anthropic => profile(&["ANTHROPIC_API_KEY"], None, true, false, true),
            Self::AzureAiFoundry => profile(&["AZURE_API_KEY"], None, true, false, false),
            Self::CloudflareAiGateway => {
                profile(&["CLOUDFLARE_AI_GW_API_KEY"], None, false, true, true)
            }
            Self::OpenAiCompatible => {
                profile(&["OPENAI_COMPATIBLE_API_KEY"], None, false, true, true)
            }
            Self::Other(_) => return None,
        })
    }

    /// Whether the provider takes OpenAI's `prompt_cache_key` body field.
    pub(crate) fn takes_prompt_cache_key(&self) -> bool {
        matches!(
            self,
            Self::OpenAi
                | Self::Bytedance
                | Self::TzafonLightcone
                | Self::Cerebras
                | Self::Helicone
                | Self::Nebius
                | Self::OpenRouter
                | Self::Fireworks
                | Self::Nim
                | Self::CloudflareAiGateway
        )
    }

    /// The provider's own API host, when it has a public API: a base URL there is the vendor
    /// itself, so an installation's key may still go to it.
    pub(crate) fn canonical_host(&self) -> Option<&'static str> {
        Some(match self {
            Self::OpenAi => "api.openai.com",
            Self::Anthropic => "api.anthropic.com",
            Self::GoogleAiStudio => "generativelanguage.googleapis.com",
            Self::OpenRouter => "openrouter.ai",
            Self::Nebius => "api.tokenfactory.nebius.com",
            Self::Fireworks => "api.fireworks.ai",
            Self::Nim => "integrate.api.nvidia.com",
            Self::Cerebras => "api.cerebras.ai",
            Self::TzafonLightcone => "api.tzafon.ai",
            Self::ZAi => "api.z.ai",
            Self::Bytedance => "ark.ap-southeast.bytepluses.com",
            Self::Helicone => "ai-gateway.helicone.ai",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::LlmProvider;

    #[test]
    fn every_known_provider_round_trips_and_has_a_profile() {
        for provider in LlmProvider::KNOWN {
            assert_eq!(&LlmProvider::from(provider.as_str()), provider);
            assert!(provider.profile().is_some(), "{provider}");
        }
        assert!(
            LlmProvider::from("OpenAI").profile().is_none(),
            "names are lower-cased first"
        );
    }
}
