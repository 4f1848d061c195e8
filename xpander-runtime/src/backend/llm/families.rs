//! What a model id says about the model, whoever serves it: whether it reasons natively (no
//! temperature, a reasoning effort), needs OpenAI's Responses API, or is small enough to
//! benefit from think/analyze tools.

/// Models that reason natively; reasoning tools only hurt them.
const STRONG_MODEL_MARKERS: [&str; 18] = [
    "claude",
    "gpt-5",
    "gpt-6",
    "o1",
    "o3",
    "o4",
    "grok",
    "deepseek",
    "-r1",
    "qwq",
    "thinking",
    "reasoning",
    "magistral",
    "gemini-2.5-pro",
    "gemini-3",
    "kimi-k2",
    "qwen3-max",
    "gpt-oss",
];

/// Small models that benefit from think/analyze scaffolding.
const WEAK_MODEL_MARKERS: [&str; 23] = [
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4o",
    "gpt-4-turbo",
    "gpt-4",
    "gpt-3.5",
    "-mini",
    "-nano",
    "-lite",
    "-micro",
    "-small",
    "flash",
    "gemma",
    "phi-",
    "ministral",
    "mistral-nemo",
    "mistral-small",
    "llama-3",
    "llama3",
    "granite",
    "olmo",
    "titan",
    "glm-4.5-air",
];

/// Model ids whose family takes `reasoning_effort` and rejects a temperature.
pub(crate) fn is_reasoning_family(model_id: &str) -> bool {
    let id = model_id.to_ascii_lowercase();
    id.contains("gpt-5") || id.contains("gpt-6")
}

/// Model ids whose tools work only on OpenAI's Responses API.
pub(crate) fn requires_responses_api(model_id: &str) -> bool {
    let id = model_id.to_ascii_lowercase();
    id.contains("gpt-5.6") || id.contains("gpt-6")
}

/// Small non-reasoning models get think/analyze tools; unknown models count as strong.
pub(crate) fn is_weak_model(model_id: &str) -> bool {
    let id = model_id.to_lowercase();
    !id.is_empty()
        && !STRONG_MODEL_MARKERS.iter().any(|m| id.contains(m))
        && WEAK_MODEL_MARKERS.iter().any(|m| id.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_models() {
        for weak in [
            "gpt-4.1",
            "gpt-4o-mini",
            "gemini-2.0-flash",
            "meta.llama3-8b",
        ] {
            assert!(is_weak_model(weak), "{weak}");
        }
        for strong in ["gpt-5", "claude-sonnet-4-5", "o3-mini", "unknown-model", ""] {
            assert!(!is_weak_model(strong), "{strong}");
        }
        assert!(is_reasoning_family("GPT-5.1"));
    }
}
