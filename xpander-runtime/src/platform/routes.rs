//! Every platform endpoint the SDK calls, once: method and path, what it sends, what it answers.
//! Read the devserver's router against this list.

use std::time::Duration;

use serde::Serialize;

use serde_json::Value;

use super::endpoint::{Answer, Endpoint, Ignored, Route, json_answers};
use crate::Result;
use crate::model::{
    Agent, AgentSummary, CreateTaskRequest, ExecutionMetricsReport, KnowledgeHit, McpServerDetails,
    McpTokenAnswer, Task, TaskFilters, TaskReportRequest, TaskSummary, TaskUpdateEvent,
    WorkerEnvironment, WorkerMessage,
};

json_answers!(
    Agent,
    ApiKeyAllowance,
    Task,
    Vec<AgentSummary>,
    Vec<TaskSummary>,
    Vec<KnowledgeHit>,
    McpTokenAnswer,
);

/// `x-agent-version`, sent when a version other than the latest (`0` or empty) is asked for.
fn agent_version(route: Route, version: Option<&str>) -> Route {
    match version.filter(|v| !v.is_empty() && *v != "0") {
        Some(version) => route.header("x-agent-version", version),
        None => route,
    }
}

// --- agents ---------------------------------------------------------------------------------

/// `GET /agents/{agent_id}`, with `x-agent-version` for a pinned version.
pub(crate) struct GetAgent<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) version: Option<u32>,
}

impl Endpoint for GetAgent<'_> {
    type Response = Agent;
    fn route(self) -> Route {
        let version = self.version.map(|v| v.to_string());
        agent_version(
            Route::get(format!("/agents/{}", self.agent_id)),
            version.as_deref(),
        )
    }
}

/// `GET /agents/list`.
pub(crate) struct ListAgents;

impl Endpoint for ListAgents {
    type Response = Vec<AgentSummary>;
    fn route(self) -> Route {
        Route::get("/agents/list".into())
    }
}

// --- tasks ----------------------------------------------------------------------------------

/// `POST /agent-execution/{agent_id}`: a new task, with `x-agent-version` for a pinned version.
pub(crate) struct CreateTask<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) request: &'a CreateTaskRequest,
}

impl Endpoint for CreateTask<'_> {
    type Response = Task;
    fn route(self) -> Route {
        let route = Route::post(format!("/agent-execution/{}", self.agent_id));
        agent_version(route, self.request.agent_version.as_deref()).json(self.request)
    }
}

/// `GET /agent-execution/{task_id}/status`: the whole task.
pub(crate) struct GetTask<'a> {
    pub(crate) task_id: &'a str,
}

impl Endpoint for GetTask<'_> {
    type Response = Task;
    fn route(self) -> Route {
        Route::get(format!("/agent-execution/{}/status", self.task_id))
    }
}

/// `PATCH /agent-execution/{task_id}/update`: a whole task (a save) or some of its fields.
pub(crate) struct UpdateTask<'a, B> {
    pub(crate) task_id: &'a str,
    pub(crate) body: &'a B,
}

impl<B: Serialize> Endpoint for UpdateTask<'_, B> {
    type Response = Task;
    fn route(self) -> Route {
        Route::patch(format!("/agent-execution/{}/update", self.task_id)).json(self.body)
    }
}

/// `DELETE /agent-execution/{task_id}`: stops the task.
pub(crate) struct StopTask<'a> {
    pub(crate) task_id: &'a str,
}

impl Endpoint for StopTask<'_> {
    type Response = Task;
    fn route(self) -> Route {
        Route::delete(format!("/agent-execution/{}", self.task_id))
    }
}

/// Whose task history to list.
pub(crate) enum HistoryOf<'a> {
    Agent(&'a str),
    User(&'a str),
}

/// `GET /agent-execution/executions/history/{agent_id}` or `.../history/user/{user_id}`, with
/// the filters as query parameters.
pub(crate) struct TaskHistory<'a> {
    pub(crate) of: HistoryOf<'a>,
    pub(crate) filters: &'a TaskFilters,
}

impl Endpoint for TaskHistory<'_> {
    type Response = Vec<TaskSummary>;
    fn route(self) -> Route {
        let path = match self.of {
            HistoryOf::Agent(id) => format!("/agent-execution/executions/history/{id}"),
            HistoryOf::User(id) => format!("/agent-execution/executions/history/user/{id}"),
        };
        let filters = self.filters;
        let status = filters.status.as_ref().map(|s| s.as_str().to_owned());
        [
            ("user_id", &filters.user_id),
            ("parent_task_id", &filters.parent_task_id),
            ("triggering_agent_id", &filters.triggering_agent_id),
            ("status", &status),
            ("internal_status", &filters.internal_status),
        ]
        .into_iter()
        .fold(Route::get(path), |route, (name, value)| match value {
            Some(value) => route.query(name, value.clone()),
            None => route,
        })
    }
}

/// `POST /agent-execution/{agent_id}/report_task`: records a task run outside the platform.
pub(crate) struct ReportExternalTask<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) report: &'a TaskReportRequest,
}

impl Endpoint for ReportExternalTask<'_> {
    type Response = Task;
    fn route(self) -> Route {
        Route::post(format!("/agent-execution/{}/report_task", self.agent_id)).json(self.report)
    }
}

/// `POST /agent-execution/{task_id}/events/push`: events for the task's watchers.
pub(crate) struct PushTaskEvents<'a> {
    pub(crate) task_id: &'a str,
    pub(crate) events: &'a [TaskUpdateEvent],
}

impl Endpoint for PushTaskEvents<'_> {
    type Response = Ignored;
    fn route(self) -> Route {
        Route::post(format!("/agent-execution/{}/events/push", self.task_id)).json(&self.events)
    }
}

/// `POST /agents-metrics/{agent_id}/execution`: a finished task's token usage and duration.
pub(crate) struct ReportMetrics<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) report: &'a ExecutionMetricsReport,
}

impl Endpoint for ReportMetrics<'_> {
    type Response = Ignored;
    fn route(self) -> Route {
        Route::post(format!("/agents-metrics/{}/execution", self.agent_id)).json(self.report)
    }
}

// --- what the Backend resolves and calls -----------------------------------------------------

/// `GET /metadata/default_llm_extra_headers`: the organization's default LLM headers.
pub(crate) struct GetOrgLlmHeaders;

impl Endpoint for GetOrgLlmHeaders {
    type Response = Value;
    fn route(self) -> Route {
        Route::get("/metadata/default_llm_extra_headers".into())
    }
}

/// `GET /agents/{agent_id}/db`: the agent's session database (`connection_uri.uri`).
pub(crate) struct GetAgentDb<'a> {
    pub(crate) agent_id: &'a str,
}

impl Endpoint for GetAgentDb<'_> {
    type Response = Value;
    fn route(self) -> Route {
        Route::get(format!("/agents/{}/db", self.agent_id))
    }
}

/// `GET /knowledge_bases/{id}?search_query=...&top_k=...`: a knowledge-base search.
pub(crate) struct SearchKnowledgeBase<'a> {
    pub(crate) knowledge_base_id: &'a str,
    pub(crate) query: &'a str,
    pub(crate) top_k: usize,
}

impl Endpoint for SearchKnowledgeBase<'_> {
    type Response = Vec<KnowledgeHit>;
    fn route(self) -> Route {
        Route::get(format!("/knowledge_bases/{}", self.knowledge_base_id))
            .query("search_query", self.query)
            .query("use_bubble", "false")
            .query("bubble_size", "1000")
            .query("top_k", self.top_k.to_string())
    }
}

/// `POST /agents/{agent_id}/operations/{tool_id}`: runs a platform tool, with the call's id,
/// the agent's version (unless the latest) and the task it is for.
pub(crate) struct InvokeTool<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) tool_id: &'a str,
    pub(crate) tool_call_id: &'a str,
    pub(crate) agent_version: i64,
    pub(crate) task_id: Option<&'a str>,
    pub(crate) payload: &'a Value,
}

impl Endpoint for InvokeTool<'_> {
    type Response = ToolAnswer;
    fn route(self) -> Route {
        let mut route = Route::post(format!(
            "/agents/{}/operations/{}",
            self.agent_id, self.tool_id
        ))
        .header("x-tool-call-id", self.tool_call_id);
        if self.agent_version != 0 {
            route = route.header("x-agent-version", self.agent_version.to_string());
        }
        if let Some(task_id) = self.task_id {
            route = route.header("x-execution-id", task_id);
        }
        route.json(self.payload)
    }
}

/// A tool's answer: its JSON when it says it is JSON (and is), else its text.
pub(crate) struct ToolAnswer(pub(crate) Value);

impl Answer for ToolAnswer {
    fn read(_: &str, content_type: &str, body: &[u8]) -> Result<Self> {
        let text = String::from_utf8_lossy(body);
        let json = content_type
            .contains("application/json")
            .then(|| serde_json::from_str(&text).ok())
            .flatten();
        Ok(Self(
            json.unwrap_or_else(|| Value::String(text.into_owned())),
        ))
    }
}

/// `POST /mcp_auth/{agent_id}/{user}/get_token`: a user's token for an MCP server (the body is
/// the server's description), or a login URL to send them to.
pub(crate) struct GetMcpToken<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) user: &'a str,
    pub(crate) server: &'a McpServerDetails,
    /// Set for background-eligible and SSO logins: a token issued against this run only.
    pub(crate) execution_id: Option<&'a str>,
    pub(crate) generate_login_url: bool,
    pub(crate) is_app: bool,
    /// An SSO server's fetch key (`x-xpander-sso-fetch`).
    pub(crate) sso_fetch_key: Option<&'a str>,
}

impl Endpoint for GetMcpToken<'_> {
    type Response = McpTokenAnswer;
    fn route(self) -> Route {
        let mut route = Route::post(format!(
            "/mcp_auth/{}/{}/get_token",
            self.agent_id, self.user
        ));
        if let Some(id) = self.execution_id {
            route = route.query("execution_id", id);
        }
        route = route
            .query("generate_login_url", self.generate_login_url.to_string())
            .query("is_app", self.is_app.to_string())
            .query("force_refresh", "false");
        if let Some(key) = self.sso_fetch_key {
            route = route.header("x-xpander-sso-fetch", key);
        }
        route.json(self.server)
    }
}

// --- the worker channel ---------------------------------------------------------------------

/// `GET {events}/{agent_id}/?environment=local|xpander`: the worker's event stream, with
/// `Last-Event-ID` when the server sent ids.
#[derive(Clone)]
pub(crate) struct WorkerEvents<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) environment: WorkerEnvironment,
    pub(crate) last_event_id: Option<&'a str>,
}

impl Endpoint for WorkerEvents<'_> {
    /// Read as a stream, never as a whole ([`super::Platform::open_stream`]).
    type Response = Ignored;
    fn route(self) -> Route {
        let route = Route::get(format!("{}/", self.agent_id))
            .on_worker_channel()
            .query("environment", self.environment.as_str())
            .header("accept", "text/event-stream")
            .header("cache-control", "no-store");
        match self.last_event_id {
            Some(id) => route.header("last-event-id", id),
            None => route,
        }
    }
}

/// `PATCH /agents/{agent_id}/sync_local_tools`: the local tools to place in the agent's graph.
pub(crate) struct SyncLocalTools<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) tools: &'a [Value],
}

impl Endpoint for SyncLocalTools<'_> {
    type Response = Ignored;
    fn route(self) -> Route {
        Route::patch(format!("/agents/{}/sync_local_tools", self.agent_id)).json(&self.tools)
    }
}

// --- the worker's /invoke server ------------------------------------------------------------

/// `POST /metadata/api_key_allowance`: which agents a caller's API key may invoke.
pub(crate) struct CheckApiKey<'a> {
    pub(crate) api_key: &'a str,
}

/// The answer of [`CheckApiKey`]: the agents the key may invoke.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ApiKeyAllowance {
    #[serde(default)]
    pub(crate) agent_ids: Vec<String>,
}

impl Endpoint for CheckApiKey<'_> {
    type Response = ApiKeyAllowance;
    fn route(self) -> Route {
        #[derive(Serialize)]
        struct Body<'a> {
            api_key: &'a str,
        }
        Route::post("/metadata/api_key_allowance".into())
            .json(&Body {
                api_key: self.api_key,
            })
            .timeout(Duration::from_secs(10))
    }
}

// --- a task's live events -------------------------------------------------------------------

/// `GET {events root}/agent-execution/{task_id}/events`: a task's live events (SSE), with
/// `Last-Event-ID` when resuming.
pub(crate) struct TaskEvents<'a> {
    pub(crate) task_id: &'a str,
    pub(crate) last_event_id: Option<&'a str>,
}

impl Endpoint for TaskEvents<'_> {
    /// Read as a stream, never as a whole ([`super::Platform::open_stream`]).
    type Response = Ignored;
    fn route(self) -> Route {
        let route = Route::get(format!("agent-execution/{}/events", self.task_id))
            .on_events_root()
            .header("accept", "text/event-stream")
            .header("cache-control", "no-store");
        match self.last_event_id {
            Some(id) => route.header("last-event-id", id),
            None => route,
        }
    }
}

/// `POST {events}/{worker_id}?type=worker&agent_id=...`: a heartbeat, a capacity update or
/// `worker-finished`, within the platform's POST-back timeout.
pub(crate) struct PostWorkerMessage<'a> {
    pub(crate) worker_id: &'a str,
    pub(crate) agent_id: &'a str,
    pub(crate) message: &'a WorkerMessage,
}

impl Endpoint for PostWorkerMessage<'_> {
    type Response = Ignored;
    fn route(self) -> Route {
        Route::post(self.worker_id.to_owned())
            .on_worker_channel()
            .query("type", "worker")
            .query("agent_id", self.agent_id)
            .json(self.message)
            .timeout(Duration::from_secs(10))
    }
}
