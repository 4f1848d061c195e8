//! [`DevServerOptions`]: what a devserver serves and how.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::faults::Faults;
use crate::llm::LlmScripts;

/// How to start a [`DevServer`](crate::DevServer).
///
/// The defaults bind `127.0.0.1` on a port the OS picks, use the organization `local-org`, pick
/// a random API key and seed one demo agent. Every field can be set with a builder method:
///
/// ```
/// use std::time::Duration;
/// use xpander_devserver::DevServerOptions;
///
/// let options = DevServerOptions::default()
///     .org("acme")
///     .api_key("test-key")
///     .heartbeat_interval(Duration::from_millis(200));
/// assert_eq!(options.org, "acme");
/// assert_eq!(options.port, 0);
/// assert!(!format!("{options:?}").contains("test-key")); // Debug hides the key
/// ```
#[derive(Clone)]
pub struct DevServerOptions {
    /// The address to bind (default `127.0.0.1`).
    pub host: IpAddr,
    /// The port to bind; `0` lets the OS choose (the default).
    pub port: u16,
    /// The organization id served (default `local-org`).
    pub org: String,
    /// The API key every platform route requires; `None` picks a random one.
    pub api_key: Option<String>,
    /// Agent JSON objects to seed (protocol §5.1). Missing required keys get defaults
    /// (`organization_id`, `unique_name`, `framework`, `model_provider`, `model_name`). When
    /// empty, and no state file holds agents, one demo agent is seeded.
    pub agents: Vec<Value>,
    /// A file where tasks and agents persist across restarts.
    pub state_file: Option<PathBuf>,
    /// How often an idle SSE stream gets a keep-alive comment (default 15 s).
    pub keep_alive: Duration,
    /// Whether every worker stream starts with a UTF-8 byte-order mark (`EF BB BF`), which an
    /// SSE reader must skip (default false).
    pub sse_bom: bool,
    /// The heartbeat interval workers are held to; a worker is lost after missing three
    /// (default 2 s).
    pub heartbeat_interval: Duration,
    /// The largest request body accepted, in bytes (default 2 MiB); larger ones get 413.
    pub body_limit: usize,
    /// Whether `/_dev/*` and the index page answer only loopback peers (default true).
    pub dev_routes_loopback_only: bool,
    /// The connection URI served by `GET /agents/{id}/db`; `None` answers 404.
    pub db_uri: Option<String>,
    /// The map served by `GET /metadata/default_llm_extra_headers` (default `{}`).
    pub llm_extra_headers: Map<String, Value>,
    /// Seeded responses of `POST /agents/{id}/operations/{tool_id}`, by tool id; other tools
    /// echo their payload.
    pub tool_responses: HashMap<String, Value>,
    /// Knowledge bases served by `/knowledge_bases/{id}` (details and search).
    pub knowledge_bases: Vec<KnowledgeBase>,
    /// An LLM-gateway route put on `agent-execution` deliveries to workers that connected with
    /// `supports_llm_gateway=true` (never stored).
    pub llm_gateway: Option<LlmGatewayRoute>,
    /// How many requests `GET /_dev/requests` remembers (default 20 000).
    pub request_log_capacity: usize,
    /// Faults injected from the start (see [`Faults`]).
    pub faults: Faults,
    /// The scripted LLM's scripts from the start (see [`LlmScripts`]).
    pub llm_scripts: LlmScripts,
}

impl std::fmt::Debug for DevServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevServerOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("org", &self.org)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("agents", &self.agents.len())
            .field("state_file", &self.state_file)
            .field("keep_alive", &self.keep_alive)
            .field("sse_bom", &self.sse_bom)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("body_limit", &self.body_limit)
            .field("dev_routes_loopback_only", &self.dev_routes_loopback_only)
            .field("db_uri", &self.db_uri.as_ref().map(|_| "[REDACTED]"))
            .field("knowledge_bases", &self.knowledge_bases.len())
            .field("llm_gateway", &self.llm_gateway)
            .field("faults", &self.faults)
            .field("llm_scripts", &self.llm_scripts)
            .finish_non_exhaustive()
    }
}

impl Default for DevServerOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            org: "local-org".to_owned(),
            api_key: None,
            agents: Vec::new(),
            state_file: None,
            keep_alive: Duration::from_secs(15),
            sse_bom: false,
            heartbeat_interval: Duration::from_secs(2),
            body_limit: 2 * 1024 * 1024,
            dev_routes_loopback_only: true,
            db_uri: None,
            llm_extra_headers: Map::new(),
            tool_responses: HashMap::new(),
            knowledge_bases: Vec::new(),
            llm_gateway: None,
            request_log_capacity: 20_000,
            faults: Faults::default(),
            llm_scripts: LlmScripts::default(),
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)+) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    )+};
}

impl DevServerOptions {
    setters! {
        /// Sets the address to bind.
        host: IpAddr;
        /// Sets the port (`0`: the OS chooses).
        port: u16;
        /// Sets the keep-alive interval of SSE streams.
        keep_alive: Duration;
        /// Starts every worker stream with a byte-order mark (or not).
        sse_bom: bool;
        /// Sets the heartbeat interval (a worker is lost after three missed).
        heartbeat_interval: Duration;
        /// Sets the body size limit in bytes.
        body_limit: usize;
        /// Sets whether `/_dev/*` answers loopback peers only.
        dev_routes_loopback_only: bool;
        /// Sets the map of default LLM headers.
        llm_extra_headers: Map<String, Value>;
        /// Sets the initial faults.
        faults: Faults;
        /// Sets the scripted LLM's scripts, e.g.
        /// `LlmScripts::new().default_script(vec![LlmTurn::answer("hi")])`.
        llm_scripts: LlmScripts;
    }

    /// Sets the organization id.
    pub fn org(mut self, org: impl Into<String>) -> Self {
        self.org = org.into();
        self
    }

    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Adds an agent (a JSON object, protocol §5.1) to seed.
    pub fn agent(mut self, agent: Value) -> Self {
        self.agents.push(agent);
        self
    }

    /// Persists tasks and agents in this file.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Serves this URI from `GET /agents/{id}/db`.
    pub fn db_uri(mut self, uri: impl Into<String>) -> Self {
        self.db_uri = Some(uri.into());
        self
    }

    /// Answers invocations of this tool with `response`.
    pub fn tool_response(mut self, tool_id: impl Into<String>, response: Value) -> Self {
        self.tool_responses.insert(tool_id.into(), response);
        self
    }

    /// Adds a knowledge base.
    pub fn knowledge_base(mut self, kb: KnowledgeBase) -> Self {
        self.knowledge_bases.push(kb);
        self
    }

    /// Puts this LLM-gateway route on every delivery.
    pub fn llm_gateway(mut self, route: LlmGatewayRoute) -> Self {
        self.llm_gateway = Some(route);
        self
    }
}

/// A knowledge base with its documents, searched by simple term scoring.
///
/// ```
/// use xpander_devserver::KnowledgeBase;
///
/// let kb = KnowledgeBase::new("kb-1", "Handbook")
///     .document("Refunds are issued within 14 days.")
///     .document("Support is open on weekdays.");
/// assert_eq!(kb.documents.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The documents' text.
    #[serde(default)]
    pub documents: Vec<String>,
}

impl KnowledgeBase {
    /// An empty knowledge base.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: None,
            documents: Vec::new(),
        }
    }

    /// Adds a document.
    pub fn document(mut self, text: impl Into<String>) -> Self {
        self.documents.push(text.into());
        self
    }
}

/// An LLM-gateway route (`payload_extension.llm_gateway`) put on deliveries.
///
/// ```
/// use xpander_devserver::LlmGatewayRoute;
///
/// let route = LlmGatewayRoute { base_url: "http://127.0.0.1:1/gw".into(), token: "t".into() };
/// assert_eq!(serde_json::to_value(&route).unwrap()["token"], "t");
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmGatewayRoute {
    /// The gateway root.
    pub base_url: String,
    /// The run token.
    pub token: String,
}

impl std::fmt::Debug for LlmGatewayRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmGatewayRoute")
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .finish()
    }
}
