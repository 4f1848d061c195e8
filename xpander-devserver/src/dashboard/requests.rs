//! The request log, newest first: filtered by path and status, with timings. Requests to `/`
//! and `/_dev/*` (the dashboard's own among them) are left out unless asked for.

use std::fmt::Write as _;

use super::html::{count, esc, time};
use super::view::View;
use crate::auth::is_dev_path;
use crate::reqlog::{RequestLog, RequestRecord};

/// Rows shown at most.
const SHOWN: usize = 200;

/// Whether a status matches a filter: `503`, or a class `5xx`.
fn code_matches(status: u16, code: &str) -> bool {
    let code = code.trim().to_ascii_lowercase();
    match code.strip_suffix("xx") {
        Some(class) => class.parse::<u16>().is_ok_and(|c| status / 100 == c),
        None => code.parse::<u16>().is_ok_and(|c| status == c),
    }
}

/// The newest matching entries (at most [`SHOWN`]) and how many matched.
pub(crate) fn select(log: &RequestLog, view: &View) -> (Vec<RequestRecord>, usize) {
    let all = view.all_requests();
    let mut shown = Vec::new();
    let mut matched = 0;
    for r in log.entries().rev() {
        let keep = (all || !is_dev_path(&r.path))
            && view.path.as_deref().is_none_or(|p| r.path.contains(p))
            && view
                .code
                .as_deref()
                .is_none_or(|c| code_matches(r.status, c));
        if keep {
            matched += 1;
            if shown.len() < SHOWN {
                shown.push(r.clone());
            }
        }
    }
    (shown, matched)
}

/// The table.
pub(crate) fn render(shown: &[RequestRecord], matched: usize) -> String {
    if shown.is_empty() {
        return "<p class=\"empty\">No request matches.</p>".into();
    }
    let mut out = format!(
        "<p class=\"summary\">{} matching requests{}</p><div class=\"scroll\"><table class=\"requests\">\
         <caption class=\"sr-only\">Requests, newest first</caption><thead><tr>\
         <th scope=\"col\">Time</th><th scope=\"col\">Method</th><th scope=\"col\">Path</th>\
         <th scope=\"col\" class=\"num\">Status</th><th scope=\"col\" class=\"num\">Took</th>\
         <th scope=\"col\" class=\"num opt\">Body</th><th scope=\"col\" class=\"opt\">Event</th>\
         </tr></thead><tbody>",
        count(matched),
        if matched > shown.len() {
            format!(", the newest {} shown", shown.len())
        } else {
            String::new()
        }
    );
    for r in shown {
        let class = match r.status {
            500.. => " class=\"bad\"",
            400..=499 => " class=\"warn\"",
            _ => "",
        };
        let query = r
            .query
            .as_deref()
            .map(|q| format!("<span class=\"muted\">?{}</span>", esc(q)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr{class}><td>{at}</td><td>{method}</td><td class=\"mono path\">{path}{query}</td>\
             <td class=\"num\">{status}</td><td class=\"num\">{took:.1} ms</td>\
             <td class=\"num opt\">{size}</td><td class=\"opt\">{event}</td></tr>",
            at = time(Some(&r.time)),
            method = esc(&r.method),
            path = esc(&r.path),
            status = r.status,
            took = r.duration_ms,
            size = count(r.body_size),
            event = esc(r.event.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters() {
        assert!(code_matches(503, "5xx") && code_matches(503, "503") && code_matches(404, "4XX"));
        assert!(!code_matches(200, "5xx") && !code_matches(200, "x") && !code_matches(200, "20"));
    }
}
