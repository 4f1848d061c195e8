//! [`KnowledgeHit`]: a document a knowledge-base search found.

use serde::{Deserialize, Serialize};

/// A document a knowledge search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeHit {
    /// The document's text.
    pub content: String,
    /// How well it matches (higher is better).
    #[serde(default)]
    pub score: f64,
}
