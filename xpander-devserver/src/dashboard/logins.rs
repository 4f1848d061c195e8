//! MCP logins waiting for the user, on every view: approve or deny each (through
//! `POST /_dev/mcp_auth/approve` and `/deny`), or open its login URL as the user would.

use std::fmt::Write as _;

use super::html::{esc, time};
use crate::mcp::PendingLogin;

/// The Approve and Deny buttons of one login.
pub(crate) fn buttons(login_id: &str) -> String {
    let id = esc(login_id);
    format!(
        " <span class=\"actions\"><button type=\"button\" data-action=\"approve\" data-login=\"{id}\">Approve</button>\
         <button type=\"button\" class=\"quiet\" data-action=\"deny\" data-login=\"{id}\">Deny</button></span>"
    )
}

/// The banner of waiting logins; empty when none waits.
pub(crate) fn render<'a>(logins: impl Iterator<Item = &'a PendingLogin>) -> String {
    let waiting: Vec<&PendingLogin> = logins.filter(|l| !l.approved && !l.denied).collect();
    if waiting.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"logins\" aria-labelledby=\"logins-title\"><h2 id=\"logins-title\">\
         {} MCP login{} waiting</h2><ul>",
        waiting.len(),
        if waiting.len() == 1 { "" } else { "s" }
    );
    for login in waiting {
        let _ = write!(
            out,
            "<li data-login=\"{id}\"><strong>{name}</strong> <span class=\"mono\">{url}</span> \
             for user <span class=\"mono\">{user}</span>, agent <span class=\"mono\">{agent}</span>, \
             since {since}{buttons} <a href=\"/_dev/mcp_auth/login/{id}\" target=\"_blank\" \
             rel=\"noopener\">open the login page</a></li>",
            id = esc(&login.login_id),
            name = esc(&login.server_name),
            url = esc(&super::agents::display_url(&login.server_url)),
            user = esc(&login.user_id),
            agent = esc(&login.agent_id),
            since = time(Some(&login.created_at)),
            buttons = buttons(&login.login_id),
        );
    }
    out.push_str("</ul></section>");
    out
}
