//! Smaller routes: default LLM headers, the API-key allowance, memories, channel presence and
//! dynamic prompt (empty), and knowledge bases.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::http::{P, decode_object, ok, optional_json};
use crate::options::KnowledgeBase;
use crate::query::{Q, count, text};
use crate::state::App;

type Result<T = Response> = std::result::Result<T, ApiError>;

/// `GET /metadata/default_llm_extra_headers`: the configured map (`{}` by default).
pub(super) async fn llm_extra_headers(State(app): State<Arc<App>>) -> Response {
    ok(&app.settings.llm_extra_headers)
}

#[derive(Deserialize)]
struct Allowance {
    api_key: String,
}

/// `POST /metadata/api_key_allowance` (`{api_key}` → `{api_key, agent_ids}`): this server's
/// key may invoke every agent; any other key none.
pub(super) async fn api_key_allowance(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let Allowance { api_key } = decode_object("api key allowance", &body)?;
    let agent_ids: Vec<String> = if api_key == app.api_key {
        let store = app.store.lock().await;
        store.agents.list().map(|a| a.id.clone()).collect()
    } else {
        Vec::new()
    };
    Ok(ok(&json!({"api_key": api_key, "agent_ids": agent_ids})))
}

/// `GET /memories/{agent_id}`: memory is off and empty here.
pub(super) async fn memories(State(app): State<Arc<App>>, P(agent_id): P<String>) -> Result {
    known_agent(&app, &agent_id).await?;
    Ok(ok(
        &json!({"settings": {"enabled": false}, "user": [], "agent": []}),
    ))
}

/// `POST /memories/{agent_id}`: accepted and not kept.
pub(super) async fn save_memory(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    body: Bytes,
) -> Result {
    optional_json("memory", &body)?;
    known_agent(&app, &agent_id).await?;
    Ok(ok(&json!({"success": true})))
}

/// `POST /tools/{agent_id}/channel-presence` and `…/dynamic-prompt`: no text.
pub(super) async fn empty_text(State(app): State<Arc<App>>, P(agent_id): P<String>) -> Result {
    known_agent(&app, &agent_id).await?;
    Ok(ok(&json!({"text": ""})))
}

async fn known_agent(app: &App, agent_id: &str) -> Result<()> {
    if app.store.lock().await.agents.contains(agent_id) {
        Ok(())
    } else {
        Err(ApiError::unknown_agent(agent_id))
    }
}

/// `GET /knowledge_bases/{kb_id}/details`.
pub(super) async fn kb_details(State(app): State<Arc<App>>, P(kb_id): P<String>) -> Result {
    let store = app.store.lock().await;
    let kb = find_kb(&store.knowledge_bases, &kb_id)?;
    Ok(ok(&json!({
        "id": kb.id,
        "name": kb.name,
        "description": kb.description,
        "type": "managed",
        "organization_id": app.org,
        "total_documents": kb.documents.len(),
    })))
}

/// The query of [`kb_search`]; the SDK's `use_bubble` and `bubble_size` are ignored.
#[derive(Deserialize)]
pub(super) struct KbSearchQuery {
    /// What to look for (required).
    #[serde(default, deserialize_with = "text")]
    search_query: Option<String>,
    /// How many hits at most (10 by default).
    #[serde(default, deserialize_with = "count")]
    top_k: Option<usize>,
}

/// `GET /knowledge_bases/{kb_id}?search_query=&top_k=`: `[{content, score}]`, best first.
pub(super) async fn kb_search(
    State(app): State<Arc<App>>,
    P(kb_id): P<String>,
    Q(query): Q<KbSearchQuery>,
) -> Result {
    let search = query
        .search_query
        .ok_or_else(|| ApiError::bad_request("query search_query: a search query is required"))?;
    let top_k = query.top_k.unwrap_or(10);
    let store = app.store.lock().await;
    let kb = find_kb(&store.knowledge_bases, &kb_id)?;
    let hits: Vec<_> = search_documents(kb, &search, top_k)
        .into_iter()
        .map(|(content, score)| json!({"content": content, "score": score}))
        .collect();
    Ok(ok(&hits))
}

fn find_kb<'a>(
    kbs: &'a std::collections::BTreeMap<String, KnowledgeBase>,
    id: &str,
) -> Result<&'a KnowledgeBase> {
    kbs.get(id)
        .ok_or_else(|| ApiError::not_found(format!("knowledge base {id:?} not found")))
}

/// Simple term scoring: the share of the query's distinct terms a document contains; ties keep
/// document order; documents with no term are left out.
pub(crate) fn search_documents<'a>(
    kb: &'a KnowledgeBase,
    query: &str,
    top_k: usize,
) -> Vec<(&'a str, f64)> {
    let mut terms = terms(query);
    terms.sort();
    terms.dedup();
    if terms.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(&str, f64)> = kb
        .documents
        .iter()
        .filter_map(|doc| {
            let words = terms_of(doc);
            let hits = terms.iter().filter(|t| words.contains(*t)).count();
            (hits > 0).then(|| (doc.as_str(), hits as f64 / terms.len() as f64))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.truncate(top_k);
    scored
}

fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn terms_of(text: &str) -> std::collections::HashSet<String> {
    terms(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_scoring() {
        let kb = KnowledgeBase::new("k", "K")
            .document("Refunds are issued within 14 days.")
            .document("Support is open on weekdays; refunds by email.")
            .document("Nothing relevant.");
        let hits = search_documents(&kb, "refunds email", 5);
        assert_eq!(hits.len(), 2);
        assert_eq!(
            hits[0],
            ("Support is open on weekdays; refunds by email.", 1.0)
        );
        assert_eq!(hits[1].1, 0.5);
        assert_eq!(search_documents(&kb, "refunds", 1).len(), 1);
        assert!(search_documents(&kb, "  ", 5).is_empty());
    }
}
