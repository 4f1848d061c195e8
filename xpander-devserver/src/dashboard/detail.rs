//! A task's detail: what it was asked, what it answered, every status it took, the events its
//! worker pushed, the tools it called, its metrics, and what the scripted LLM was asked for its
//! agent while it ran. Built from a redacted copy: no secret reaches the page.

use std::fmt::Write as _;

use serde_json::Value;
use xpander_runtime::model::{OutputFormat, Timestamp};

use super::html::{badge, esc, excerpt, json_block, seconds_between, text_block, time};
use super::tasks::{run_time, short_worker};
use super::view::View;
use crate::llm::{LlmApi, LlmRequestRecord};
use crate::redact::redacted;
use crate::state::TaskInfo;

/// The scripted LLM's requests for the task's agent (on its own route,
/// `/_dev/llm/agents/{id}/…`) that arrived while the task ran; of those, the ones that carry
/// the task's prompt when any does (tasks of one agent often run at once).
pub(crate) fn llm_requests_of<'a>(
    info: &TaskInfo,
    records: impl Iterator<Item = &'a LlmRequestRecord>,
) -> Vec<&'a LlmRequestRecord> {
    let task = &info.task;
    let after = |at: &Timestamp| seconds_between(&task.created_at, at).is_some_and(|s| s >= 0.0);
    let before = |at: &Timestamp| {
        task.finished_at
            .as_ref()
            .is_none_or(|end| seconds_between(at, end).is_some_and(|s| s >= 0.0))
    };
    let during: Vec<&LlmRequestRecord> = records
        .filter(|r| r.agent_id.as_deref() == Some(task.agent_id.as_str()))
        .filter(|r| after(&r.time) && before(&r.time))
        .collect();
    // The prompt as it appears inside the JSON of the messages (escaped, without quotes).
    let prompt = serde_json::to_string(task.input.text.trim()).unwrap_or_default();
    let prompt = prompt.trim_matches('"');
    if prompt.is_empty() {
        return during;
    }
    let carrying: Vec<&LlmRequestRecord> = during
        .iter()
        .copied()
        .filter(|r| {
            serde_json::to_string(&r.messages).is_ok_and(|messages| messages.contains(prompt))
        })
        .collect();
    if carrying.is_empty() {
        during
    } else {
        carrying
    }
}

/// The detail of one task; `pending_logins` are the ids of logins still waiting, so a login
/// event of this task gets its buttons.
pub(crate) fn render(
    info: &TaskInfo,
    llm: &[LlmRequestRecord],
    pending_logins: &[String],
    view: &View,
) -> String {
    let t = &info.task;
    let mut out = String::new();
    let _ = write!(
        out,
        "<p><a href=\"{back}\" data-back>← All tasks</a></p>\
         <header class=\"detail-head\"><h2>Task <span class=\"mono\">{id}</span></h2>{status}{stop}</header>",
        back = view.list_link(),
        id = esc(&t.id),
        status = badge(t.status.as_str()),
        stop = if t.status.is_terminal() {
            String::new()
        } else {
            format!(
                "<button type=\"button\" class=\"danger\" data-action=\"stop\" data-task=\"{}\">Stop task</button>",
                esc(&t.id)
            )
        },
    );
    let workers: Vec<String> = info.delivered_to.iter().map(|w| short_worker(w)).collect();
    let facts = [
        ("Agent", esc(&t.agent_id)),
        (
            "Agent version",
            esc(t.agent_version.as_deref().unwrap_or("latest")),
        ),
        ("Source", esc(t.source.as_deref().unwrap_or("—"))),
        (
            "Output format",
            esc(t.output_format.as_ref().map_or("text", |f| f.as_str())),
        ),
        ("Workers", workers.join(", ")),
        ("Created", time(Some(&t.created_at))),
        ("Started", time(t.started_at.as_ref())),
        ("Finished", time(t.finished_at.as_ref())),
        (
            "Duration",
            run_time(&t.created_at, t.started_at.as_ref(), t.finished_at.as_ref()),
        ),
    ];
    out.push_str("<dl class=\"facts\">");
    for (term, value) in facts {
        let _ = write!(out, "<div><dt>{term}</dt><dd>{value}</dd></div>");
    }
    out.push_str("</dl>");

    out.push_str(&section("Input", &input(info)));
    out.push_str(&section("Result", &result(info)));
    out.push_str(&section(
        &format!("Status changes ({})", info.status_changes.len()),
        &status_changes(info),
    ));
    let events = redacted(&info.events);
    out.push_str(&section(
        &format!("Pushed events ({})", info.events.len()),
        &pushed_events(&events, pending_logins),
    ));
    let calls = redacted(&info.tool_calls);
    out.push_str(&section(
        &format!("Tool invocations ({})", info.tool_calls.len()),
        &tool_calls(&calls),
    ));
    out.push_str(&section(
        &format!("Metrics ({})", info.metrics.len()),
        &metrics(info),
    ));
    out.push_str(&section(
        &format!("Scripted LLM requests ({})", llm.len()),
        &llm_requests(llm, &t.agent_id),
    ));
    out
}

fn section(title: &str, body: &str) -> String {
    format!(
        "<section class=\"card\"><h3>{}</h3>{body}</section>",
        esc(title)
    )
}

fn input(info: &TaskInfo) -> String {
    let t = &info.task;
    let mut out = text_block(&t.input.text);
    if let Some(user) = &t.input.user {
        let _ = write!(
            out,
            "<p>User: {}{}</p>",
            esc(&user.email),
            user.id
                .as_deref()
                .map(|id| format!(" (id <span class=\"mono\">{}</span>)", esc(id)))
                .unwrap_or_default()
        );
    }
    if !t.input.files.is_empty() {
        let files: Vec<String> = t.input.files.iter().map(|f| esc(f)).collect();
        let _ = write!(out, "<p>Files: {}</p>", files.join(", "));
    }
    if let Some(schema) = &t.output_schema {
        let _ = write!(
            out,
            "<details><summary>Output schema</summary>{}</details>",
            json_block(schema)
        );
    }
    out
}

fn result(info: &TaskInfo) -> String {
    let t = &info.task;
    let Some(result) = &t.result else {
        return "<p class=\"empty\">No result yet.</p>".into();
    };
    let mut out = if t.output_format == Some(OutputFormat::Json) {
        match serde_json::from_str::<Value>(result) {
            Ok(value) => json_block(&value),
            Err(e) => format!(
                "<p class=\"warn\">Not valid JSON: {}</p>{}",
                esc(&e.to_string()),
                text_block(result)
            ),
        }
    } else {
        text_block(result)
    };
    let mut extra = Vec::new();
    if let Some(tokens) = &t.tokens {
        extra.push(format!(
            "tokens: {} prompt, {} completion",
            tokens.prompt_tokens, tokens.completion_tokens
        ));
    }
    if !t.used_tools.is_empty() {
        extra.push(format!("used tools: {}", esc(&t.used_tools.join(", "))));
    }
    if !extra.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{}</p>", extra.join(" · "));
    }
    out
}

fn status_changes(info: &TaskInfo) -> String {
    if info.status_changes.is_empty() {
        return "<p class=\"empty\">None recorded.</p>".into();
    }
    let mut out = String::from("<ol class=\"timeline\">");
    for change in &info.status_changes {
        let offset = seconds_between(&info.task.created_at, &change.at)
            .map(|s| format!(" <span class=\"muted\">+{s:.3} s</span>"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li>{} {}{offset}</li>",
            badge(change.status.as_str()),
            time(Some(&change.at))
        );
    }
    out.push_str("</ol>");
    out
}

/// One line about a pushed event: a chunk's text, an auth event's server, a tool call's name.
fn event_summary(event: &Value) -> String {
    let data = &event["data"];
    let kind = event["type"].as_str().unwrap_or("");
    match kind {
        "chunk" => match data.as_str() {
            Some(text) => format!("<q>{}</q>", esc(&excerpt(text, 200))),
            None => String::new(),
        },
        "auth_event" => format!(
            "{} {}",
            esc(data["type"].as_str().unwrap_or("")),
            esc(data["data"]["server_name"]
                .as_str()
                .or(data["data"]["server_url"].as_str())
                .unwrap_or(""))
        ),
        _ => {
            let name = ["tool_name", "operation_id", "name"]
                .iter()
                .find_map(|key| data[*key].as_str());
            esc(name.unwrap_or(""))
        }
    }
}

/// The login id of a `login_required` auth event (the last segment of its URL).
fn login_id(event: &Value) -> Option<&str> {
    let url = event["data"]["data"]["url"].as_str()?;
    url.contains("/_dev/mcp_auth/login/")
        .then(|| url.rsplit('/').next())
        .flatten()
}

/// How many items of a list the detail shows (the newest): a streaming task can push
/// thousands of chunks, and the detail is read again on every change.
const SHOWN: usize = 200;

/// The newest [`SHOWN`] of `items`, after a note saying how many are left out.
fn newest<'a, T>(items: &'a [T], out: &mut String) -> impl Iterator<Item = &'a T> + use<'a, T> {
    let skipped = items.len().saturating_sub(SHOWN);
    if skipped > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">The {skipped} earlier ones are left out here; the JSON routes have them all.</p>"
        );
    }
    items.iter().skip(skipped)
}

fn pushed_events(events: &Value, pending_logins: &[String]) -> String {
    let Some(items) = events.as_array().filter(|items| !items.is_empty()) else {
        return "<p class=\"empty\">No events pushed.</p>".into();
    };
    let mut out = String::new();
    let items = newest(items, &mut out);
    out.push_str("<ol class=\"events\">");
    for event in items {
        let kind = event["type"].as_str().unwrap_or("event");
        let at = event["time"].as_str().map(Timestamp::from);
        let buttons = login_id(event)
            .filter(|id| pending_logins.iter().any(|p| p == id))
            .map(super::logins::buttons)
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li data-event=\"{kind_attr}\">{badge} {at} {summary}{buttons}\
             <details><summary>JSON</summary>{json}</details></li>",
            kind_attr = esc(kind),
            badge = badge(kind),
            at = time(at.as_ref()),
            summary = event_summary(event),
            json = json_block(event),
        );
    }
    out.push_str("</ol>");
    out
}

fn tool_calls(calls: &Value) -> String {
    let Some(items) = calls.as_array().filter(|items| !items.is_empty()) else {
        return "<p class=\"empty\">No platform tool was invoked for this task.</p>".into();
    };
    let mut out = String::new();
    let items = newest(items, &mut out);
    out.push_str("<ol class=\"events\">");
    for call in items {
        let at = call["time"].as_str().map(Timestamp::from);
        let preflight = if call["preflight"] == true {
            " <span class=\"muted\">preflight</span>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<li><strong>{tool}</strong> {at}{preflight} <span class=\"mono muted\">{id}</span>\
             <div class=\"pair\"><div><h4>Payload</h4>{payload}</div><div><h4>Answer</h4>{answer}</div></div></li>",
            tool = esc(call["tool_id"].as_str().unwrap_or("?")),
            at = time(at.as_ref()),
            id = esc(call["tool_call_id"].as_str().unwrap_or("")),
            payload = json_block(&call["payload"]),
            answer = json_block(&call["result"]),
        );
    }
    out.push_str("</ol>");
    out
}

fn metrics(info: &TaskInfo) -> String {
    if info.metrics.is_empty() {
        return "<p class=\"empty\">No metrics reported.</p>".into();
    }
    let mut out = String::new();
    for report in &info.metrics {
        let report = redacted(report);
        let figures: Vec<String> = ["status", "ai_model", "source", "duration"]
            .iter()
            .filter_map(|key| {
                let value = &report[*key];
                let shown = match value {
                    Value::String(s) => esc(s),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some(format!("{}: {shown}", key.replace('_', " ")))
            })
            .collect();
        let _ = write!(
            out,
            "<p>{}</p><details><summary>Report</summary>{}</details>",
            figures.join(" · "),
            json_block(&report)
        );
    }
    out
}

fn llm_requests(records: &[LlmRequestRecord], agent_id: &str) -> String {
    if records.is_empty() {
        return format!(
            "<p class=\"empty\">None while this task ran. An agent reaches the scripted LLM through \
             <code>/_dev/llm/agents/{}/openai/v1</code> (or <code>…/anthropic</code>).</p>",
            esc(agent_id)
        );
    }
    let mut out = String::from(
        "<p class=\"muted\">Requests on this agent's route while the task ran that carry its \
         prompt (all of them when none does).</p>",
    );
    let records = newest(records, &mut out);
    out.push_str("<ol class=\"events\">");
    for r in records {
        let outcome = match (&r.error, r.tool_call_ids.is_empty()) {
            (Some(error), _) => format!("<span class=\"warn\">{}</span>", esc(error)),
            (None, false) => format!("tool calls {}", esc(&r.tool_call_ids.join(", "))),
            (None, true) => "answer".into(),
        };
        let tools: Vec<&str> = r.tools.iter().map(|t| t.name.as_str()).collect();
        let _ = write!(
            out,
            "<li>#{seq} {at} {api} <span class=\"mono\">{model}</span> · {script} turn {turn} · \
             {status} · {messages} messages · tools: {tools} · {outcome}\
             <details><summary>Request</summary>{json}</details></li>",
            seq = r.seq,
            at = time(Some(&r.time)),
            api = match r.api {
                LlmApi::OpenAi => "OpenAI",
                LlmApi::Anthropic => "Anthropic",
            },
            model = esc(r.model.as_deref().unwrap_or("")),
            script = esc(&r.script),
            turn = r.turn.map_or("?".into(), |t| t.to_string()),
            status = r.status,
            messages = r.messages.len(),
            tools = if tools.is_empty() {
                "none".into()
            } else {
                esc(&tools.join(", "))
            },
            json = json_block(&redacted(r)),
        );
    }
    out.push_str("</ol>");
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn long_lists_show_their_newest_items() {
        let items: Vec<usize> = (0..250).collect();
        let mut out = String::new();
        let shown: Vec<&usize> = newest(&items, &mut out).collect();
        assert_eq!((shown.len(), *shown[0]), (SHOWN, 50));
        assert!(out.contains("The 50 earlier ones"), "{out}");
        let mut quiet = String::new();
        assert_eq!(newest(&items[..3], &mut quiet).count(), 3);
        assert!(quiet.is_empty());
    }

    #[test]
    fn login_ids_and_summaries() {
        let auth = json!({"type": "auth_event", "data": {"type": "login_required",
            "data": {"url": "http://127.0.0.1:1/_dev/mcp_auth/login/abc", "server_name": "GitHub"}}});
        assert_eq!(login_id(&auth), Some("abc"));
        assert_eq!(event_summary(&auth), "login_required GitHub");
        let chunk = json!({"type": "chunk", "data": "<b>hi</b>"});
        assert_eq!(event_summary(&chunk), "<q>&lt;b&gt;hi&lt;/b&gt;</q>");
        assert_eq!(login_id(&chunk), None);
        let call = json!({"type": "tool_call_request", "data": {"tool_name": "search"}});
        assert_eq!(event_summary(&call), "search");
    }
}
