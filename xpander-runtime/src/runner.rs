//! Running one task through a handler: the same code for the worker and for local runs. An
//! error, a panic or a timeout fails the task ([`Failure`]), never the caller.

use std::fmt;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;
use tracing::{Instrument, warn};

use crate::handler::{Handler, HandlerFn, HandlerResult};
use crate::model::{AgentExecutionStatus, OutputFormat, Task};
use crate::panic::{Caught, caught, on_own_thread, panic_message};
use crate::task_stream::{Outlet, TaskStream, finished_with};

/// How long the events a streaming handler sent before it returned may take to reach their
/// outlet before the task is concluded without them.
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

/// Why a task did not get the handler's own outcome.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// The handler returned an error; its text.
    Handler(String),
    /// The handler panicked; the panic's message.
    Panic(String),
    /// The handler ran longer than the task timeout.
    Timeout(Duration),
    /// The worker shut down, and its shutdown timeout passed, while the handler ran.
    Shutdown,
}

impl fmt::Display for Failure {
    /// The text saved as the task's result.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handler(message) => f.write_str(message),
            Self::Panic(message) => write!(f, "handler panicked: {message}"),
            Self::Timeout(limit) => {
                write!(f, "handler timed out after {:.1} s", limit.as_secs_f64())
            }
            Self::Shutdown => f.write_str("worker shut down before the task finished"),
        }
    }
}

/// Runs `task` through `handler`: the task as the handler returned it, or why it did not. A
/// streaming handler's events go to `outlet`, all of them before this returns.
pub(crate) async fn call(
    handler: &Handler,
    task: Task,
    timeout: Option<Duration>,
    outlet: &Outlet,
) -> Result<Task, Failure> {
    let outcome = match &handler.0 {
        HandlerFn::Async(call) => bounded(timeout, caught(|| call(task))).await,
        HandlerFn::Blocking(call) => {
            let call = call.clone();
            bounded(timeout, on_own_thread(move || call(task))).await
        }
        HandlerFn::Streaming(call) => {
            let (stream, feed, finished) = TaskStream::open(&task);
            let handler_done = CancellationToken::new();
            let forwarding = feed
                .forward(outlet.clone(), handler_done.clone())
                .in_current_span();
            let mut forwarding = AbortOnDropHandle::new(tokio::spawn(forwarding));
            let outcome = bounded(timeout, caught(|| call(task, stream))).await;
            handler_done.cancel();
            if tokio::time::timeout(FLUSH_LIMIT, &mut forwarding)
                .await
                .is_err()
            {
                warn!("the handler's last events did not reach their outlet in time; dropped");
            }
            return match (settle(outcome), finished.take()) {
                (Ok(task), Some(payload)) => finished_with(task, payload).map_err(Failure::Handler),
                (settled, _) => settled,
            };
        }
    };
    settle(outcome)
}

fn settle(outcome: Result<Caught<HandlerResult>, Duration>) -> Result<Task, Failure> {
    match outcome {
        Ok(Ok(Ok(task))) => Ok(task),
        Ok(Ok(Err(error))) => Err(Failure::Handler(error.to_string())),
        Ok(Err(panic)) => Err(Failure::Panic(panic_message(&*panic))),
        Err(limit) => Err(Failure::Timeout(limit)),
    }
}

/// The task as it should be saved, from the one it was run on (`before`) and the outcome of
/// the run that started at `started`: `completed` if the handler left it `executing`, a status
/// the handler set kept, `error` with the failure's text. A JSON result is normalised, and
/// `duration` is measured unless the handler set it.
pub(crate) fn conclude(before: Task, outcome: Result<Task, Failure>, started: Instant) -> Task {
    let mut done = outcome.unwrap_or_else(|failure| failed(before, &failure));
    if done.status == AgentExecutionStatus::Executing {
        done.status = AgentExecutionStatus::Completed;
    }
    if done.duration == 0.0 {
        done.duration = started.elapsed().as_secs_f64();
    }
    normalize_json_result(&mut done);
    done
}

/// Runs `task` (marked `executing`) through `handler` and concludes it; see [`conclude`].
pub(crate) async fn execute(
    handler: &Handler,
    mut task: Task,
    timeout: Option<Duration>,
    outlet: &Outlet,
) -> Task {
    task.status = AgentExecutionStatus::Executing;
    // The handler owns the task while it runs; this copy is what a failure is reported on.
    let before = task.clone();
    let started = Instant::now();
    let outcome = call(handler, task, timeout, outlet).await;
    conclude(before, outcome, started)
}

/// `task` ended in `error`, with the failure as its result.
pub(crate) fn failed(mut task: Task, failure: &Failure) -> Task {
    task.status = AgentExecutionStatus::Error;
    task.result = Some(failure.to_string());
    task
}

async fn bounded(
    timeout: Option<Duration>,
    run: impl Future<Output = Caught<HandlerResult>>,
) -> Result<Caught<HandlerResult>, Duration> {
    match timeout {
        Some(limit) => tokio::time::timeout(limit, run).await.map_err(|_| limit),
        None => Ok(run.await),
    }
}

/// For a task whose `output_format` is `json`, a result that is JSON only once a code fence or
/// a leading `</think>` block is removed becomes that JSON; anything else is left alone.
fn normalize_json_result(task: &mut Task) {
    if task.output_format != Some(OutputFormat::Json) {
        return;
    }
    let Some(result) = &task.result else { return };
    if serde_json::from_str::<serde::de::IgnoredAny>(result).is_ok() {
        return;
    }
    let mut text = result.as_str();
    if let Some((_, after)) = text.rsplit_once("</think>") {
        text = after;
    }
    let text = text.trim();
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(text)
        .trim();
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        task.result = Some(text.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskStream;
    use crate::handler::{BoxFuture, HandlerError};
    use crate::model::{TaskUpdateEvent, TaskUpdateEventType};
    use crate::registry::{HandlerInfo, TaskFn, TaskHandler};

    const INFO: HandlerInfo = HandlerInfo {
        module_path: "t",
        name: "h",
        file: "t.rs",
        line: 1,
    };

    async fn run(call: TaskFn, task: Task) -> Task {
        let handler = TaskHandler::new(INFO, call, None, None, None);
        execute(
            &Handler::from(&handler),
            task,
            Some(Duration::from_millis(200)),
            &Outlet::Print,
        )
        .await
    }

    fn ok_async(mut task: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move {
            task.result = Some("done".into());
            Ok(task)
        })
    }

    fn panics_when_called(_: Task) -> BoxFuture<'static, HandlerResult> {
        panic!("boom in call")
    }

    fn panics_when_polled(_: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move { panic!("boom in poll {}", 42) })
    }

    fn errs(_: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move { Err(HandlerError::new("no luck")) })
    }

    fn sleeps(task: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(task)
        })
    }

    fn pauses(mut task: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move {
            task.status = AgentExecutionStatus::Paused;
            Ok(task)
        })
    }

    fn sync_ok(mut task: Task) -> HandlerResult {
        task.result = Some(format!("{:?}", std::thread::current().name()));
        Ok(task)
    }

    fn sync_panics(_: Task) -> HandlerResult {
        panic!("sync boom")
    }

    fn fenced_json(mut task: Task) -> BoxFuture<'static, HandlerResult> {
        Box::pin(async move {
            task.result = Some("<think>hmm</think>\n```json\n{\"answer\": 42}\n```".into());
            Ok(task)
        })
    }

    #[tokio::test]
    async fn a_handler_that_returns_completes_the_task() {
        let done = run(TaskFn::Async(ok_async), Task::from_prompt("hi")).await;
        assert_eq!(done.status, AgentExecutionStatus::Completed);
        assert_eq!(done.result.as_deref(), Some("done"));
        assert!(done.duration > 0.0);
    }

    #[tokio::test]
    async fn panics_in_the_call_and_while_polling_fail_the_task() {
        let done = run(TaskFn::Async(panics_when_called), Task::from_prompt("hi")).await;
        assert_eq!(done.status, AgentExecutionStatus::Error);
        assert_eq!(
            done.result.as_deref(),
            Some("handler panicked: boom in call")
        );
        let done = run(TaskFn::Async(panics_when_polled), Task::from_prompt("hi")).await;
        assert_eq!(
            done.result.as_deref(),
            Some("handler panicked: boom in poll 42")
        );
        assert_eq!(done.input.text, "hi", "the task reported is the one given");
    }

    #[tokio::test]
    async fn an_error_and_a_timeout_fail_the_task() {
        let done = run(TaskFn::Async(errs), Task::from_prompt("hi")).await;
        assert_eq!(
            (done.status, done.result.as_deref()),
            (AgentExecutionStatus::Error, Some("no luck"))
        );
        let done = run(TaskFn::Async(sleeps), Task::from_prompt("hi")).await;
        assert_eq!(done.status, AgentExecutionStatus::Error);
        assert_eq!(
            done.result.as_deref(),
            Some("handler timed out after 0.2 s")
        );
    }

    #[tokio::test]
    async fn a_status_the_handler_set_is_kept() {
        let done = run(TaskFn::Async(pauses), Task::from_prompt("hi")).await;
        assert_eq!(done.status, AgentExecutionStatus::Paused);
    }

    #[tokio::test]
    async fn sync_handlers_run_on_the_blocking_pool_and_may_panic() {
        let main = format!("{:?}", std::thread::current().name());
        let done = run(TaskFn::Blocking(sync_ok), Task::from_prompt("hi")).await;
        assert_eq!(done.status, AgentExecutionStatus::Completed);
        assert_ne!(done.result.unwrap(), main);
        let done = run(TaskFn::Blocking(sync_panics), Task::from_prompt("hi")).await;
        assert_eq!(done.result.as_deref(), Some("handler panicked: sync boom"));
    }

    /// Runs a streaming handler with a channel outlet: the concluded task and every event the
    /// outlet got by the time the run returned.
    async fn run_streaming(handler: Handler) -> (Task, Vec<TaskUpdateEvent>) {
        let (sender, mut received) = tokio::sync::mpsc::channel(1024);
        let mut task = Task::from_prompt("one two three");
        task.id = "t-1".into();
        let timeout = Some(Duration::from_millis(500));
        let done = execute(&handler, task, timeout, &Outlet::Channel(sender)).await;
        let mut events = Vec::new();
        while let Ok(event) = received.try_recv() {
            events.push(event);
        }
        (done, events)
    }

    fn texts(events: &[TaskUpdateEvent]) -> Vec<String> {
        events.iter().map(|e| e.data.to_string()).collect()
    }

    #[tokio::test]
    async fn a_streaming_handler_delivers_every_event_in_order_before_it_concludes() {
        let (done, events) = run_streaming(Handler::streaming(
            |mut task: Task, stream: TaskStream| async move {
                for word in task.input.text.split(' ') {
                    stream.chunk(word).await;
                }
                stream.think(serde_json::Map::new()).await;
                task.result = Some("ok".into());
                task
            },
        ))
        .await;
        assert_eq!(done.status, AgentExecutionStatus::Completed);
        assert_eq!(done.result.as_deref(), Some("ok"));
        assert_eq!(texts(&events[..3]), ["\"one\"", "\"two\"", "\"three\""]);
        assert_eq!(events[3].event_type, TaskUpdateEventType::Think);
        assert!(events.iter().all(|e| e.task_id == "t-1"));
    }

    #[tokio::test]
    async fn a_task_finished_event_replaces_the_outcome_and_is_not_forwarded() {
        let (done, events) = run_streaming(Handler::streaming(
            |task: Task, stream: TaskStream| async move {
                let mut finished = task.clone();
                finished.result = Some("from the event".into());
                finished.id = "another-id".into();
                let payload = serde_json::to_value(&finished).unwrap();
                stream
                    .send(TaskUpdateEvent::new(
                        TaskUpdateEventType::TaskFinished,
                        &task.id,
                        "o",
                        payload,
                    ))
                    .await;
                task
            },
        ))
        .await;
        assert_eq!(done.result.as_deref(), Some("from the event"));
        assert_eq!(done.id, "t-1", "the id of the task run is kept");
        assert!(events.is_empty());
        let (done, _) = run_streaming(Handler::streaming(
            |task: Task, stream: TaskStream| async move {
                stream
                    .send(TaskUpdateEvent::new(
                        TaskUpdateEventType::TaskFinished,
                        &task.id,
                        "o",
                        "plain".into(),
                    ))
                    .await;
                task
            },
        ))
        .await;
        assert_eq!(done.result.as_deref(), Some("plain"));
        let (done, _) = run_streaming(Handler::streaming(
            |task: Task, stream: TaskStream| async move {
                let broken = serde_json::json!({"status": 7});
                stream
                    .send(TaskUpdateEvent::new(
                        TaskUpdateEventType::TaskFinished,
                        &task.id,
                        "o",
                        broken,
                    ))
                    .await;
                task
            },
        ))
        .await;
        assert_eq!(done.status, AgentExecutionStatus::Error);
        assert!(done.result.unwrap().contains("does not hold a task"));
    }

    #[tokio::test]
    async fn events_before_a_panic_are_delivered_and_a_kept_stream_cannot_hold_the_task() {
        let (done, events) = run_streaming(Handler::streaming(
            |task: Task, stream: TaskStream| async move {
                stream.chunk("before").await;
                if !task.id.is_empty() {
                    panic!("mid-stream");
                }
                task
            },
        ))
        .await;
        assert_eq!(done.result.as_deref(), Some("handler panicked: mid-stream"));
        assert_eq!(texts(&events), ["\"before\""]);
        let (done, events) = run_streaming(Handler::streaming(
            |task: Task, stream: TaskStream| async move {
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    stream.chunk("too late").await;
                });
                task
            },
        ))
        .await;
        assert_eq!(done.status, AgentExecutionStatus::Completed);
        assert!(events.is_empty());
    }

    #[tokio::test]
    async fn a_json_result_loses_its_fence() {
        let mut task = Task::from_prompt("hi");
        task.output_format = Some(OutputFormat::Json);
        let done = run(TaskFn::Async(fenced_json), task.clone()).await;
        assert_eq!(done.result.as_deref(), Some("{\"answer\": 42}"));
        task.output_format = Some(OutputFormat::Markdown);
        let done = run(TaskFn::Async(fenced_json), task).await;
        assert!(
            done.result.unwrap().starts_with("<think>"),
            "only JSON tasks are rewritten"
        );
    }
}
