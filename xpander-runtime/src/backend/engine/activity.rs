//! What an agent run shows while it runs: a `tool_call_request` event before each tool call
//! and a `tool_call_result` after it, sent through the run's [`TaskStream`]; the tools used;
//! and the agent's tool-call limit, past which calls are skipped (the model is told why).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rig_agent::agent::{
    AgentHook, DispatchAction, DispatchEvent, HookContext, OutcomeAction, OutcomeEvent,
};
use serde_json::Value;

use super::tools::REASONING_TOOLS;
use crate::TaskStream;
use crate::model::ToolCallRequest;

/// The run's record of its tool calls; clones share it.
#[derive(Clone)]
pub(super) struct Activity {
    inner: Arc<Inner>,
}

struct Inner {
    stream: TaskStream,
    /// The most tool calls the run makes; `None`: no limit.
    limit: Option<usize>,
    calls: AtomicUsize,
    /// The tools called, in first-call order, each once.
    used: Mutex<Vec<String>>,
    /// Requests awaiting their result, by the model's call id.
    open: Mutex<HashMap<String, ToolCallRequest>>,
}

impl Activity {
    pub(super) fn new(stream: TaskStream, limit: Option<usize>) -> Self {
        Self {
            inner: Arc::new(Inner {
                stream,
                limit,
                calls: AtomicUsize::new(0),
                used: Mutex::new(Vec::new()),
                open: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The tools the run called, each once, in first-call order.
    pub(super) fn used_tools(&self) -> Vec<String> {
        lock(&self.inner.used).clone()
    }

    /// How many tool calls the model asked for.
    pub(super) fn calls(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }

    fn record_use(&self, name: &str) {
        let mut used = lock(&self.inner.used);
        if !used.iter().any(|n| n == name) {
            used.push(name.to_owned());
        }
    }
}

impl AgentHook for Activity {
    async fn on_dispatch(&self, _: &HookContext, event: DispatchEvent<'_>) -> DispatchAction {
        let Some(name) = event.tool_name() else {
            return DispatchAction::Proceed;
        };
        let made = self.inner.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(limit) = self.inner.limit.filter(|limit| made > *limit) {
            return DispatchAction::skip(format!(
                "not called: this run may make at most {limit} tool calls; answer with what \
                 you have"
            ));
        }
        self.record_use(name);
        if REASONING_TOOLS.contains(&name) {
            // The reasoning tools report themselves as think/analyze steps.
            return DispatchAction::Proceed;
        }
        let mut request = ToolCallRequest::new(name).payload(arguments(event.tool_args()));
        if let Some(id) = event.call_id {
            request = request.tool_call_id(id.to_string());
            lock(&self.inner.open).insert(id.to_string(), request.clone());
        }
        self.inner.stream.tool_call_request(&request).await;
        DispatchAction::Proceed
    }

    async fn on_outcome(&self, _: &HookContext, event: OutcomeEvent<'_>) -> OutcomeAction {
        let (Some(name), Some(result)) = (event.tool_name(), event.tool_result()) else {
            return OutcomeAction::Proceed;
        };
        if REASONING_TOOLS.contains(&name) {
            return OutcomeAction::Proceed;
        }
        let request = event
            .call_id
            .and_then(|id| lock(&self.inner.open).remove(&id.to_string()))
            .unwrap_or_else(|| ToolCallRequest::new(name).payload(arguments(event.tool_args())));
        let output = result.output().render();
        let output = serde_json::from_str(&output).unwrap_or(Value::String(output));
        let done = request.result(output, result.is_error());
        self.inner.stream.tool_call_result(&done).await;
        OutcomeAction::Proceed
    }
}

/// The model's arguments as JSON (their text when they are not JSON).
fn arguments(text: Option<&str>) -> Value {
    let text = text.unwrap_or("{}");
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
