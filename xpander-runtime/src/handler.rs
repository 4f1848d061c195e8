//! What a handler or hook may look like, checked by traits the macros' output names.
//!
//! The macros check shapes (a fn, no generics, how many arguments); these traits check types,
//! so a wrong argument or return type is reported on that type with a note naming the rule.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use crate::model::{Agent, LocalTaskTest, Task, TaskUpdateEvent};
use crate::{Configuration, Error, TaskStream};

/// A boxed, `Send` future, as registered handlers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a task handler produced: the task, or the error that becomes its result.
pub type HandlerResult = Result<Task, HandlerError>;

/// What a hook produced: nothing, or an error.
pub type HookResult = Result<(), HandlerError>;

/// The error a handler or hook returned, as its text: handlers return any
/// `Result<Task, E: Display>`, and the text is what the platform is told.
///
/// ```
/// use xpander_runtime::{HandlerError, Handler, Task};
///
/// let error = HandlerError::new(format_args!("no model for {}", "agent-1"));
/// assert_eq!(error.to_string(), "no model for agent-1");
///
/// // A handler given in code returns its own error type; the runtime keeps its text.
/// let handler = Handler::new(|_task: Task| async { Err::<Task, _>("the model is down") });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError(String);

impl HandlerError {
    /// An error with `message` as its text.
    pub fn new(message: impl Display) -> Self {
        Self(message.to_string())
    }
}

impl Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HandlerError {}

/// The argument of an `#[on_task]` handler.
#[diagnostic::on_unimplemented(
    message = "`#[on_task]` handlers take one `Task` argument, not `{Self}`",
    label = "expected `Task`",
    note = "valid forms: `async fn(Task) -> Task`, `async fn(Task) -> Result<Task, E>`, the same as a plain `fn`, and streaming: `async fn(Task, TaskStream)` returning either"
)]
pub trait TaskArgument {
    /// Passes the task on.
    fn from_task(task: Task) -> Self;
}

impl TaskArgument for Task {
    fn from_task(task: Task) -> Self {
        task
    }
}

/// The second argument of a streaming `#[on_task]` handler: [`TaskStream`].
#[diagnostic::on_unimplemented(
    message = "the second argument of an `#[on_task]` handler is `TaskStream`, not `{Self}`",
    label = "expected `TaskStream`",
    note = "a streaming handler is `async fn(Task, TaskStream) -> Task` (or `-> Result<Task, E>`)"
)]
pub trait TaskStreamArgument {
    /// Passes the stream on.
    fn from_stream(stream: TaskStream) -> Self;
}

impl TaskStreamArgument for TaskStream {
    fn from_stream(stream: TaskStream) -> Self {
        stream
    }
}

/// The return type of an `#[on_task]` handler: `Task` or `Result<Task, E>` with `E: Display`.
#[diagnostic::on_unimplemented(
    message = "`#[on_task]` handlers return `Task` or `Result<Task, E>` (E: Display), not `{Self}`",
    label = "expected `Task` or `Result<Task, E>`",
    note = "valid forms: `async fn(Task) -> Task`, `async fn(Task) -> Result<Task, E>`, the same as a plain `fn`, and streaming: `async fn(Task, TaskStream)` returning either"
)]
pub trait IntoTaskResult {
    /// The task, or the error's message.
    fn into_task_result(self) -> HandlerResult;
}

impl IntoTaskResult for Task {
    fn into_task_result(self) -> HandlerResult {
        Ok(self)
    }
}

impl<E: Display> IntoTaskResult for Result<Task, E> {
    fn into_task_result(self) -> HandlerResult {
        self.map_err(HandlerError::new)
    }
}

/// The return type of a hook: `()` or `Result<(), E>` with `E: Display`.
#[diagnostic::on_unimplemented(
    message = "hooks return `()` or `Result<(), E>` (E: Display), not `{Self}`",
    label = "expected `()` or `Result<(), E>`"
)]
pub trait IntoHookResult {
    /// Nothing, or the error's message.
    fn into_hook_result(self) -> HookResult;
}

impl IntoHookResult for () {
    fn into_hook_result(self) -> HookResult {
        Ok(())
    }
}

impl<E: Display> IntoHookResult for Result<(), E> {
    fn into_hook_result(self) -> HookResult {
        self.map_err(HandlerError::new)
    }
}

/// The first argument of an `#[on_auth_event]` hook: `&Agent`.
#[diagnostic::on_unimplemented(
    message = "the first argument of an `#[on_auth_event]` hook is `&Agent`, not `{Self}`",
    label = "expected `&Agent`",
    note = "valid form: `async fn(&Agent, &Task, &TaskUpdateEvent)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait AuthAgentArgument<'a> {
    /// Passes the agent on.
    fn from_agent(agent: &'a Agent) -> Self;
}

impl<'a> AuthAgentArgument<'a> for &'a Agent {
    fn from_agent(agent: &'a Agent) -> Self {
        agent
    }
}

/// The second argument of an `#[on_auth_event]` hook: `&Task`.
#[diagnostic::on_unimplemented(
    message = "the second argument of an `#[on_auth_event]` hook is `&Task`, not `{Self}`",
    label = "expected `&Task`",
    note = "valid form: `async fn(&Agent, &Task, &TaskUpdateEvent)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait AuthTaskArgument<'a> {
    /// Passes the task on.
    fn from_task(task: &'a Task) -> Self;
}

impl<'a> AuthTaskArgument<'a> for &'a Task {
    fn from_task(task: &'a Task) -> Self {
        task
    }
}

/// The third argument of an `#[on_auth_event]` hook: `&TaskUpdateEvent`.
#[diagnostic::on_unimplemented(
    message = "the third argument of an `#[on_auth_event]` hook is `&TaskUpdateEvent`, not `{Self}`",
    label = "expected `&TaskUpdateEvent`",
    note = "valid form: `async fn(&Agent, &Task, &TaskUpdateEvent)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait AuthEventArgument<'a> {
    /// Passes the event on.
    fn from_event(event: &'a TaskUpdateEvent) -> Self;
}

impl<'a> AuthEventArgument<'a> for &'a TaskUpdateEvent {
    fn from_event(event: &'a TaskUpdateEvent) -> Self {
        event
    }
}

/// What `test_task = ...` accepts: a prompt string or anything that converts into
/// [`LocalTaskTest`].
#[diagnostic::on_unimplemented(
    message = "`test_task` must be a prompt string or convert into `LocalTaskTest`, not `{Self}`",
    label = "not a test task",
    note = "e.g. `test_task = \"What can you do?\"` or `test_task = LocalTaskTest::new(\"...\").output_format(OutputFormat::Json)`"
)]
pub trait IntoTestTask {
    /// The test task.
    fn into_test_task(self) -> LocalTaskTest;
}

impl IntoTestTask for LocalTaskTest {
    fn into_test_task(self) -> LocalTaskTest {
        self
    }
}

impl IntoTestTask for &str {
    fn into_test_task(self) -> LocalTaskTest {
        LocalTaskTest::new(self)
    }
}

impl IntoTestTask for String {
    fn into_test_task(self) -> LocalTaskTest {
        LocalTaskTest::new(self)
    }
}

/// What `configuration = ...` accepts: a [`Configuration`], or a `Result` of one.
#[diagnostic::on_unimplemented(
    message = "`configuration` must be a `Configuration` or a `Result<Configuration, E>`, not `{Self}`",
    label = "not a configuration",
    note = "e.g. `configuration = my_config()` with `fn my_config() -> Configuration`"
)]
pub trait IntoConfiguration {
    /// The configuration, or why there is none.
    fn into_configuration(self) -> Result<Configuration, Error>;
}

impl IntoConfiguration for Configuration {
    fn into_configuration(self) -> Result<Configuration, Error> {
        Ok(self)
    }
}

impl<E: Display> IntoConfiguration for Result<Configuration, E> {
    fn into_configuration(self) -> Result<Configuration, Error> {
        self.map_err(|e| Error::Usage(format!("the handler's configuration failed: {e}")))
    }
}

/// A task handler the worker runs: a registered `#[on_task]` function, or any function or
/// closure given in code (see [`Events`](crate::Events)).
///
/// ```
/// use xpander_runtime::{Handler, Task};
///
/// let echo = Handler::new(|mut task: Task| async move {
///     task.result = Some(task.input.text.clone());
///     task
/// });
/// let strict = Handler::blocking(|task: Task| -> Result<Task, String> { Err("no".into()) });
/// # let _ = (echo, strict);
/// ```
#[derive(Clone)]
pub struct Handler(pub(crate) HandlerFn);

#[derive(Clone)]
pub(crate) enum HandlerFn {
    Async(std::sync::Arc<dyn Fn(Task) -> BoxFuture<'static, HandlerResult> + Send + Sync>),
    Blocking(std::sync::Arc<dyn Fn(Task) -> HandlerResult + Send + Sync>),
    Streaming(
        std::sync::Arc<dyn Fn(Task, TaskStream) -> BoxFuture<'static, HandlerResult> + Send + Sync>,
    ),
}

impl Handler {
    /// An async handler: a function or closure taking the `Task` and returning a future of
    /// `Task` or `Result<Task, E>`.
    pub fn new<F, Fut, R>(handler: F) -> Self
    where
        F: Fn(Task) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoTaskResult,
    {
        Self(HandlerFn::Async(std::sync::Arc::new(move |task| {
            let future = handler(task);
            Box::pin(async move { future.await.into_task_result() })
        })))
    }

    /// A streaming handler: a function or closure taking the `Task` and a [`TaskStream`] to
    /// send live events through, returning a future of `Task` or `Result<Task, E>`.
    ///
    /// ```
    /// use xpander_runtime::{Handler, Task, TaskStream};
    ///
    /// let handler = Handler::streaming(|mut task: Task, stream: TaskStream| async move {
    ///     stream.chunk("thinking...").await;
    ///     task.result = Some("done".into());
    ///     task
    /// });
    /// assert!(handler.is_streaming());
    /// ```
    pub fn streaming<F, Fut, R>(handler: F) -> Self
    where
        F: Fn(Task, TaskStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoTaskResult,
    {
        Self(HandlerFn::Streaming(std::sync::Arc::new(
            move |task, stream| {
                let future = handler(task, stream);
                Box::pin(async move { future.await.into_task_result() })
            },
        )))
    }

    /// Whether it streams events while it runs (made with [`Handler::streaming`], or an
    /// `#[on_task]` fn taking a [`TaskStream`]).
    pub fn is_streaming(&self) -> bool {
        matches!(self.0, HandlerFn::Streaming(_))
    }

    /// A synchronous handler, run on a thread of its own (one that never returns cannot keep the
    /// process from exiting).
    pub fn blocking<F, R>(handler: F) -> Self
    where
        F: Fn(Task) -> R + Send + Sync + 'static,
        R: IntoTaskResult,
    {
        Self(HandlerFn::Blocking(std::sync::Arc::new(move |task| {
            handler(task).into_task_result()
        })))
    }
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.0 {
            HandlerFn::Async(_) => "async",
            HandlerFn::Blocking(_) => "blocking",
            HandlerFn::Streaming(_) => "streaming",
        };
        f.debug_tuple("Handler").field(&kind).finish()
    }
}
