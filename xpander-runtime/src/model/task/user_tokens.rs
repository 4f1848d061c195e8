//! [`UserTokens`]: tokens a caller supplies with a task, held opaquely.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Secret;

/// Tokens a caller supplies with a task: per graph item (a token or a headers object) and OIDC
/// tokens per audience. Held opaquely; `Debug` shows only the keys.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserTokens(Map<String, Value>);

impl UserTokens {
    /// Wraps a `user_tokens` object.
    pub fn new(tokens: Map<String, Value>) -> Self {
        Self(tokens)
    }

    /// The OIDC token for an audience (`oidc_tokens.<audience>`).
    ///
    /// ```
    /// use xpander_runtime::model::UserTokens;
    ///
    /// let t: UserTokens = serde_json::from_str(r#"{"oidc_tokens":{"llm":"jwt"}}"#).unwrap();
    /// assert_eq!(t.oidc_token("llm").unwrap().expose(), "jwt");
    /// assert!(!format!("{t:?}").contains("jwt"));
    /// ```
    pub fn oidc_token(&self, audience: &str) -> Option<Secret> {
        self.0
            .get("oidc_tokens")?
            .get(audience)?
            .as_str()
            .map(Secret::from)
    }

    /// What the caller supplied for a graph item: a token string or a headers object.
    pub fn for_graph_item(&self, item_id: &str) -> Option<&Value> {
        self.0.get(item_id)
    }
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UserTokens")
            .field(&self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}
