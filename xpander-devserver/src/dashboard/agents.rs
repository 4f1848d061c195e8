//! The agents: what each is (framework, model, tools, MCP servers), how many workers serve it,
//! and the `export` line that points a worker at it. Built from chosen fields only, never
//! from keys, headers or environment values; the API key is named, not shown.

use std::fmt::Write as _;

use xpander_runtime::model::{Agent, GraphItemType};

use super::html::esc;
use crate::state::Store;

/// What a card shows, copied out of the store.
pub(crate) struct Card {
    name: String,
    id: String,
    version: i64,
    framework: String,
    provider: String,
    model: String,
    llm_base: Option<String>,
    tools: Vec<String>,
    local_tools: Vec<String>,
    mcp: Vec<String>,
    workers: usize,
}

/// The cards of every agent, in the order they were added.
pub(crate) fn cards(store: &Store) -> Vec<Card> {
    store
        .agents
        .list()
        .map(|agent| card(store, agent))
        .collect()
}

fn card(store: &Store, agent: &Agent) -> Card {
    let local_tools = store
        .local_tools
        .get(&agent.id)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["name"].as_str().or(t["id"].as_str()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mcp = agent
        .graph
        .iter()
        .filter(|item| item.item_type == GraphItemType::Mcp)
        .filter_map(|item| item.settings.as_ref()?.mcp_settings.as_ref())
        .map(|server| {
            let name = server.name.as_deref().unwrap_or("MCP server");
            let place = match (&server.url, &server.command) {
                (Some(url), _) => display_url(url),
                // The program only: arguments may carry a token.
                (None, Some(command)) => format!(
                    "local command {}",
                    command.split_whitespace().next().unwrap_or("")
                ),
                (None, None) => "no URL or command".into(),
            };
            let auth = server
                .auth_type
                .as_ref()
                .map(|a| format!(", auth {}", a.as_str()))
                .unwrap_or_default();
            format!("{name}: {place}{auth}")
        })
        .collect();
    Card {
        name: agent.name.clone(),
        id: agent.id.clone(),
        version: agent.version,
        framework: agent.framework.as_str().to_owned(),
        provider: agent.model_provider.clone(),
        model: agent.model_name.clone(),
        llm_base: agent.llm_api_base.as_deref().map(display_url),
        tools: agent.tools.iter().map(|t| t.name.clone()).collect(),
        local_tools,
        mcp,
        workers: store
            .workers
            .values()
            .filter(|w| w.info.agent_id == agent.id)
            .count(),
    }
}

/// A URL without what may be a credential: user info, query and fragment.
pub(crate) fn display_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if scheme.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{scheme}://{host}{path}")
    }
}

/// `value` as one shell word: as it is when plain, else in single quotes.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:/@%+=,".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// The line a worker's shell needs. The key is left to the shell it was exported in (the
/// devserver prints it at start), and the line fails loudly where it was not.
pub(crate) fn export_line(base_url: &str, org: &str, agent_id: &str) -> String {
    format!(
        "export XPANDER_BASE_URL={} XPANDER_ORGANIZATION_ID={} XPANDER_AGENT_ID={} \
         XPANDER_API_KEY=\"${{XPANDER_API_KEY:?set it to the key xpander-devserver printed at start}}\"",
        shell_word(base_url),
        shell_word(org),
        shell_word(agent_id)
    )
}

fn list(items: &[String], none: &str) -> String {
    if items.is_empty() {
        return format!("<span class=\"muted\">{none}</span>");
    }
    let items: Vec<String> = items
        .iter()
        .map(|i| format!("<li>{}</li>", esc(i)))
        .collect();
    format!("<ul class=\"plain\">{}</ul>", items.concat())
}

/// Every card.
pub(crate) fn render(cards: &[Card], base_url: &str, org: &str) -> String {
    if cards.is_empty() {
        return "<p class=\"empty\">No agents. Add one with <code>POST /_dev/agents</code>.</p>"
            .into();
    }
    let mut out = String::from("<div class=\"cards\">");
    for (i, c) in cards.iter().enumerate() {
        let workers = match c.workers {
            0 => "<span class=\"muted\">no worker connected</span>".to_owned(),
            1 => "1 worker connected".to_owned(),
            n => format!("{n} workers connected"),
        };
        let _ = write!(
            out,
            "<article class=\"card agent\" data-agent=\"{id}\"><h2>{name}</h2>\
             <dl class=\"facts\"><div><dt>Id</dt><dd class=\"mono\">{id}</dd></div>\
             <div><dt>Version</dt><dd>{version}</dd></div>\
             <div><dt>Framework</dt><dd>{framework}</dd></div>\
             <div><dt>Model</dt><dd>{provider} · <span class=\"mono\">{model}</span></dd></div>\
             <div><dt>LLM base</dt><dd class=\"mono\">{base}</dd></div>\
             <div><dt>Workers</dt><dd>{workers}</dd></div></dl>\
             <div class=\"pair\"><div><h3>Tools</h3>{tools}<h3>Local tools synced</h3>{local}</div>\
             <div><h3>MCP servers</h3>{mcp}</div></div>\
             <h3 id=\"export-{i}\">Worker environment</h3>\
             <div class=\"export\"><pre aria-labelledby=\"export-{i}\">{export}</pre>\
             <button type=\"button\" class=\"quiet\" data-action=\"copy\">Copy</button></div></article>",
            id = esc(&c.id),
            name = esc(&c.name),
            version = c.version,
            framework = esc(&c.framework),
            provider = esc(&c.provider),
            model = esc(&c.model),
            base = esc(c.llm_base.as_deref().unwrap_or("the provider's")),
            tools = list(&c.tools, "none"),
            local = list(&c.local_tools, "none"),
            mcp = list(&c.mcp, "none"),
            export = esc(&export_line(base_url, org, &c.id)),
        );
    }
    out.push_str("</div>");
    out
}

/// The agent ids and names, for the forms' agent choices.
pub(crate) fn choices(store: &Store) -> Vec<(String, String)> {
    store
        .agents
        .list()
        .map(|a| (a.id.clone(), format!("{} ({})", a.name, a.id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials_and_words_are_quoted() {
        assert_eq!(
            display_url("https://user:pw@mcp.example/path?token=x#y"),
            "https://mcp.example/path"
        );
        assert_eq!(display_url("mcp.example"), "mcp.example");
        assert_eq!(shell_word("http://127.0.0.1:9100"), "http://127.0.0.1:9100");
        assert_eq!(shell_word("a b'c"), r"'a b'\''c'");
        let line = export_line("http://h:1", "org", "x;y");
        assert!(line.contains("XPANDER_AGENT_ID='x;y'"), "{line}");
        assert!(line.contains("${XPANDER_API_KEY:?"), "{line}");
    }
}
