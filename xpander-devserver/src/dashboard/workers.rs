//! The workers, per agent: connected ones first, then those that left (lost ones marked), with
//! their environment, busy or free, the tasks they hold and their last heartbeat.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::html::{badge, esc, time};
use crate::state::{Store, WorkerInfo, WorkerState};

/// A worker and the tasks it holds that have not finished.
pub(crate) struct Row {
    info: WorkerInfo,
    in_flight: usize,
}

/// Every worker the server knows, by agent; every agent is there, with workers or not.
pub(crate) fn rows(store: &Store) -> BTreeMap<String, Vec<Row>> {
    let mut by_agent: BTreeMap<String, Vec<Row>> = store
        .agents
        .list()
        .map(|agent| (agent.id.clone(), Vec::new()))
        .collect();
    for info in store.worker_infos() {
        // A task counts for the worker it went to last (an earlier one lost it).
        let in_flight = info
            .delivered
            .iter()
            .filter_map(|id| store.tasks.get(id))
            .filter(|t| !t.task.status.is_terminal())
            .filter(|t| t.delivered_to.last() == Some(&info.id))
            .count();
        by_agent
            .entry(info.agent_id.clone())
            .or_default()
            .push(Row { info, in_flight });
    }
    by_agent
}

/// A heartbeat's data is the worker's local time as it wrote it: its time of day is shown,
/// the whole text in the title.
fn heartbeat(at: &str) -> String {
    let clock = at
        .split(['T', ' '])
        .nth(1)
        .map(|t| t.split(['.', '+', '-', 'Z']).next().unwrap_or(t))
        .unwrap_or(at);
    format!("<span title=\"{}\">{}</span>", esc(at), esc(clock))
}

fn state_name(state: WorkerState) -> &'static str {
    match state {
        WorkerState::Connected => "connected",
        WorkerState::Disconnected => "disconnected",
        WorkerState::Lost => "lost",
        WorkerState::Finished => "finished",
    }
}

/// A table per agent.
pub(crate) fn render(by_agent: &BTreeMap<String, Vec<Row>>) -> String {
    let mut out = String::new();
    let idle: Vec<String> = by_agent
        .iter()
        .filter(|(_, rows)| rows.is_empty())
        .map(|(agent, _)| format!("<span class=\"mono\">{}</span>", esc(agent)))
        .collect();
    if !idle.is_empty() {
        let _ = write!(
            out,
            "<p class=\"muted\">No worker has connected for {}. Each agent's export line is under \
             <a href=\"/?view=agents\">Agents</a>.</p>",
            idle.join(", ")
        );
    }
    for (agent, rows) in by_agent.iter().filter(|(_, rows)| !rows.is_empty()) {
        let connected = rows
            .iter()
            .filter(|r| r.info.state == WorkerState::Connected)
            .count();
        let _ = write!(
            out,
            "<section class=\"card\"><h2>Agent <span class=\"mono\">{}</span> \
             <span class=\"muted\">{connected} connected</span></h2><div class=\"scroll\">\
             <table><thead><tr><th scope=\"col\">Worker</th><th scope=\"col\">State</th>\
             <th scope=\"col\">Environment</th><th scope=\"col\">Busy</th>\
             <th scope=\"col\" class=\"num\">In flight</th><th scope=\"col\">Last heartbeat</th>\
             <th scope=\"col\" class=\"num opt\">Heartbeats</th><th scope=\"col\">Connected since</th>\
             <th scope=\"col\" class=\"opt\">Left</th></tr></thead><tbody>",
            esc(agent)
        );
        for row in rows {
            let w = &row.info;
            let state = state_name(w.state);
            let _ = write!(
                out,
                "<tr class=\"w-{state}\" data-worker=\"{id}\"><td class=\"mono\">{id}</td><td>{badge}</td>\
                 <td>{env}</td><td>{busy}</td><td class=\"num\">{in_flight}</td>\
                 <td>{beat}</td><td class=\"num opt\">{beats}</td><td>{since}</td>\
                 <td class=\"opt\">{left}</td></tr>",
                id = esc(&w.id),
                badge = badge(state),
                env = esc(w.environment.as_str()),
                busy = if w.is_busy { "busy" } else { "free" },
                in_flight = row.in_flight,
                beat = w
                    .last_heartbeat
                    .as_deref()
                    .map_or_else(|| time(None), heartbeat),
                beats = w.heartbeats,
                since = time(Some(&w.connected_at)),
                left = time(w.gone_at.as_ref()),
            );
        }
        out.push_str("</tbody></table></div></section>");
    }
    out
}
