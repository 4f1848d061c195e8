//! Token counts: [`Tokens`] and [`ExecutionTokens`].

use serde::{Deserialize, Deserializer, Serialize, Serializer, ser::SerializeStruct};

/// LLM token counts for one run.
///
/// On the wire `total_tokens` is always `prompt_tokens + completion_tokens` (computed on output,
/// ignored on input). Cache counts are reported separately and never folded into the total:
/// some providers count them inside `prompt_tokens` already.
///
/// ```
/// use xpander_runtime::model::Tokens;
///
/// let t = Tokens::new(7, 5);
/// assert_eq!(t.total_tokens(), 12);
/// assert_eq!(serde_json::to_value(&t).unwrap()["total_tokens"], 12);
/// let back: Tokens = serde_json::from_str(r#"{"prompt_tokens":1,"total_tokens":999}"#).unwrap();
/// assert_eq!(back.total_tokens(), 1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Tokens {
    /// Tokens the model produced.
    #[serde(deserialize_with = "count")]
    pub completion_tokens: u64,
    /// Tokens the model read.
    #[serde(deserialize_with = "count")]
    pub prompt_tokens: u64,
    /// Tokens read from the provider's prompt cache.
    #[serde(deserialize_with = "count")]
    pub cache_read_tokens: u64,
    /// Tokens written to the provider's prompt cache.
    #[serde(deserialize_with = "count")]
    pub cache_write_tokens: u64,
}

impl Tokens {
    /// Counts with no cache use.
    pub fn new(prompt_tokens: u64, completion_tokens: u64) -> Self {
        Self {
            prompt_tokens,
            completion_tokens,
            ..Self::default()
        }
    }

    /// `prompt_tokens + completion_tokens`.
    pub fn total_tokens(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

impl Serialize for Tokens {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Tokens", 5)?;
        s.serialize_field("completion_tokens", &self.completion_tokens)?;
        s.serialize_field("prompt_tokens", &self.prompt_tokens)?;
        s.serialize_field("cache_read_tokens", &self.cache_read_tokens)?;
        s.serialize_field("cache_write_tokens", &self.cache_write_tokens)?;
        s.serialize_field("total_tokens", &self.total_tokens())?;
        s.end()
    }
}

/// A null count means zero, as in the Python SDK.
fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(Option::<u64>::deserialize(deserializer)?.unwrap_or(0))
}

/// Token counts split between the platform's own (inner) calls and the worker's.
///
/// ```
/// use xpander_runtime::model::{ExecutionTokens, Tokens};
///
/// let t = ExecutionTokens { worker: Tokens::new(7, 5), ..Default::default() };
/// assert_eq!(t.inner.total_tokens(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutionTokens {
    /// Tokens used by the platform on the task's behalf.
    pub inner: Tokens,
    /// Tokens used by the worker (the handler's LLM calls).
    pub worker: Tokens,
}
