//! [`KnowledgeSpec::search`]: the knowledge retriever an agent's args carry.

use futures_util::future::join_all;
use tracing::warn;

use super::args::KnowledgeSpec;
use crate::model::KnowledgeHit;
use crate::platform::routes::SearchKnowledgeBase;

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
            let search = SearchKnowledgeBase {
                knowledge_base_id: id,
                query,
                top_k,
            };
            let answer = platform.send(search).await;
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
