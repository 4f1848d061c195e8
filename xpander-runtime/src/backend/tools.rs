//! Platform tools: what the model sees of them, and invoking one
//! (`POST /agents/{agent}/operations/{tool}`), with the result captured as a
//! [`ToolInvocationResult`] whatever happens.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tracing::debug;

use crate::model::{Agent, AgentTool, GraphItemType, ToolCallInfo, ToolKind};
use crate::platform::routes::{InvokeTool, ToolAnswer};
use crate::tool_calls::with_hooks;
use crate::{Error, Platform};

/// A platform tool of an agent, as [`AgentArgs::tools`](super::AgentArgs::tools) lists it.
///
/// ```no_run
/// # async fn demo(args: xpander_runtime::backend::AgentArgs) {
/// use xpander_runtime::backend::ToolSpec;
///
/// for tool in &args.tools {
///     if let ToolSpec::Platform(tool) = tool {
///         let result = tool.ainvoke(serde_json::json!({"body_params": {"q": "rust"}})).await;
///         println!("{} -> {} {}", tool.id, result.status_code, result.result);
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlatformTool {
    /// The tool id: also the name the model calls it by.
    pub id: String,
    /// The tool's display name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The JSON schema of its payload as the model sees it: fields the agent's graph blocks or
    /// pins (`isBlocked`, `permanentValue`) are left out.
    pub parameters: Value,
    /// The agent the tool is called for.
    pub agent_id: String,
    /// The agent's version (sent as `x-agent-version`).
    pub agent_version: i64,
    // JSON schemas (objects), kept as `Value`s for the recursive walks of every call.
    input_override: Option<Value>,
    output_override: Option<Value>,
    platform: super::platform::Bound,
}

impl PlatformTool {
    /// The tools of `agent`, each with the schema overrides of its graph item.
    pub(crate) fn for_agent(agent: &Agent, platform: Option<&Platform>) -> Vec<Self> {
        agent
            .tools
            .iter()
            .map(|tool| Self::new(agent, tool, platform))
            .collect()
    }

    fn new(agent: &Agent, tool: &AgentTool, platform: Option<&Platform>) -> Self {
        let from_graph = agent
            .graph
            .iter()
            .filter(|item| item.item_type == GraphItemType::Tool && item.item_id == tool.id)
            .find_map(|item| item.settings.as_ref()?.schemas.clone());
        let overrides = tool.schema_overrides.clone().or(from_graph);
        let input_override = overrides
            .as_ref()
            .and_then(|o| o.input.clone())
            .map(Value::Object);
        let output_override = overrides.and_then(|o| o.output).map(Value::Object);
        let mut parameters = Value::Object(tool.parameters.clone());
        if let Some(input) = &input_override {
            hide_pinned_fields(&mut parameters, input);
        }
        Self {
            id: tool.id.clone(),
            name: tool.name.clone(),
            description: tool.effective_description().to_owned(),
            parameters,
            agent_id: agent.id.clone(),
            agent_version: agent.version,
            input_override,
            output_override,
            platform: super::platform::Bound(platform.cloned()),
        }
    }

    /// The platform tool `tool_id` of `agent`, called on the agent's platform (its bound
    /// configuration); `None` when the agent has no such tool.
    ///
    /// ```no_run
    /// # async fn demo(agent: xpander_runtime::Agent) {
    /// use xpander_runtime::backend::PlatformTool;
    ///
    /// let tool = PlatformTool::of(&agent, "search-papers").expect("the agent has the tool");
    /// let result = tool.ainvoke(serde_json::json!({"body_params": {"query": "rust"}})).await;
    /// assert!(result.is_success, "{}", result.result);
    /// # }
    /// ```
    pub fn of(agent: &Agent, tool_id: &str) -> Option<Self> {
        let tool = agent.tools.iter().find(|t| t.id == tool_id)?;
        Some(Self::new(agent, tool, agent.platform()))
    }

    /// Invokes the tool with `payload`; await the returned call, optionally after adding a
    /// task id, a tool call id or a payload extension.
    pub fn ainvoke(&self, payload: Value) -> ToolCall<'_> {
        ToolCall {
            tool: self,
            payload,
            payload_extension: None,
            task_id: None,
            tool_call_id: None,
        }
    }

    /// Blocking [`PlatformTool::ainvoke`] without options; works inside a runtime too.
    pub fn invoke(&self, payload: Value) -> ToolInvocationResult {
        crate::blocking::block_on(self.ainvoke(payload).into_future())
    }
}

/// One invocation of a [`PlatformTool`], built by [`PlatformTool::ainvoke`]; `.await` it.
#[must_use = "a tool call does nothing until awaited"]
#[derive(Debug)]
pub struct ToolCall<'a> {
    tool: &'a PlatformTool,
    payload: Value,
    payload_extension: Option<Value>,
    task_id: Option<String>,
    tool_call_id: Option<String>,
}

impl ToolCall<'_> {
    /// Deep-merges `extension` into the payload (its values win), as the platform's
    /// `payload_extension` does.
    pub fn payload_extension(mut self, extension: Value) -> Self {
        self.payload_extension = Some(extension);
        self
    }

    /// The task the call is made for (sent as `x-execution-id`).
    pub fn task_id(mut self, task_id: impl Into<String>) -> Self {
        self.task_id = Some(task_id.into());
        self
    }

    /// The id of this logical call (sent as `x-tool-call-id`, the platform's billing
    /// idempotency key; reuse it when retrying). A fresh UUID when not given.
    pub fn tool_call_id(mut self, id: impl Into<String>) -> Self {
        self.tool_call_id = Some(id.into());
        self
    }

    /// Blocking `.await`; works inside a runtime too.
    pub fn call(self) -> ToolInvocationResult {
        crate::blocking::block_on(self.into_future())
    }
}

impl<'a> IntoFuture for ToolCall<'a> {
    type Output = ToolInvocationResult;
    type IntoFuture = Pin<Box<dyn Future<Output = ToolInvocationResult> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

/// What an invocation produced. Errors are captured here, never raised: `is_error` is set,
/// `status_code` is the HTTP status (500 when there was none), `result` the response text or
/// the error message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInvocationResult {
    /// The tool.
    pub tool_id: String,
    /// The call's id (`x-tool-call-id`).
    pub tool_call_id: Option<String>,
    /// The task the call was made for.
    pub task_id: Option<String>,
    /// The payload as given (before extension and pinned values).
    pub payload: Value,
    /// The HTTP status.
    pub status_code: u16,
    /// The tool's answer (JSON, or text when the answer was not JSON).
    pub result: Value,
    /// Whether the call succeeded.
    pub is_success: bool,
    /// Whether the call failed.
    pub is_error: bool,
    /// Whether the tool ran locally (never, for platform tools).
    pub is_local: bool,
}

/// Invokes the tool between the tool hooks (`#[on_tool_before]`, ...), as every tool call is.
async fn run(mut call: ToolCall<'_>) -> ToolInvocationResult {
    let tool_call_id = call
        .tool_call_id
        .take()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut info = ToolCallInfo::new(&call.tool.id, ToolKind::Platform, call.payload.clone());
    info.payload_extension = call.payload_extension.clone().unwrap_or_default();
    info.tool_call_id = Some(tool_call_id.clone());
    info.agent_version = Some(call.tool.agent_version);
    info.task_id = call.task_id.clone();
    let mut invoked = None;
    let _ = with_hooks(&info, async {
        let result = invoke(call, tool_call_id).await;
        let outcome = if result.is_success {
            Ok(result.result.clone())
        } else {
            Err(match &result.result {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
        };
        invoked = Some(result);
        outcome
    })
    .await;
    invoked.expect("the call ran")
}

async fn invoke(call: ToolCall<'_>, tool_call_id: String) -> ToolInvocationResult {
    let tool = call.tool;
    let mut result = ToolInvocationResult {
        tool_id: tool.id.clone(),
        tool_call_id: Some(tool_call_id.clone()),
        task_id: call.task_id.clone(),
        payload: call.payload.clone(),
        status_code: 200,
        result: Value::Null,
        is_success: false,
        is_error: false,
        is_local: false,
    };
    let Some(platform) = &tool.platform.0 else {
        result.is_error = true;
        result.status_code = 500;
        result.result = Value::String(format!(
            "tool {} cannot run: the agent was resolved offline, with no platform configured",
            tool.id
        ));
        return result;
    };
    let mut payload = call.payload;
    if let (Some(extension @ Value::Object(fields)), Value::Object(_)) =
        (&call.payload_extension, &payload)
        && !fields.is_empty()
    {
        deep_merge(&mut payload, extension);
    }
    if let Some(input) = &tool.input_override
        && (payload.is_object() || payload.is_array())
    {
        apply_permanent_values(input, &mut payload);
    }
    let invoke = InvokeTool {
        agent_id: &tool.agent_id,
        tool_id: &tool.id,
        tool_call_id: &tool_call_id,
        agent_version: tool.agent_version,
        task_id: call.task_id.as_deref(),
        payload: &payload,
    };
    debug!(tool_id = %tool.id, agent_id = %tool.agent_id, "invoking platform tool");
    match platform.send(invoke).await {
        Ok(ToolAnswer(mut answer)) => {
            if let Some(output) = &tool.output_override
                && (answer.is_object() || answer.is_array())
            {
                enforce_output(output, &mut answer);
            }
            result.result = answer;
            result.is_success = true;
        }
        Err(Error::Http { status, body, .. }) => {
            result.is_error = true;
            result.status_code = status;
            result.result = Value::String(body);
        }
        Err(other) => {
            result.is_error = true;
            result.status_code = 500;
            result.result = Value::String(other.to_string());
        }
    }
    result
}

/// Merges `extension` into `base`: objects merge key by key, anything else is replaced.
pub(crate) fn deep_merge(base: &mut Value, extension: &Value) {
    match (base, extension) {
        (Value::Object(base), Value::Object(extension)) => {
            for (key, value) in extension {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value)
                    }
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, extension) => *base = extension.clone(),
    }
}

/// Forces the schema's `permanentValue`s into the payload, creating the objects on the way.
fn apply_permanent_values(schema: &Value, payload: &mut Value) {
    let is_object_schema = |s: &Value| s.get("type").and_then(Value::as_str) == Some("object");
    let items_are_objects = |s: &Value| s.get("items").is_some_and(is_object_schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let (Some(properties), Some(node)) = (
                schema.get("properties").and_then(Value::as_object),
                payload.as_object_mut(),
            ) else {
                return;
            };
            for (key, sub) in properties {
                if let Some(pinned) = sub.get("permanentValue") {
                    node.insert(key.clone(), pinned.clone());
                }
                if is_object_schema(sub) {
                    let child = node
                        .entry(key.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    apply_permanent_values(sub, child);
                } else if sub.get("type").and_then(Value::as_str) == Some("array")
                    && items_are_objects(sub)
                {
                    let child = node
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(vec![Value::Object(Map::new())]));
                    if let Value::Array(items) = child {
                        for item in items {
                            apply_permanent_values(&sub["items"], item);
                        }
                    }
                }
            }
        }
        Some("array") if items_are_objects(schema) => {
            if let Value::Array(items) = payload {
                for item in items {
                    apply_permanent_values(&schema["items"], item);
                }
            }
        }
        _ => {}
    }
}

/// Filters a tool's answer by the output override: blocked keys removed, pinned values forced.
fn enforce_output(schema: &Value, response: &mut Value) {
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let (Some(properties), Some(node)) = (
                schema.get("properties").and_then(Value::as_object),
                response.as_object_mut(),
            ) else {
                return;
            };
            let keys: Vec<String> = node.keys().cloned().collect();
            for key in keys {
                let Some(sub) = properties.get(&key) else {
                    continue;
                };
                if sub.get("isBlocked").and_then(Value::as_bool) == Some(true) {
                    node.remove(&key);
                    continue;
                }
                if let Some(pinned) = sub.get("permanentValue") {
                    node.insert(key.clone(), pinned.clone());
                }
                // A value of another shape than its schema is left alone.
                enforce_output(sub, node.get_mut(&key).expect("present"));
            }
        }
        Some("array") => {
            if let (Some(items_schema), Value::Array(items)) = (schema.get("items"), response)
                && items_schema.get("type").and_then(Value::as_str) == Some("object")
            {
                for item in items {
                    enforce_output(items_schema, item);
                }
            }
        }
        _ => {}
    }
}

/// Removes from the model's schema the fields the override blocks or pins.
fn hide_pinned_fields(parameters: &mut Value, input_override: &Value) {
    let (Some(override_props), Some(properties)) = (
        input_override.get("properties").and_then(Value::as_object),
        parameters
            .get_mut("properties")
            .and_then(Value::as_object_mut),
    ) else {
        return;
    };
    for (key, sub) in override_props {
        let hidden = sub.get("isBlocked").and_then(Value::as_bool) == Some(true)
            || sub.get("permanentValue").is_some();
        if hidden {
            properties.remove(key);
        } else if let Some(child) = properties.get_mut(key) {
            hide_pinned_fields(child, sub);
        }
    }
    let remaining: Vec<String> = properties.keys().cloned().collect();
    if let Some(Value::Array(required)) = parameters.get_mut("required") {
        required.retain(|r| r.as_str().is_some_and(|r| remaining.iter().any(|k| k == r)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut base = json!({"body_params": {"q": "x", "n": 1}, "a": [1]});
        deep_merge(
            &mut base,
            &json!({"body_params": {"n": 2, "m": 3}, "a": [2], "b": true}),
        );
        assert_eq!(
            base,
            json!({"body_params": {"q": "x", "n": 2, "m": 3}, "a": [2], "b": true})
        );
    }

    #[test]
    fn permanent_values_are_forced_in() {
        let schema = json!({"type": "object", "properties": {
            "body_params": {"type": "object", "properties": {
                "team": {"type": "string", "permanentValue": "core"},
                "tags": {"type": "array", "items": {"type": "object", "properties": {
                    "kind": {"type": "string", "permanentValue": "k"}}}}}}}});
        let mut payload =
            json!({"body_params": {"team": "other", "q": "x", "tags": [{"kind": "z"}, {}]}});
        apply_permanent_values(&schema, &mut payload);
        assert_eq!(
            payload,
            json!({"body_params": {"team": "core", "q": "x", "tags": [{"kind": "k"}, {"kind": "k"}]}})
        );
        let mut empty = json!({});
        apply_permanent_values(&schema, &mut empty);
        assert_eq!(empty["body_params"]["team"], "core");
    }

    #[test]
    fn output_override_blocks_and_pins() {
        let schema = json!({"type": "object", "properties": {
            "secret": {"isBlocked": true}, "source": {"permanentValue": "xpander"},
            "items": {"type": "array", "items": {"type": "object", "properties": {"internal": {"isBlocked": true}}}}}});
        let mut answer =
            json!({"secret": "s", "source": "raw", "keep": 1, "items": [{"internal": 1, "v": 2}]});
        enforce_output(&schema, &mut answer);
        assert_eq!(
            answer,
            json!({"source": "xpander", "keep": 1, "items": [{"v": 2}]})
        );
    }

    #[test]
    fn the_model_does_not_see_pinned_fields() {
        let mut params = json!({"type": "object", "properties": {
            "body_params": {"type": "object", "properties": {"team": {"type": "string"}, "q": {"type": "string"}},
                            "required": ["team", "q"]}}});
        hide_pinned_fields(
            &mut params,
            &json!({"properties": {"body_params": {"properties": {"team": {"permanentValue": "core"}}}}}),
        );
        assert_eq!(
            params["body_params"],
            json!(null),
            "top-level keys are not touched by mistake"
        );
        assert_eq!(
            params["properties"]["body_params"],
            json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]})
        );
    }
}
