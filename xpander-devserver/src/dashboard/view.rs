//! What the page shows, read from its query string: the view, a task, and the filters. The
//! same query drives the whole page (`/?…`) and its live parts (`/_dev/dashboard/parts?…`),
//! so a link or a reload shows what the live page showed.

use serde::Deserialize;

use super::html::{esc, url_part};
use crate::query::text;

/// The views of the page, in the order of the navigation.
pub(crate) const VIEWS: &[(&str, &str)] = &[
    ("tasks", "Tasks"),
    ("agents", "Agents"),
    ("workers", "Workers"),
    ("requests", "Requests"),
    ("faults", "Faults"),
];

/// The page's query. Every value is optional text, so that a hand-edited URL still shows a
/// page (a malformed page number is page 1).
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct View {
    #[serde(default, deserialize_with = "text")]
    view: Option<String>,
    /// A task's detail.
    #[serde(default, deserialize_with = "text")]
    pub task: Option<String>,
    /// Tasks of this agent.
    #[serde(default, deserialize_with = "text")]
    pub agent: Option<String>,
    /// Tasks with this status (`active`: not finished).
    #[serde(default, deserialize_with = "text")]
    pub status: Option<String>,
    /// Tasks whose prompt or id contains this, any case.
    #[serde(default, deserialize_with = "text")]
    pub q: Option<String>,
    #[serde(default, deserialize_with = "text")]
    page: Option<String>,
    /// Requests whose path contains this.
    #[serde(default, deserialize_with = "text")]
    pub path: Option<String>,
    /// Requests with this status: `200`, or a class `4xx`.
    #[serde(default, deserialize_with = "text")]
    pub code: Option<String>,
    /// Requests to the developer routes too (`1`).
    #[serde(default, deserialize_with = "text")]
    all: Option<String>,
}

impl View {
    /// The view shown: `task` when a task is named, else one of [`VIEWS`] (`tasks` by default).
    pub fn name(&self) -> &str {
        if self.task.is_some() {
            return "task";
        }
        let asked = self.view.as_deref().unwrap_or("tasks");
        VIEWS
            .iter()
            .map(|(name, _)| *name)
            .find(|name| *name == asked)
            .unwrap_or("tasks")
    }

    /// The page number, from 1.
    pub fn page(&self) -> usize {
        self.page
            .as_deref()
            .and_then(|p| p.parse().ok())
            .filter(|p| *p > 0)
            .unwrap_or(1)
    }

    /// Whether requests to `/` and `/_dev/*` are listed.
    pub fn all_requests(&self) -> bool {
        matches!(self.all.as_deref(), Some("1" | "true" | "on"))
    }

    fn pairs(&self) -> [(&'static str, Option<&str>); 9] {
        [
            ("view", self.view.as_deref()),
            ("task", self.task.as_deref()),
            ("agent", self.agent.as_deref()),
            ("status", self.status.as_deref()),
            ("q", self.q.as_deref()),
            ("page", self.page.as_deref()),
            ("path", self.path.as_deref()),
            ("code", self.code.as_deref()),
            ("all", self.all.as_deref()),
        ]
    }

    /// A link (`?…`, escaped for an attribute) to this view with `changes` applied: a `None`
    /// value removes the key. An empty query is `?` alone, which keeps the path `/`.
    pub fn link(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut query = Vec::new();
        for (key, value) in self.pairs() {
            let value = match changes.iter().find(|(k, _)| *k == key) {
                Some((_, changed)) => *changed,
                None => value,
            };
            if let Some(value) = value {
                query.push(format!("{key}={}", url_part(value)));
            }
        }
        esc(&format!("?{}", query.join("&")))
    }

    /// The task list this page came from (its filters and page), for a detail's way back.
    pub fn list_link(&self) -> String {
        self.link(&[("task", None), ("view", None)])
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn view(query: serde_json::Value) -> View {
        serde_json::from_value(query).unwrap()
    }

    #[test]
    fn names_pages_and_links() {
        assert_eq!(view(json!({})).name(), "tasks");
        assert_eq!(view(json!({"view": "faults"})).name(), "faults");
        assert_eq!(view(json!({"view": "nope"})).name(), "tasks");
        assert_eq!(view(json!({"view": "agents", "task": "t"})).name(), "task");
        assert_eq!(view(json!({"page": "x"})).page(), 1);
        assert_eq!(view(json!({"page": "3"})).page(), 3);
        let v = view(json!({"agent": "a b", "q": "<x>", "page": "2"}));
        assert_eq!(
            v.link(&[("page", Some("3"))]),
            "?agent=a%20b&amp;q=%3Cx%3E&amp;page=3"
        );
        assert_eq!(
            v.link(&[("task", Some("t1"))]),
            "?task=t1&amp;agent=a%20b&amp;q=%3Cx%3E&amp;page=2"
        );
        assert_eq!(view(json!({"task": "t"})).list_link(), "?");
    }
}
