//! Small HTML helpers for the dashboard: escaping, times, durations, status badges and JSON
//! blocks. Every text that comes from a request goes through [`esc`].

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Local};
use serde_json::Value;
use xpander_runtime::model::Timestamp;

/// The longest JSON block shown inline; the rest is cut with a pointer to the JSON route.
const JSON_LIMIT: usize = 64 * 1024;

/// `text` escaped for HTML text and quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A query-string value, percent-encoded (for links the server writes).
pub(crate) fn url_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The first `max` characters of `text`, with `…` when cut; line breaks become spaces.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

fn parse(at: &Timestamp) -> Option<DateTime<FixedOffset>> {
    at.parse()
}

/// A `<time>` in the server's local time: the time of day when it is today, else the date
/// too; the full timestamp in `datetime` and `title`.
pub(crate) fn time(at: Option<&Timestamp>) -> String {
    let Some(at) = at else {
        return "<span class=\"none\">—</span>".into();
    };
    let Some(parsed) = parse(at) else {
        return esc(at.as_str());
    };
    let local = parsed.with_timezone(&Local);
    let shown = if local.date_naive() == Local::now().date_naive() {
        local.format("%H:%M:%S").to_string()
    } else {
        local.format("%b %d %H:%M").to_string()
    };
    format!(
        "<time datetime=\"{iso}\" title=\"{iso}\">{shown}</time>",
        iso = esc(at.as_str())
    )
}

/// Seconds from `from` to `to`, when both parse.
pub(crate) fn seconds_between(from: &Timestamp, to: &Timestamp) -> Option<f64> {
    let (from, to) = (parse(from)?, parse(to)?);
    Some((to - from).num_microseconds()? as f64 / 1e6)
}

/// `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 4 min`.
pub(crate) fn duration(seconds: f64) -> String {
    let seconds = seconds.max(0.0);
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else if seconds < 3600.0 {
        format!("{} min {} s", (seconds / 60.0) as u64, seconds as u64 % 60)
    } else {
        format!(
            "{} h {} min",
            (seconds / 3600.0) as u64,
            (seconds as u64 % 3600) / 60
        )
    }
}

/// A status badge (`completed`, `lost`, ...); the class picks the colour.
pub(crate) fn badge(status: &str) -> String {
    let class: String = status
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("<span class=\"badge s-{class}\">{}</span>", esc(status))
}

/// `value` as indented JSON in a `<pre>`, cut past [`JSON_LIMIT`].
pub(crate) fn json_block(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    pre(&text)
}

/// `text` in a `<pre>`, cut past [`JSON_LIMIT`]: pretty JSON when it is a JSON object or array.
pub(crate) fn text_block(text: &str) -> String {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => json_block(&value),
        _ => pre(text),
    }
}

fn pre(text: &str) -> String {
    if text.len() <= JSON_LIMIT {
        return format!("<pre>{}</pre>", esc(text));
    }
    let mut end = JSON_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "<pre>{}</pre><p class=\"note\">Cut at {} KiB of {} KiB; the JSON routes have it all.</p>",
        esc(&text[..end]),
        JSON_LIMIT / 1024,
        text.len() / 1024
    )
}

/// A count with thousands separators: `10,000`.
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `<option>`s for `values`, the one equal to `selected` selected; `(value, label)` pairs.
pub(crate) fn options<'a>(
    values: impl IntoIterator<Item = (&'a str, String)>,
    selected: Option<&str>,
) -> String {
    let mut out = String::new();
    for (value, label) in values {
        let mark = if Some(value) == selected {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{mark}>{}</option>",
            esc(value),
            esc(&label)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url_part("a b/é"), "a%20b%2F%C3%A9");
        assert_eq!(excerpt("hello\nworld", 5), "hello…");
        assert_eq!(excerpt("hi", 5), "hi");
    }

    #[test]
    fn durations_and_counts() {
        assert_eq!(duration(0.25), "250 ms");
        assert_eq!(duration(4.21), "4.2 s");
        assert_eq!(duration(185.0), "3 min 5 s");
        assert_eq!(duration(7440.0), "2 h 4 min");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(999), "999");
        let (a, b) = (
            Timestamp::from("2026-01-01T00:00:00Z"),
            Timestamp::from("2026-01-01T00:00:01.5Z"),
        );
        assert_eq!(seconds_between(&a, &b), Some(1.5));
    }

    #[test]
    fn blocks_pretty_print_json_and_cut_long_text() {
        assert_eq!(
            text_block("{\"a\":1}"),
            "<pre>{\n  &quot;a&quot;: 1\n}</pre>"
        );
        assert_eq!(text_block("plain <b>"), "<pre>plain &lt;b&gt;</pre>");
        assert_eq!(text_block("42"), "<pre>42</pre>");
        let long = json!({"x": "é".repeat(JSON_LIMIT)});
        assert!(json_block(&long).contains("Cut at 64 KiB"));
        assert_eq!(badge("lost"), "<span class=\"badge s-lost\">lost</span>");
    }
}
