//! Running one task through a handler, and running hooks: the same code for the worker and
//! for local runs. A panic, an error or a timeout fails the task, never the caller.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tracing::{error, warn};

use crate::Error;
use crate::handler::{Handler, HandlerFn, HandlerResult, HookResult};
use crate::model::{Agent, AgentExecutionStatus, OutputFormat, Task, TaskUpdateEvent};
use crate::registry::{self, HookFn};

/// Runs `task` through `handler` and returns the task as it should be saved: `completed` if the
/// handler left it `executing`, a status the handler set kept, `error` with the message on an
/// error, a panic or a timeout. A JSON result is normalised, and `duration` is measured unless
/// the handler set it.
pub(crate) async fn execute(handler: &Handler, mut task: Task, timeout: Option<Duration>) -> Task {
    task.status = AgentExecutionStatus::Executing;
    // The handler owns the task while it runs; this copy is what an error is reported on.
    let before = task.clone();
    let started = Instant::now();
    let outcome = match &handler.0 {
        HandlerFn::Async(call) => bounded(timeout, caught(|| call(task))).await,
        HandlerFn::Blocking(call) => {
            let call = call.clone();
            bounded(timeout, on_blocking_pool(move || call(task))).await
        }
    };
    let mut done = match outcome {
        Ok(Ok(Ok(task))) => task,
        Ok(Ok(Err(message))) => failed(before, message),
        Ok(Err(panic)) => failed(
            before,
            format!("handler panicked: {}", panic_message(&*panic)),
        ),
        Err(limit) => failed(
            before,
            format!("handler timed out after {:.1} s", limit.as_secs_f64()),
        ),
    };
    if done.status == AgentExecutionStatus::Executing {
        done.status = AgentExecutionStatus::Completed;
    }
    if done.duration == 0.0 {
        done.duration = started.elapsed().as_secs_f64();
    }
    normalize_json_result(&mut done);
    done
}

/// An output, or the payload of the panic that replaced it.
pub(crate) type Caught<T> = Result<T, Box<dyn Any + Send>>;

/// Calls an async fn and polls its future, catching a panic in either.
pub(crate) async fn caught<Fut: Future>(call: impl FnOnce() -> Fut) -> Caught<Fut::Output> {
    let future = std::panic::catch_unwind(AssertUnwindSafe(call))?;
    AssertUnwindSafe(future).catch_unwind().await
}

/// Runs a plain fn on the blocking pool, catching a panic. A timed-out blocking handler keeps
/// its thread: a plain fn cannot be interrupted.
async fn on_blocking_pool<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Caught<T> {
    tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(call)))
        .await
        .unwrap_or_else(|join| Err(join.into_panic()))
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

/// `task` ended in `error` with `message` as its result.
pub(crate) fn failed(mut task: Task, message: String) -> Task {
    task.status = AgentExecutionStatus::Error;
    task.result = Some(message);
    task
}

/// The text of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
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

/// Runs one boot or shutdown hook, catching a panic.
async fn run_hook(call: HookFn) -> HookResult {
    let caught = match call {
        HookFn::Async(call) => caught(call).await,
        HookFn::Blocking(call) => on_blocking_pool(call).await,
    };
    caught.unwrap_or_else(|panic| Err(format!("panicked: {}", panic_message(&*panic))))
}

/// Runs every `#[on_boot]` hook in registry order; the first failure stops start-up.
pub(crate) async fn run_boot_hooks() -> Result<(), Error> {
    for hook in registry::boot_hooks() {
        run_hook(hook.call()).await.map_err(|message| Error::Hook {
            kind: "boot",
            hook: hook.info().to_string(),
            message,
        })?;
    }
    Ok(())
}

/// How long one shutdown hook may run.
const SHUTDOWN_HOOK_LIMIT: Duration = Duration::from_secs(10);

/// Runs every `#[on_shutdown]` hook in registry order, each bounded by
/// [`SHUTDOWN_HOOK_LIMIT`]; failures are logged and the next hook runs.
pub(crate) async fn run_shutdown_hooks() {
    let limit = SHUTDOWN_HOOK_LIMIT;
    for hook in registry::shutdown_hooks() {
        match tokio::time::timeout(limit, run_hook(hook.call())).await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => error!(hook = %hook.info(), %message, "shutdown hook failed"),
            Err(_) => {
                warn!(hook = %hook.info(), limit_s = limit.as_secs_f64(), "shutdown hook timed out")
            }
        }
    }
}

/// Invokes every `#[on_auth_event]` hook in registry order. Each error or panic is logged with
/// the hook's name and the task id, and the next hook still runs.
pub async fn invoke_auth_hooks(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
    for hook in registry::auth_hooks() {
        let call = hook.call();
        match caught(|| call(agent, task, event)).await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                error!(hook = %hook.info(), task_id = %task.id, %message, "auth event hook failed")
            }
            Err(panic) => error!(
                hook = %hook.info(), task_id = %task.id, panic = %panic_message(&*panic),
                "auth event hook panicked"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::BoxFuture;
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
        Box::pin(async move { Err("no luck".to_owned()) })
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
