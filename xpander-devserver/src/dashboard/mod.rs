//! The dashboard at `/`: agents, workers, tasks, tool calls and the scripted LLM's requests,
//! live in the browser.
//!
//! The server renders every part as HTML (one renderer, readable without JavaScript); the
//! page's small script asks for the parts again (`/_dev/dashboard/parts?…`, the page's own
//! query) when the change stream (`/_dev/dashboard/live`) says what it shows changed, and
//! sends the actions to the routes tests use. The assets are compiled in: no build step, no
//! network. Parts are rendered from chosen fields or redacted copies, so no secret reaches
//! the page.
//!
//! Locks are taken one at a time, as everywhere in the devserver.

use std::fmt::Write as _;

use xpander_runtime::model::AgentExecutionStatus;

use crate::faults::Faults;
use crate::state::{App, Store};

mod agents;
mod detail;
mod faults;
mod html;
pub(crate) mod live;
mod logins;
mod requests;
mod tasks;
mod view;
mod workers;

pub(crate) use view::View;

use html::{count, esc, options};

/// The page's template: `{{key}}` markers, filled by [`fill`].
const PAGE: &str = include_str!("page.html");
/// The style sheet, served at `/_dev/dashboard/style.css`.
pub(crate) const STYLE: &str = include_str!("style.css");
/// The script, served at `/_dev/dashboard/app.js`.
pub(crate) const SCRIPT: &str = include_str!("app.js");

/// The parts of the page that change, by element id, for the view asked.
pub(crate) async fn parts(app: &App, view: &View) -> Vec<(&'static str, String)> {
    let mut parts = Vec::new();
    let mut task = None;
    {
        let store = app.store.lock().await;
        parts.push(("counts", counts(&store)));
        parts.push(("logins", logins::render(store.mcp.logins())));
        match view.name() {
            "tasks" => parts.push((
                "part-tasks",
                tasks::render(&tasks::page(&store, view), view),
            )),
            "agents" => parts.push((
                "part-agents",
                agents::render(&agents::cards(&store), &app.base_url, &app.org),
            )),
            "workers" => parts.push(("part-workers", workers::render(&workers::rows(&store)))),
            "task" => {
                let id = view.task.as_deref().unwrap_or_default();
                let pending: Vec<String> = store
                    .mcp
                    .logins()
                    .filter(|l| !l.approved && !l.denied)
                    .map(|l| l.login_id.clone())
                    .collect();
                task = Some((store.tasks.get(id).cloned(), pending));
            }
            _ => {}
        }
    }
    match view.name() {
        "task" => {
            let html = match task {
                Some((Some(info), pending)) => {
                    let llm: Vec<_> = {
                        let state = app.llm.lock().await;
                        let of_task = detail::llm_requests_of(&info, state.log.records());
                        of_task.into_iter().cloned().collect()
                    };
                    detail::render(&info, &llm, &pending, view)
                }
                _ => format!(
                    "<p><a href=\"{}\">← All tasks</a></p><p class=\"empty\">No task {}.</p>",
                    view.list_link(),
                    esc(view.task.as_deref().unwrap_or_default())
                ),
            };
            parts.push(("part-task", html));
        }
        "requests" => {
            let (shown, matched) = requests::select(&*app.log.lock().await, view);
            parts.push(("part-requests", requests::render(&shown, matched)));
        }
        "faults" => {
            let report = crate::faults::report(app).await;
            parts.push(("part-faults", faults::render(&report)));
        }
        _ => {}
    }
    parts
}

/// The header's counts.
fn counts(store: &Store) -> String {
    let active = store
        .tasks
        .values()
        .filter(|t| !t.task.status.is_terminal())
        .count();
    let (tasks, workers) = (store.tasks.len(), store.workers.len());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{} task{} · {} active · {} worker{} connected",
        count(tasks),
        plural(tasks),
        count(active),
        count(workers),
        plural(workers)
    )
}

/// The whole page for the view asked.
pub(crate) async fn page(app: &App, view: &View) -> String {
    let parts = parts(app, view).await;
    let part = |id: &str| {
        parts
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, html)| html.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (choices, has_tasks) = {
        let store = app.store.lock().await;
        (agents::choices(&store), !store.tasks.is_empty())
    };
    let name = view.name();
    let main = match name {
        "tasks" => format!(
            "{}{}<div id=\"part-tasks\">{}</div>",
            create_form(&choices, has_tasks),
            task_filters(&choices, view),
            part("part-tasks")
        ),
        "task" => format!("<div id=\"part-task\">{}</div>", part("part-task")),
        "requests" => format!(
            "{}<div id=\"part-requests\">{}</div>",
            request_filters(view),
            part("part-requests")
        ),
        "faults" => {
            let current: Faults = app.route_faults.lock().await.config.clone();
            format!(
                "<div class=\"pair wide\">{}<div id=\"part-faults\">{}</div></div>",
                faults::form(&current),
                part("part-faults")
            )
        }
        other => format!(
            "<div id=\"part-{other}\">{}</div>",
            part(&format!("part-{other}"))
        ),
    };
    let title = view::VIEWS
        .iter()
        .find(|(v, _)| *v == name)
        .map_or("Task", |(_, title)| *title);
    fill(
        PAGE,
        &[
            ("title", esc(title)),
            ("view", esc(name)),
            ("org", esc(&app.org)),
            ("base", esc(&app.base_url)),
            ("counts", part("counts")),
            ("nav", nav(name)),
            ("logins", part("logins")),
            ("main", main),
        ],
    )
}

/// `template` with each `{{key}}` replaced, in one pass (a value is never read as a key).
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = &after[..end];
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn nav(current: &str) -> String {
    let mut out = String::new();
    for (view, title) in view::VIEWS {
        let here = *view == current || (current == "task" && *view == "tasks");
        let _ = write!(
            out,
            "<a href=\"/?view={view}\"{}>{title}</a>",
            if here { " aria-current=\"page\"" } else { "" }
        );
    }
    out
}

fn agent_options(choices: &[(String, String)], selected: Option<&str>) -> String {
    options(
        choices
            .iter()
            .map(|(id, label)| (id.as_str(), label.clone())),
        selected,
    )
}

fn create_form(choices: &[(String, String)], has_tasks: bool) -> String {
    format!(
        "<details class=\"card create\" id=\"create-box\"{open}><summary>New task</summary>\
         <form id=\"create-task\" class=\"form\">\
         <div class=\"row\"><label for=\"create-agent\">Agent<select id=\"create-agent\" name=\"agent\" required>{agents}</select></label>\
         <label for=\"create-format\">Output format<select id=\"create-format\" name=\"output_format\">\
         <option value=\"\">text (default)</option><option value=\"markdown\">markdown</option>\
         <option value=\"json\">json</option></select></label>\
         <label for=\"create-email\">User email<input id=\"create-email\" name=\"user_email\" type=\"email\" autocomplete=\"off\" placeholder=\"optional\"></label>\
         <label for=\"create-user\">User id<input id=\"create-user\" name=\"user_id\" autocomplete=\"off\" placeholder=\"optional\"></label></div>\
         <label for=\"create-prompt\">Prompt<textarea id=\"create-prompt\" name=\"prompt\" rows=\"3\" required></textarea></label>\
         <label for=\"create-schema\">Output schema <small>JSON, optional, for json output</small>\
         <textarea id=\"create-schema\" name=\"output_schema\" rows=\"2\" spellcheck=\"false\" placeholder='{{\"type\": \"object\"}}'></textarea></label>\
         <div class=\"buttons\"><button type=\"submit\">Create task</button>\
         <span class=\"muted\">Posted to <code>POST /agent-execution/{{agent}}</code>, as a client would.</span></div>\
         </form></details>",
        open = if has_tasks { "" } else { " open" },
        agents = agent_options(choices, None),
    )
}

fn task_filters(choices: &[(String, String)], view: &View) -> String {
    let mut statuses = vec![
        ("", "any".to_owned()),
        (tasks::ACTIVE, "active (not finished)".to_owned()),
    ];
    statuses.extend(
        AgentExecutionStatus::KNOWN
            .iter()
            .map(|s| (s.as_str(), s.as_str().to_owned())),
    );
    format!(
        "<form id=\"task-filters\" class=\"filters\" role=\"search\" method=\"get\" action=\"/\" data-filter>\
         <label for=\"filter-agent\">Agent<select id=\"filter-agent\" name=\"agent\"><option value=\"\">any</option>{agents}</select></label>\
         <label for=\"filter-status\">Status<select id=\"filter-status\" name=\"status\">{statuses}</select></label>\
         <label for=\"filter-q\" class=\"grow\">Search<input id=\"filter-q\" name=\"q\" type=\"search\" placeholder=\"words of a prompt, or a task id\" value=\"{q}\"></label>\
         <button type=\"submit\" class=\"quiet\">Filter</button></form>",
        agents = agent_options(choices, view.agent.as_deref()),
        statuses = options(statuses, view.status.as_deref()),
        q = esc(view.q.as_deref().unwrap_or_default()),
    )
}

fn request_filters(view: &View) -> String {
    format!(
        "<form id=\"request-filters\" class=\"filters\" role=\"search\" method=\"get\" action=\"/\" data-filter>\
         <input type=\"hidden\" name=\"view\" value=\"requests\">\
         <label for=\"filter-path\" class=\"grow\">Path contains<input id=\"filter-path\" name=\"path\" type=\"search\" placeholder=\"/agent-execution\" value=\"{path}\"></label>\
         <label for=\"filter-code\">Status<input id=\"filter-code\" name=\"code\" placeholder=\"503 or 5xx\" size=\"8\" value=\"{code}\"></label>\
         <label for=\"filter-all\" class=\"check\"><input id=\"filter-all\" name=\"all\" type=\"checkbox\" value=\"1\"{all}> Developer routes too</label>\
         <button type=\"submit\" class=\"quiet\">Filter</button></form>",
        path = esc(view.path.as_deref().unwrap_or_default()),
        code = esc(view.code.as_deref().unwrap_or_default()),
        all = if view.all_requests() { " checked" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_key_once() {
        let values = [("a", "{{b}}".to_owned()), ("b", "B".to_owned())];
        assert_eq!(fill("<{{a}}|{{b}}|{{c}}|{{", &values), "<{{b}}|B|{{c}}|{{");
    }

    #[test]
    fn the_page_template_has_every_key() {
        for key in [
            "title", "view", "org", "base", "counts", "nav", "logins", "main",
        ] {
            assert!(PAGE.contains(&format!("{{{{{key}}}}}")), "{key}");
        }
    }
}
