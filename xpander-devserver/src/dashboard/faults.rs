//! The faults: a form for the common ones (dropped streams, failing and slow routes) that the
//! page posts to `POST /_dev/faults`, and what the faults in force did so far.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::{esc, json_block, options};
use crate::faults::Faults;

const METHODS: &[&str] = &["", "GET", "POST", "PATCH", "DELETE"];

fn number(name: &str, label: &str, value: Option<String>, attrs: &str, hint: &str) -> String {
    format!(
        "<label for=\"f-{name}\">{label}<input id=\"f-{name}\" name=\"{name}\" type=\"number\" \
         inputmode=\"decimal\" {attrs} value=\"{value}\"><small>{hint}</small></label>",
        value = esc(&value.unwrap_or_default()),
    )
}

fn text(name: &str, label: &str, value: Option<&str>, placeholder: &str) -> String {
    format!(
        "<label for=\"f-{name}\" class=\"grow\">{label}<input id=\"f-{name}\" name=\"{name}\" \
         placeholder=\"{placeholder}\" value=\"{value}\"></label>",
        value = esc(value.unwrap_or_default()),
    )
}

fn method(name: &str, value: Option<&str>) -> String {
    let choices = METHODS.iter().map(|m| {
        let label = if m.is_empty() { "any" } else { m };
        (*m, label.to_owned())
    });
    format!(
        "<label for=\"f-{name}\">Method<select id=\"f-{name}\" name=\"{name}\">{}</select></label>",
        options(choices, Some(value.unwrap_or_default()))
    )
}

/// The fields of one route rule (`{prefix}_pattern`, `_method`, `_rate`), around `value`: the
/// status of a failing route, the delay of a slow one.
fn rule(
    legend: &str,
    prefix: &str,
    (pattern, example): (Option<&str>, &str),
    method_now: Option<&str>,
    value: String,
    rate: Option<f64>,
) -> String {
    format!(
        "<fieldset><legend>{legend}</legend><div class=\"row\">{}{}{value}{}</div></fieldset>",
        text(
            &format!("{prefix}_pattern"),
            "Path pattern",
            pattern,
            example
        ),
        method(&format!("{prefix}_method"), method_now),
        number(
            &format!("{prefix}_rate"),
            "Rate",
            rate.map(|r| r.to_string()),
            "min=\"0\" max=\"1\" step=\"0.05\"",
            "0–1 (empty: 1)"
        ),
    )
}

/// The form, filled with the faults in force (the first error and delay rule of each).
pub(crate) fn form(current: &Faults) -> String {
    let error = current.errors.first();
    let delay = current.delays.first();
    let more = current.errors.len().saturating_sub(1)
        + current.delays.len().saturating_sub(1)
        + current.slow_worker_messages.len();
    let note = if more > 0 {
        format!(
            "<p class=\"warn\">{more} more rule{} in force than this form shows (see the JSON); \
             applying the form replaces them.</p>",
            if more == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let some = |n: Option<u32>| n.map(|n| n.to_string());
    let mut out = String::from(
        "<form id=\"faults-form\" class=\"card form\" aria-labelledby=\"faults-title\">\
         <h2 id=\"faults-title\">Set faults</h2>\
         <p class=\"muted\">Applying replaces every fault, as <code>POST /_dev/faults</code> does. \
         Faults never touch this page or other <code>/_dev</code> routes.</p>",
    );
    out.push_str(&note);
    let _ = write!(
        out,
        "<fieldset><legend>Dropped streams</legend><div class=\"row\">{}{}{}</div></fieldset>",
        number(
            "drop_sse_every",
            "Drop worker streams every",
            some(current.drop_sse_every),
            "min=\"1\" step=\"1\"",
            "SSE events; 1: right after registration"
        ),
        number(
            "drop_task_events_every",
            "Drop task event streams every",
            some(current.drop_task_events_every),
            "min=\"1\" step=\"1\"",
            "events"
        ),
        number(
            "malformed_every",
            "Malformed delivery before every",
            some(current.malformed_every),
            "min=\"1\" step=\"1\"",
            "deliveries"
        ),
    );
    out.push_str(&rule(
        "Failing requests",
        "error",
        (
            error.map(|e| e.pattern.as_str()),
            "/agent-execution/*/update",
        ),
        error.and_then(|e| e.method.as_deref()),
        number(
            "error_status",
            "Status",
            Some(error.map_or(503, |e| e.status).to_string()),
            "min=\"400\" max=\"599\" step=\"1\"",
            "400–599",
        ),
        error.map(|e| e.rate),
    ));
    out.push_str(&rule(
        "Slow requests",
        "delay",
        (delay.map(|d| d.pattern.as_str()), "/agents/*"),
        delay.and_then(|d| d.method.as_deref()),
        number(
            "delay_ms",
            "Delay",
            delay.map(|d| d.delay_ms.to_string()),
            "min=\"0\" max=\"600000\" step=\"1\"",
            "milliseconds",
        ),
        delay.map(|d| d.rate),
    ));
    let _ = write!(
        out,
        "<div class=\"row end\">{}<div class=\"buttons\"><button type=\"submit\">Apply faults</button>\
         <button type=\"button\" class=\"quiet\" data-action=\"clear-faults\">Clear all faults</button></div></div></form>",
        number(
            "seed",
            "Seed",
            Some(current.seed.to_string()),
            "min=\"0\" step=\"1\"",
            "the same seed fails the same requests"
        ),
    );
    out
}

/// What the faults in force did (the answer of `GET /_dev/faults`).
pub(crate) fn render(report: &Value) -> String {
    let counters = [
        ("injected_errors", "errors injected"),
        ("injected_delays", "requests delayed"),
        ("dropped_streams", "streams dropped"),
        ("malformed_sent", "malformed deliveries"),
        ("sse_events", "worker SSE events counted"),
    ];
    let mut out = String::from("<section class=\"card\"><h2>In force</h2><ul class=\"stats\">");
    for (key, label) in counters {
        let _ = write!(
            out,
            "<li><strong>{}</strong> {label}</li>",
            report[key].as_u64().unwrap_or(0)
        );
    }
    out.push_str("</ul>");
    let none = report["faults"] == serde_json::to_value(Faults::default()).unwrap_or_default();
    if none {
        out.push_str("<p class=\"empty\">No faults: every request is answered normally.</p>");
    }
    out.push_str(&json_block(&report["faults"]));
    out.push_str("</section>");
    out
}
