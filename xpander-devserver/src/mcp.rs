//! Simulated MCP OAuth: `auth_type` none / api_key / custom_headers / sso_user get a token at
//! once; `oauth2` needs a login (opening the login URL, or `POST /_dev/mcp_auth/approve`) first.
//! A denied login (`POST /_dev/mcp_auth/deny`) answers `token_issue` once; the next request
//! starts a new login.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Value, json};
use xpander_runtime::model::{McpAuthType, McpServerDetails, Timestamp};

/// A login waiting for the user.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PendingLogin {
    pub login_id: String,
    pub agent_id: String,
    pub user_id: String,
    pub server_url: String,
    pub server_name: String,
    pub created_at: Timestamp,
    pub approved: bool,
    /// The user refused; the next token request hears it.
    pub denied: bool,
}

/// Logins and issued tokens, by (user, server).
#[derive(Debug, Default)]
pub(crate) struct McpAuthStore {
    /// Login id → login.
    logins: BTreeMap<String, PendingLogin>,
    /// (user, server) → login id.
    by_user_server: HashMap<(String, String), String>,
    /// (user, server) → token.
    tokens: HashMap<(String, String), String>,
}

impl McpAuthStore {
    /// The `get_token` answer for this user and server.
    pub fn get_token(
        &mut self,
        base_url: &str,
        agent_id: &str,
        user_id: &str,
        server: &McpServerDetails,
    ) -> Value {
        let server_url = server.url.clone().unwrap_or_default();
        let server_name = server
            .name
            .clone()
            .or_else(|| server.url.clone())
            .unwrap_or_default();
        let key = (user_id.to_owned(), server_key(server));
        let auth = server.auth_type.clone().unwrap_or(McpAuthType::None);
        match auth {
            McpAuthType::None
            | McpAuthType::ApiKey
            | McpAuthType::CustomHeaders
            | McpAuthType::SsoUser => self.token_ready(key, server_url, server_name),
            McpAuthType::OAuth2 => {
                let (approved, denied) = self
                    .by_user_server
                    .get(&key)
                    .and_then(|id| self.logins.get(id))
                    .map_or((false, false), |l| (l.approved, l.denied));
                if approved {
                    return self.token_ready(key, server_url, server_name);
                }
                if denied {
                    // Forgotten once told: a later attempt gets a fresh login.
                    self.by_user_server.remove(&key);
                    return json!({"type": "token_issue", "data": {
                        "message": format!("the user denied the login to {server_name}"),
                        "server_url": server_url,
                        "server_name": server_name,
                    }});
                }
                let login_id = match self.by_user_server.get(&key) {
                    Some(id) => id.clone(),
                    None => {
                        let id = uuid::Uuid::new_v4().simple().to_string();
                        self.logins.insert(
                            id.clone(),
                            PendingLogin {
                                login_id: id.clone(),
                                agent_id: agent_id.to_owned(),
                                user_id: user_id.to_owned(),
                                server_url: server_url.clone(),
                                server_name: server_name.clone(),
                                created_at: Timestamp::now(),
                                approved: false,
                                denied: false,
                            },
                        );
                        self.by_user_server.insert(key, id.clone());
                        id
                    }
                };
                json!({"type": "login_required", "data": {
                    "url": format!("{base_url}/_dev/mcp_auth/login/{login_id}"),
                    "server_url": server_url,
                    "server_name": server_name,
                }})
            }
            McpAuthType::Other(other) => json!({"type": "not_supported", "data": {
                "message": format!("auth_type {other:?} is not supported"),
                "server_url": server_url,
                "server_name": server_name,
            }}),
        }
    }

    fn token_ready(&mut self, key: (String, String), server_url: String, name: String) -> Value {
        let token = self
            .tokens
            .entry(key)
            .or_insert_with(|| format!("devserver-mcp-{}", uuid::Uuid::new_v4().simple()))
            .clone();
        json!({"type": "token_ready", "data": {
            "access_token": token, "server_url": server_url, "server_name": name,
        }})
    }

    /// Approves one login; whether it exists. A denied login stays denied.
    pub fn approve_login(&mut self, login_id: &str) -> bool {
        match self.logins.get_mut(login_id) {
            Some(login) => {
                login.approved |= !login.denied;
                true
            }
            None => false,
        }
    }

    /// Denies one pending login: `None` when there is no such login, `Some(false)` when it was
    /// already approved or denied.
    pub fn deny_login(&mut self, login_id: &str) -> Option<bool> {
        let login = self.logins.get_mut(login_id)?;
        let pending = !login.approved && !login.denied;
        login.denied |= pending;
        Some(pending)
    }

    /// Approves the pending logins that match (all when no filter is given); how many.
    pub fn approve_matching(&mut self, user_id: Option<&str>, server_url: Option<&str>) -> usize {
        let mut n = 0;
        for login in self
            .logins
            .values_mut()
            .filter(|l| !l.approved && !l.denied)
        {
            if user_id.is_none_or(|u| u == login.user_id)
                && server_url.is_none_or(|s| s == login.server_url)
            {
                login.approved = true;
                n += 1;
            }
        }
        n
    }

    pub fn logins(&self) -> impl Iterator<Item = &PendingLogin> {
        self.logins.values()
    }
}

/// What identifies a server: its URL, else its name, else its command.
fn server_key(server: &McpServerDetails) -> String {
    server
        .url
        .clone()
        .or_else(|| server.name.clone())
        .or_else(|| server.command.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(auth: McpAuthType) -> McpServerDetails {
        McpServerDetails {
            url: Some("https://mcp.example".into()),
            auth_type: Some(auth),
            ..McpServerDetails::default()
        }
    }

    #[test]
    fn oauth_needs_a_login() {
        let mut store = McpAuthStore::default();
        let first = store.get_token("http://h", "a", "u", &server(McpAuthType::OAuth2));
        assert_eq!(first["type"], "login_required");
        let again = store.get_token("http://h", "a", "u", &server(McpAuthType::OAuth2));
        assert_eq!(first, again);
        let url = first["data"]["url"].as_str().unwrap();
        let id = url.rsplit('/').next().unwrap();
        assert!(store.approve_login(id));
        let ready = store.get_token("http://h", "a", "u", &server(McpAuthType::OAuth2));
        assert_eq!(ready["type"], "token_ready");
        assert_eq!(ready["data"]["server_url"], "https://mcp.example");
    }

    #[test]
    fn a_denied_login_is_told_once_then_starts_again() {
        let mut store = McpAuthStore::default();
        let oauth = server(McpAuthType::OAuth2);
        let first = store.get_token("http://h", "a", "u", &oauth);
        let url = first["data"]["url"].as_str().unwrap();
        let id = url.rsplit('/').next().unwrap().to_owned();
        assert_eq!(store.deny_login(&id), Some(true));
        assert_eq!(store.deny_login(&id), Some(false));
        assert_eq!(store.deny_login("nope"), None);
        assert!(store.approve_login(&id));
        assert_eq!(store.approve_matching(None, None), 0);
        let told = store.get_token("http://h", "a", "u", &oauth);
        assert_eq!(told["type"], "token_issue");
        assert!(told["data"]["message"].as_str().unwrap().contains("denied"));
        let again = store.get_token("http://h", "a", "u", &oauth);
        assert_eq!(again["type"], "login_required");
        assert_ne!(again["data"]["url"], first["data"]["url"]);
    }

    #[test]
    fn other_auth_types() {
        let mut store = McpAuthStore::default();
        for auth in [McpAuthType::None, McpAuthType::ApiKey] {
            assert_eq!(
                store.get_token("h", "a", "u", &server(auth))["type"],
                "token_ready"
            );
        }
        let odd = store.get_token("h", "a", "u", &server(McpAuthType::Other("magic".into())));
        assert_eq!(odd["type"], "not_supported");
    }
}
