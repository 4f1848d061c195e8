//! What the task routes do to the store: create, update (full or sparse), stop, report an
//! external run, and the listings. Callers hold the store lock; nothing here awaits.

use serde::Deserialize;
use serde_json::{Map, Value};
use xpander_runtime::TaskSummary;
use xpander_runtime::model::{
    AgentExecutionInput, AgentExecutionStatus, ConversationKind, CreateTaskRequest,
    LlmReasoningEffort, OutputFormat, PayloadExtension, Task, TaskReportRequest, TaskUpdate,
    ThinkMode, Timestamp, decode_value,
};

use crate::dispatch::dispatch;
use crate::error::ApiError;
use crate::options::LlmGatewayRoute;
use crate::query::text;
use crate::state::{Store, TaskInfo};

/// The keys a sparse update (`Tasks.aupdate`) may carry; a body with any other key is a full
/// task save.
const SPARSE_KEYS: &[&str] = &[
    "tool_call_payload_extension",
    "source",
    "status",
    "last_executed_node_id",
    "result",
];

/// Keys the server owns: a save never changes them.
const SERVER_KEYS: &[&str] = &[
    "id",
    "agent_id",
    "organization_id",
    "created_at",
    "started_at",
    "finished_at",
];

/// Keys an older Python client sends as `[null]` / `[[]]` when they were missing from the
/// task it received (protocol §2.4).
const TUPLE_DEFAULT_KEYS: &[&str] = &[
    "expected_output",
    "triggering_agent_id",
    "title",
    "mcp_servers",
];

/// Where a new task comes from.
pub(crate) struct NewTask {
    pub agent_id: String,
    pub agent_version: Option<String>,
    pub request: CreateTaskRequest,
}

/// Creates a task (or restarts the task named by the body's `id`), queues it unless it runs
/// locally, and dispatches.
pub(crate) fn create(
    store: &mut Store,
    org: &str,
    new: NewTask,
    gateway: Option<&LlmGatewayRoute>,
) -> Result<Task, ApiError> {
    let NewTask {
        agent_id,
        agent_version,
        request,
    } = new;
    if !store.agents.contains(&agent_id) {
        return Err(ApiError::unknown_agent(&agent_id));
    }
    if let Some(version) = &agent_version {
        let number: i64 = version.trim().parse().map_err(|_| {
            ApiError::bad_request(format!("x-agent-version: {version:?} is not a number"))
        })?;
        if store.agents.version(&agent_id, number).is_none() {
            return Err(ApiError::not_found(format!(
                "agent {agent_id:?} has no version {number}"
            )));
        }
    }
    check_create(&request)?;
    let existing = match &request.id {
        Some(id) => {
            check_id("id", id)?;
            store.tasks.get(id)
        }
        None => None,
    };
    if let Some(existing) = existing
        && existing.task.agent_id != agent_id
    {
        return Err(ApiError::conflict(format!(
            "id: task {:?} belongs to agent {:?}",
            existing.task.id, existing.task.agent_id
        )));
    }
    let created_at = existing.map_or_else(Timestamp::now, |e| e.task.created_at.clone());
    let mut info = match existing {
        Some(e) => TaskInfo {
            task: Task::default(),
            ..e.clone()
        },
        None => TaskInfo::new(Task::default()),
    };
    info.out_with = None;
    info.run_locally = request.run_locally;
    info.worker_id = request.worker_id.clone();
    info.task = task_from_request(
        request,
        org,
        &agent_id,
        agent_version.map(|v| v.trim().to_owned()),
        created_at,
    );
    info.updated_at = Timestamp::now();
    info.note_status();
    let task = info.task.clone();
    tracing::info!(task_id = %task.id, agent_id, run_locally = info.run_locally, "task created");
    store.put_task(info);
    crate::task_feed::created(store, &task.id);
    dispatch(store, gateway);
    Ok(task)
}

fn task_from_request(
    r: CreateTaskRequest,
    org: &str,
    agent_id: &str,
    agent_version: Option<String>,
    created_at: Timestamp,
) -> Task {
    Task {
        id: r
            .id
            .unwrap_or_else(|| uuid::Uuid::new_v4().hyphenated().to_string()),
        agent_id: agent_id.to_owned(),
        organization_id: org.to_owned(),
        input: r.input,
        status: AgentExecutionStatus::Pending,
        agent_version,
        created_at,
        payload_extension: r.payload_extension.map(without_gateway),
        source: r.source,
        output_format: r.output_format,
        output_schema: r.output_schema,
        events_streaming: r.events_streaming,
        additional_context: r.additional_context,
        instructions_override: r.instructions_override,
        test_run_node_id: r.test_run_node_id,
        user_oidc_token: r.user_oidc_token,
        expected_output: r.expected_output,
        mcp_servers: r.mcp_servers,
        triggering_agent_id: r.triggering_agent_id,
        title: r.title,
        think_mode: r.think_mode,
        disable_attachment_injection: r.disable_attachment_injection,
        tool_call_limit: r.tool_call_limit,
        user_tokens: r.user_tokens,
        return_metrics: r.return_metrics,
        llm_model_provider: r.llm_model_provider,
        llm_model_name: r.llm_model_name,
        llm_reasoning_effort: r.llm_reasoning_effort,
        harness_cli: r.harness_cli,
        permission_mode: r.permission_mode,
        ..Task::default()
    }
}

/// A gateway route is never stored: it would be echoed into the next save.
fn without_gateway(mut fields: Map<String, Value>) -> PayloadExtension {
    fields.remove("llm_gateway");
    PayloadExtension::new(fields)
}

/// Updates a task from a `PATCH …/update` body: a sparse update (only the `Tasks.aupdate`
/// keys) or a full task save, merged over the stored task. Server-owned keys are kept;
/// `started_at` / `finished_at` are stamped on the first `executing` / terminal status.
pub(crate) fn update(store: &mut Store, task_id: &str, body: Value) -> Result<Task, ApiError> {
    let before = crate::task_feed::before(store, task_id);
    let task = update_task(store, task_id, body)?;
    crate::task_feed::changed(store, task_id, before);
    Ok(task)
}

fn update_task(store: &mut Store, task_id: &str, body: Value) -> Result<Task, ApiError> {
    let info = store
        .tasks
        .get_mut(task_id)
        .ok_or_else(|| ApiError::unknown_task(task_id))?;
    let Value::Object(mut body) = body else {
        return Err(ApiError::bad_request(
            "update task: the body must be a JSON object (a task, or some of tool_call_payload_extension, source, status, last_executed_node_id, result)",
        ));
    };
    let sparse = body.keys().all(|k| SPARSE_KEYS.contains(&k.as_str()));
    let task = if sparse {
        let update: TaskUpdate = decode_value("update task", Value::Object(body))?;
        let mut task = info.task.clone();
        if let Some(extension) = update.tool_call_payload_extension {
            task.payload_extension = Some(without_gateway(extension));
        }
        if update.source.is_some() {
            task.source = update.source;
        }
        if let Some(status) = update.status {
            task.status = status;
        }
        if update.last_executed_node_id.is_some() {
            task.last_executed_node_id = update.last_executed_node_id;
        }
        if update.result.is_some() {
            task.result = update.result;
        }
        task
    } else {
        if let Some(id) = body.get("id")
            && id.as_str() != Some(task_id)
        {
            return Err(ApiError::bad_request(format!(
                "update task: id: {id} does not match the task in the URL ({task_id:?})"
            )));
        }
        untuple(&mut body);
        let mut merged = match serde_json::to_value(&info.task) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (key, value) in body {
            if !SERVER_KEYS.contains(&key.as_str()) {
                merged.insert(key, value);
            }
        }
        decode_value::<Task>("update task", Value::Object(merged))?
    };
    check_task(&task)?;
    info.task = task;
    info.stamp();
    Ok(info.task.clone())
}

/// `[null]` → `null` and `[[]]` → `[]` for the keys an older Python client mangles.
fn untuple(body: &mut Map<String, Value>) {
    for key in TUPLE_DEFAULT_KEYS {
        if let Some(Value::Array(items)) = body.get(*key)
            && items.len() == 1
            && (items[0].is_null() || items[0] == Value::Array(Vec::new()))
        {
            let inner = items[0].clone();
            body.insert((*key).to_owned(), inner);
        }
    }
}

/// Stops a task (`DELETE /agent-execution/{id}`).
pub(crate) fn stop(store: &mut Store, task_id: &str) -> Result<Task, ApiError> {
    let before = crate::task_feed::before(store, task_id);
    let info = store
        .tasks
        .get_mut(task_id)
        .ok_or_else(|| ApiError::unknown_task(task_id))?;
    info.task.status = AgentExecutionStatus::Stopped;
    info.task.is_manually_stopped = true;
    info.stamp();
    tracing::info!(task_id, "task stopped");
    let task = info.task.clone();
    crate::task_feed::changed(store, task_id, before);
    Ok(task)
}

/// Records a run that happened elsewhere (`POST /agent-execution/{agent}/report_task`) as a
/// finished task.
pub(crate) fn report(
    store: &mut Store,
    org: &str,
    agent_id: &str,
    report: TaskReportRequest,
) -> Result<Task, ApiError> {
    if !store.agents.contains(agent_id) {
        return Err(ApiError::unknown_agent(agent_id));
    }
    let id = match report.id {
        Some(id) => {
            check_id("id", &id)?;
            id
        }
        None => uuid::Uuid::new_v4().hyphenated().to_string(),
    };
    let existing = store.tasks.get(&id);
    if let Some(e) = existing
        && e.task.agent_id != agent_id
    {
        return Err(ApiError::conflict(format!(
            "id: task {id:?} belongs to agent {:?}",
            e.task.agent_id
        )));
    }
    let now = Timestamp::now();
    let mut info = existing
        .cloned()
        .unwrap_or_else(|| TaskInfo::new(Task::default()));
    info.task = Task {
        id,
        agent_id: agent_id.to_owned(),
        organization_id: org.to_owned(),
        input: AgentExecutionInput::from(report.input.unwrap_or_default()),
        status: if report.is_success {
            AgentExecutionStatus::Completed
        } else {
            AgentExecutionStatus::Failed
        },
        created_at: existing.map_or_else(|| now.clone(), |e| e.task.created_at.clone()),
        started_at: Some(now.clone()),
        finished_at: Some(now.clone()),
        result: report.result,
        tokens: report.tokens,
        used_tools: report.used_tools,
        duration: report.duration,
        ..Task::default()
    };
    info.llm_response = report.llm_response;
    info.updated_at = now;
    info.note_status();
    let task = info.task.clone();
    store.put_task(info);
    Ok(task)
}

/// A history listing element.
pub(crate) fn summary(info: &TaskInfo) -> TaskSummary {
    let t = &info.task;
    TaskSummary {
        id: t.id.clone(),
        agent_id: t.agent_id.clone(),
        organization_id: t.organization_id.clone(),
        status: t.status.clone(),
        user_id: t.input.user.as_ref().and_then(|u| u.id.clone()),
        parent_task_id: t.parent_execution.clone(),
        triggering_agent_id: t.triggering_agent_id.clone(),
        created_at: Some(t.created_at.clone()),
        updated_at: Some(info.updated_at.clone()),
        source_node_type: t.source.clone(),
        result: t.result.clone(),
        title: t.title.clone(),
        execution_kind: t.execution_kind.clone(),
        process: None,
        conversation_kind: t.conversation_kind.clone(),
        extra: Map::new(),
    }
}

/// The history filters, the query of the history routes; an absent one matches every task.
#[derive(Debug, Deserialize)]
pub(crate) struct HistoryFilters {
    /// The id of the task's user.
    #[serde(default, deserialize_with = "text")]
    pub user_id: Option<String>,
    /// The parent task.
    #[serde(default, deserialize_with = "text")]
    pub parent_task_id: Option<String>,
    /// The agent that triggered the task.
    #[serde(default, deserialize_with = "text")]
    pub triggering_agent_id: Option<String>,
    /// The task's status.
    #[serde(default, deserialize_with = "text")]
    pub status: Option<String>,
    /// The task's internal status.
    #[serde(default, deserialize_with = "text")]
    pub internal_status: Option<String>,
}

/// Whether a task passes the history filters.
pub(crate) fn matches_filters(info: &TaskInfo, filters: &HistoryFilters) -> bool {
    let t = &info.task;
    let user = t.input.user.as_ref().and_then(|u| u.id.as_deref());
    let checks = [
        (&filters.user_id, user),
        (&filters.parent_task_id, t.parent_execution.as_deref()),
        (
            &filters.triggering_agent_id,
            t.triggering_agent_id.as_deref(),
        ),
        (&filters.status, Some(t.status.as_str())),
        (&filters.internal_status, t.internal_status.as_deref()),
    ];
    checks
        .iter()
        .all(|(wanted, value)| wanted.as_deref().is_none_or(|w| Some(w) == *value))
}

/// A task id: 1–200 characters, none of them `/`, `?`, `#`, whitespace or control.
fn check_id(at: &str, id: &str) -> Result<(), ApiError> {
    let bad = id.is_empty()
        || id.len() > 200
        || id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '%'));
    if bad {
        return Err(ApiError::bad_request(format!(
            "{at}: {id:?} is not a usable task id (1-200 characters, no '/', '?', '#', '%', spaces or control characters)"
        )));
    }
    Ok(())
}

/// Enum values the Python SDK would reject are refused here, so a stored task always loads.
fn check_create(r: &CreateTaskRequest) -> Result<(), ApiError> {
    known(
        "create task: output_format",
        r.output_format.as_ref(),
        OutputFormat::KNOWN,
    )?;
    known(
        "create task: think_mode",
        Some(&r.think_mode),
        ThinkMode::KNOWN,
    )?;
    known(
        "create task: llm_reasoning_effort",
        r.llm_reasoning_effort.as_ref(),
        LlmReasoningEffort::KNOWN,
    )
}

fn check_task(t: &Task) -> Result<(), ApiError> {
    known(
        "update task: status",
        Some(&t.status),
        AgentExecutionStatus::KNOWN,
    )?;
    known(
        "update task: output_format",
        t.output_format.as_ref(),
        OutputFormat::KNOWN,
    )?;
    known(
        "update task: think_mode",
        Some(&t.think_mode),
        ThinkMode::KNOWN,
    )?;
    known(
        "update task: llm_reasoning_effort",
        t.llm_reasoning_effort.as_ref(),
        LlmReasoningEffort::KNOWN,
    )?;
    known(
        "update task: conversation_kind",
        t.conversation_kind.as_ref(),
        ConversationKind::KNOWN,
    )
}

fn known<E: PartialEq + std::fmt::Display>(
    at: &str,
    value: Option<&E>,
    all: &[E],
) -> Result<(), ApiError> {
    match value {
        Some(v) if !all.contains(v) => {
            let names: Vec<String> = all.iter().map(ToString::to_string).collect();
            Err(ApiError::bad_request(format!(
                "{at}: unknown value {:?}; expected one of {}",
                v.to_string(),
                names.join(", ")
            )))
        }
        _ => Ok(()),
    }
}
