//! The task table: newest first, filtered by agent, status and a search in prompts, one page
//! at a time, so that ten thousand tasks cost one scan and fifty rows of HTML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use xpander_runtime::model::{AgentExecutionStatus, Timestamp};

use super::html::{badge, count, duration, esc, excerpt, seconds_between, time};
use super::view::View;
use crate::state::{Store, TaskInfo};

/// Rows per page.
pub(crate) const PAGE_SIZE: usize = 50;

/// The status filter's choices besides the statuses themselves.
pub(crate) const ACTIVE: &str = "active";

/// One page of the filtered tasks, and what the filters matched.
pub(crate) struct TaskPage {
    rows: Vec<Row>,
    /// Tasks that pass every filter.
    matched: usize,
    /// Tasks that pass the agent and search filters, by status.
    by_status: BTreeMap<String, usize>,
    /// Every task the server holds.
    all: usize,
    page: usize,
}

/// What a row shows, copied out of the store.
struct Row {
    id: String,
    agent_id: String,
    status: String,
    prompt: String,
    source: Option<String>,
    worker: Option<String>,
    created_at: Timestamp,
    started_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
}

/// Whether a task passes the agent filter and the search (id or prompt, any case).
fn passes(info: &TaskInfo, agent: Option<&str>, search: Option<&str>) -> bool {
    let task = &info.task;
    agent.is_none_or(|a| task.agent_id == a)
        && search.is_none_or(|s| task.id.contains(s) || task.input.text.to_lowercase().contains(s))
}

fn status_passes(status: &AgentExecutionStatus, wanted: Option<&str>) -> bool {
    match wanted {
        None => true,
        Some(ACTIVE) => !status.is_terminal(),
        Some(wanted) => status.as_str() == wanted,
    }
}

/// The page the view asks for (the last one when it asks past the end).
pub(crate) fn page(store: &Store, view: &View) -> TaskPage {
    let search = view.q.as_deref().map(str::to_lowercase);
    let mut by_status = BTreeMap::<String, usize>::new();
    let mut matched = Vec::new();
    for info in store.tasks_in_order().rev() {
        if !passes(info, view.agent.as_deref(), search.as_deref()) {
            continue;
        }
        *by_status
            .entry(info.task.status.as_str().to_owned())
            .or_default() += 1;
        if status_passes(&info.task.status, view.status.as_deref()) {
            matched.push(info);
        }
    }
    let pages = matched.len().div_ceil(PAGE_SIZE).max(1);
    let page = view.page().min(pages);
    let rows = matched
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|info| row(info))
        .collect();
    TaskPage {
        rows,
        matched: matched.len(),
        by_status,
        all: store.tasks.len(),
        page,
    }
}

fn row(info: &TaskInfo) -> Row {
    let t = &info.task;
    Row {
        id: t.id.clone(),
        agent_id: t.agent_id.clone(),
        status: t.status.as_str().to_owned(),
        prompt: excerpt(&t.input.text, 120),
        source: t.source.clone(),
        worker: info.delivered_to.last().cloned(),
        created_at: t.created_at.clone(),
        started_at: t.started_at.clone(),
        finished_at: t.finished_at.clone(),
    }
}

/// How long a task ran: until it finished, or until now while it runs.
pub(crate) fn run_time(
    created: &Timestamp,
    started: Option<&Timestamp>,
    finished: Option<&Timestamp>,
) -> String {
    let from = started.unwrap_or(created);
    match finished {
        Some(end) => seconds_between(from, end).map_or_else(String::new, duration),
        None if started.is_some() => seconds_between(from, &Timestamp::now())
            .map_or_else(String::new, |s| {
                format!("<span class=\"muted\">{}…</span>", duration(s))
            }),
        None => String::new(),
    }
}

/// A worker id, shortened for a table cell (the whole id in the title).
pub(crate) fn short_worker(id: &str) -> String {
    format!(
        "<span class=\"mono\" title=\"{}\">{}</span>",
        esc(id),
        esc(&excerpt(id, 15))
    )
}

/// The table, its summary line and the pager.
pub(crate) fn render(page: &TaskPage, view: &View) -> String {
    let mut out = String::new();
    let summary: Vec<String> = page
        .by_status
        .iter()
        .map(|(status, n)| format!("{} {}", count(*n), esc(status)))
        .collect();
    let _ = write!(
        out,
        "<p class=\"summary\">{} of {} tasks match{}{}</p>",
        count(page.matched),
        count(page.all),
        if summary.is_empty() { "" } else { ": " },
        summary.join(" · ")
    );
    if page.rows.is_empty() {
        out.push_str("<p class=\"empty\">No task matches. Create one above, or point a worker at an agent and create one from code.</p>");
        return out;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"tasks\"><caption class=\"sr-only\">Tasks, newest first</caption><thead><tr>\
         <th scope=\"col\">Status</th><th scope=\"col\">Task</th>\
         <th scope=\"col\" class=\"opt\">Agent</th><th scope=\"col\" class=\"opt\">Source</th>\
         <th scope=\"col\" class=\"opt\">Worker</th><th scope=\"col\">Created</th>\
         <th scope=\"col\" class=\"opt\">Started</th><th scope=\"col\" class=\"opt\">Finished</th>\
         <th scope=\"col\" class=\"num\">Duration</th></tr></thead><tbody>",
    );
    for row in &page.rows {
        let _ = write!(
            out,
            "<tr data-task=\"{id}\"><td>{status}</td>\
             <td class=\"task\" title=\"{prompt}\"><a href=\"{link}\" class=\"mono\">{short}</a> <span class=\"prompt\">{prompt}</span></td>\
             <td class=\"opt\">{agent}</td><td class=\"opt\">{source}</td><td class=\"opt\">{worker}</td>\
             <td>{created}</td><td class=\"opt\">{started}</td><td class=\"opt\">{finished}</td>\
             <td class=\"num\">{took}</td></tr>",
            id = esc(&row.id),
            status = badge(&row.status),
            link = view.link(&[("task", Some(&row.id))]),
            short = esc(&excerpt(&row.id, 8)),
            prompt = esc(&row.prompt),
            agent = esc(&row.agent_id),
            source = esc(row.source.as_deref().unwrap_or("")),
            worker = row.worker.as_deref().map(short_worker).unwrap_or_default(),
            created = time(Some(&row.created_at)),
            started = time(row.started_at.as_ref()),
            finished = time(row.finished_at.as_ref()),
            took = run_time(
                &row.created_at,
                row.started_at.as_ref(),
                row.finished_at.as_ref()
            ),
        );
    }
    out.push_str("</tbody></table></div>");
    out.push_str(&pager(page, view));
    out
}

fn pager(page: &TaskPage, view: &View) -> String {
    let pages = page.matched.div_ceil(PAGE_SIZE).max(1);
    let first = (page.page - 1) * PAGE_SIZE + 1;
    let last = (first + page.rows.len()).saturating_sub(1);
    let link = |to: usize, rel: &str, label: &str| {
        let number = to.to_string();
        format!(
            "<a href=\"{}\" rel=\"{rel}\" data-soft>{label}</a>",
            view.link(&[("page", Some(&number))])
        )
    };
    let newer = if page.page > 1 {
        link(page.page - 1, "prev", "← Newer")
    } else {
        "<span class=\"muted\">← Newer</span>".into()
    };
    let older = if page.page < pages {
        link(page.page + 1, "next", "Older →")
    } else {
        "<span class=\"muted\">Older →</span>".into()
    };
    format!(
        "<nav class=\"pager\" aria-label=\"Task pages\">{newer}<span>{}–{} of {} · page {} of {}</span>{older}</nav>",
        count(first),
        count(last),
        count(page.matched),
        count(page.page),
        count(pages)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use xpander_runtime::model::Task;

    use super::*;

    fn store_with(n: usize) -> Store {
        let mut store = Store::default();
        for i in 0..n {
            let mut task = Task::from_prompt(format!("prompt number {i}"));
            task.id = format!("t{i}");
            task.agent_id = if i % 2 == 0 { "even" } else { "odd" }.into();
            if i % 3 == 0 {
                task.status = AgentExecutionStatus::Completed;
            }
            store.put_task(TaskInfo::new(task));
        }
        store
    }

    fn view(query: serde_json::Value) -> View {
        serde_json::from_value(query).unwrap()
    }

    #[test]
    fn pages_newest_first_with_filters() {
        let store = store_with(120);
        let first = page(&store, &view(json!({})));
        assert_eq!((first.matched, first.all, first.rows.len()), (120, 120, 50));
        assert_eq!(first.rows[0].id, "t119");
        let last = page(&store, &view(json!({"page": "9"})));
        assert_eq!((last.page, last.rows.len()), (3, 20));
        let odd = page(
            &store,
            &view(json!({"agent": "odd", "status": "completed"})),
        );
        assert_eq!(odd.matched, 20); // odd multiples of 3 below 120
        assert_eq!(odd.by_status["completed"], 20);
        let active = page(&store, &view(json!({"status": "active"})));
        assert_eq!(active.matched, 80);
        let search = page(&store, &view(json!({"q": "NUMBER 11"})));
        let ids: Vec<&str> = search.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "t119", "t118", "t117", "t116", "t115", "t114", "t113", "t112", "t111", "t110",
                "t11"
            ]
        );
        let html = render(&first, &view(json!({})));
        assert!(html.contains("1–50 of 120 · page 1 of 3"), "{html}");
        assert!(html.contains("href=\"?page=2\" rel=\"next\""), "{html}");
    }
}
