//! [`KnowledgeSpec::search`]: the knowledge retriever an agent's args carry.

use futures_util::future::join_all;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::warn;

use super::args::KnowledgeSpec;

/// A document a knowledge search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeHit {
    /// The document's text.
    pub content: String,
    /// How well it matches (higher is better).
    #[serde(default)]
    pub score: f64,
}

impl KnowledgeSpec {
    /// Searches every knowledge base of the agent
    /// (`GET /knowledge_bases/{id}?search_query=…&top_k=…`) and keeps the best
    /// `num_documents` hits overall (`None`: [`KnowledgeSpec::num_documents`]). A knowledge
    /// base that fails to answer counts as empty, so the model sees fewer documents, not an
    /// error; offline there are none.
    ///
    /// ```no_run
    /// # async fn demo(args: xpander_runtime::backend::AgentArgs) {
    /// if let Some(knowledge) = &args.knowledge {
    ///     for hit in knowledge.search("refund policy", Some(3)).await {
    ///         println!("{:.2} {}", hit.score, hit.content);
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn search(&self, query: &str, num_documents: Option<usize>) -> Vec<KnowledgeHit> {
        let top_k = num_documents
            .filter(|n| *n > 0)
            .unwrap_or(self.num_documents);
        let Some(platform) = &self.platform.0 else {
            return Vec::new();
        };
        let searches = self.knowledge_base_ids.iter().map(|id| async move {
            let route = format!("/knowledge_bases/{id}");
            let answer: crate::Result<Vec<KnowledgeHit>> = platform
                .request(Method::GET, &route)
                .query("search_query", query)
                .query("use_bubble", "false")
                .query("bubble_size", "1000")
                .query("top_k", top_k.to_string())
                .send_json()
                .await;
            answer.unwrap_or_else(|e| {
                warn!(knowledge_base = %id, error = %e, "knowledge base search failed");
                Vec::new()
            })
        });
        let mut hits: Vec<KnowledgeHit> = join_all(searches).await.into_iter().flatten().collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(top_k);
        hits
    }
}
