//! The worker: serves agents' tasks over the platform's worker channel.
//!
//! [`Events`] configures it, starts one connection per agent, and shuts it down gracefully:
//! stop reading, let tasks finish within the shutdown timeout, report the rest as failed, say
//! `worker-finished`, run the shutdown hooks. [`crate::run`] drives it from the registry.

mod connection;
mod control;
mod git;
mod invoke;
mod reader;
mod recent;
mod run_task;
mod settings;
mod slots;
mod sync_tools;
mod test_task;
mod worker;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::backoff::Backoff;
use crate::handler::Handler;
use crate::hooks;
use crate::model::{LocalTaskTest, Task};
use crate::{ConfigError, Configuration, Error, Platform, Result};
use invoke::InvokeServer;
use run_task::TaskRunner;
pub use settings::{DEFAULT_INVOKE_PORT, DEFAULT_MAX_PLAN_RETRIES};
use settings::{FINAL_REPORT_WINDOW, Settings};
pub(crate) use test_task::outcome as test_outcome;
use worker::AgentWorker;

/// The worker: configure it, give it handlers, start it.
///
/// ```no_run
/// use std::time::Duration;
/// use xpander_runtime::{Events, Handler, Task};
///
/// # async fn demo() -> xpander_runtime::Result<()> {
/// let handler = Handler::new(|mut task: Task| async move {
///     task.result = Some("done".into());
///     task
/// });
/// // Serves XPANDER_AGENT_ID until SIGINT or SIGTERM, then drains.
/// Events::new()
///     .max_sync_workers(8)
///     .shutdown_timeout(Duration::from_secs(60))
///     .start(handler)
///     .await
/// # }
/// ```
#[derive(Debug)]
pub struct Events {
    config: Option<Configuration>,
    settings: Settings,
    agents: Vec<(Option<String>, Handler, Option<Configuration>)>,
    test_task: Option<LocalTaskTest>,
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

impl Events {
    /// A worker with the defaults: 6 concurrent tasks (`XPANDER_MAX_SYNC_WORKERS`), heartbeats
    /// every 2 s, a 25 s shutdown timeout (`XPANDER_SHUTDOWN_TIMEOUT`, seconds), reconnects
    /// after 1 s doubling to 30 s, a 60 s read-idle timeout, no per-task timeout, the
    /// `/invoke` server on 127.0.0.1:59321 (see [`Events::invoke_server`]), and configuration
    /// from the environment.
    pub fn new() -> Self {
        Self {
            config: None,
            settings: Settings::from_env(),
            agents: Vec::new(),
            test_task: None,
        }
    }

    /// Uses this configuration instead of the environment.
    pub fn configuration(mut self, config: Configuration) -> Self {
        self.config = Some(config);
        self
    }

    /// How many tasks run at once, per agent.
    pub fn max_sync_workers(mut self, slots: usize) -> Self {
        self.settings.max_sync_workers = slots.max(1);
        self
    }

    /// How often the worker says it is alive.
    pub fn heartbeat_interval(mut self, every: Duration) -> Self {
        self.settings.heartbeat_interval = every;
        self
    }

    /// How long running tasks may take to finish on shutdown before they are aborted.
    pub fn shutdown_timeout(mut self, limit: Duration) -> Self {
        self.settings.shutdown_timeout = limit;
        self
    }

    /// How long the connection may stay silent (keep-alives count) before a reconnect.
    pub fn read_idle_timeout(mut self, limit: Duration) -> Self {
        self.settings.read_idle_timeout = limit;
        self
    }

    /// The reconnect delays: from `base`, doubling, jittered, up to `cap`.
    pub fn reconnect_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.settings.reconnect_backoff = Backoff::new(base, cap);
        self
    }

    /// How long a connection must last to reset the backoff (delivering a task also does).
    pub fn healthy_after(mut self, duration: Duration) -> Self {
        self.settings.healthy_after = duration;
        self
    }

    /// Fails a task whose handler runs longer than this.
    pub fn task_timeout(mut self, limit: Duration) -> Self {
        self.settings.task_timeout = Some(limit);
        self
    }

    /// How often the platform is asked, while a handler runs, whether its task was stopped
    /// (default 10 s). A stopped task's handler is cancelled and the task stays stopped.
    pub fn stop_check_interval(mut self, every: Duration) -> Self {
        self.settings.stop_check_interval = every;
        self
    }

    /// How many times a task whose plan is not complete is run again (default
    /// [`DEFAULT_MAX_PLAN_RETRIES`]).
    pub fn max_plan_retries(mut self, retries: u32) -> Self {
        self.settings.max_plan_retries = retries;
        self
    }

    /// Whether to serve `/invoke` and `/health` over HTTP next to the worker channel (default
    /// on; `XPANDER_STREAMING_SERVER=off` turns it off too).
    ///
    /// `POST /invoke` takes a task as JSON from a caller whose `x-api-key` the platform allows
    /// for the agent, runs it like a delivered task (same handler, slots and final save) and
    /// answers with the finished task, or a streaming handler's events as
    /// `text/event-stream`. It listens on `XPANDER_STREAMING_PORT` (default
    /// [`DEFAULT_INVOKE_PORT`]; 0 picks a free port, see [`EventsHandle::invoke_address`]) on
    /// `XPANDER_STREAMING_HOST`, else on 127.0.0.1, or every interface in xpander cloud
    /// (`IS_XPANDER_CLOUD=true`), where the platform calls in. The Python SDK listens on every
    /// interface everywhere: a worker on a laptop would take tasks from its whole network.
    ///
    /// ```no_run
    /// # async fn demo(handler: xpander_runtime::Handler) -> xpander_runtime::Result<()> {
    /// xpander_runtime::Events::new().invoke_server(false).start(handler).await
    /// # }
    /// ```
    pub fn invoke_server(mut self, enabled: bool) -> Self {
        self.settings.invoke.enabled = enabled;
        self
    }

    /// Serves `/invoke` on `address` (port 0 picks a free one).
    ///
    /// ```no_run
    /// # async fn demo(handler: xpander_runtime::Handler) -> xpander_runtime::Result<()> {
    /// let handle = xpander_runtime::Events::new()
    ///     .invoke_address(([127, 0, 0, 1], 0).into())
    ///     .register_agent_worker("agent-1", handler)
    ///     .spawn()?;
    /// println!("POST http://{}/invoke", handle.invoke_address().unwrap());
    /// # Ok(()) }
    /// ```
    pub fn invoke_address(mut self, address: SocketAddr) -> Self {
        self.settings.invoke.enabled = true;
        self.settings.invoke.host = Some(address.ip());
        self.settings.invoke.port = address.port();
        self
    }

    /// Serves `agent_id`'s tasks with `handler` (one process may serve several agents).
    pub fn register_agent_worker(
        mut self,
        agent_id: impl Into<String>,
        handler: impl Into<Handler>,
    ) -> Self {
        self.agents
            .push((Some(agent_id.into()), handler.into(), None));
        self
    }

    /// Serves an agent with its own configuration (`None`: the configuration's agent id).
    pub(crate) fn register_with(
        mut self,
        agent_id: Option<String>,
        handler: Handler,
        config: Option<Configuration>,
    ) -> Self {
        self.agents.push((agent_id, handler, config));
        self
    }

    /// Runs this test task on the platform once (created with `run_locally`), prints its
    /// result, and stops; [`Events::start`] then returns whether it completed.
    pub fn test_task(mut self, test: LocalTaskTest) -> Self {
        self.test_task = Some(test);
        self
    }

    /// Serves the configuration's agent (`XPANDER_AGENT_ID`) with `handler`, plus any agent
    /// registered with [`Events::register_agent_worker`], until SIGINT or SIGTERM (a second
    /// signal skips the wait for running tasks). Returns `Ok` after a clean shutdown.
    pub async fn start(self, handler: impl Into<Handler>) -> Result<()> {
        self.register_with(None, handler.into(), None)
            .serve_until_signal()
            .await
    }

    /// Serves the registered agents until SIGINT or SIGTERM.
    pub(crate) async fn serve_until_signal(self) -> Result<()> {
        let print_test_result = self.test_task.is_some();
        let handle = self.spawn()?;
        let (stop, force) = (handle.stop.clone(), handle.force.clone());
        let signals = tokio::spawn(async move {
            wait_for_signal().await;
            info!("signal received: stopping; a second signal aborts running tasks");
            stop.cancel();
            wait_for_signal().await;
            force.cancel();
        });
        let outcome = handle.join_inner().await;
        signals.abort();
        let test = outcome?;
        match test {
            Some(task) if print_test_result => test_task::outcome(task),
            _ => Ok(()),
        }
    }

    /// Starts serving in the background, without signal handling, and returns a handle to
    /// stop it. Needs a tokio runtime.
    pub fn spawn(self) -> Result<EventsHandle> {
        self.settings.validate()?;
        let base = self.config;
        let stop = CancellationToken::new();
        let force = CancellationToken::new();
        let abandon = CancellationToken::new();
        let settings = Arc::new(self.settings);
        let mut workers = Vec::new();
        let mut in_cloud = false;
        for (agent_id, handler, config) in self.agents {
            let config = match config.or_else(|| base.clone()) {
                Some(config) => config,
                None => Configuration::from_env()?,
            };
            in_cloud |= config.is_cloud();
            let agent_id = agent_id.or_else(|| config.agent_id().map(str::to_owned)).ok_or_else(|| {
                ConfigError::MissingAgentId(
                    "set XPANDER_AGENT_ID (or give the handler an `agent_id`) to choose the agent to serve".into(),
                )
            })?;
            // Handlers registered apart can still resolve to one agent (one names it, the other
            // serves XPANDER_AGENT_ID): two workers would compete for its tasks.
            if workers
                .iter()
                .any(|w: &Arc<AgentWorker>| w.agent_id == agent_id)
            {
                return Err(ConfigError::DuplicateAgent(agent_id).into());
            }
            let test = self.test_task.clone().filter(|_| workers.is_empty());
            let runner = TaskRunner {
                platform: Platform::new(config.with_agent_id(agent_id.clone())),
                handler,
                settings: settings.clone(),
                force: force.clone(),
            };
            let (stop, abandon) = (stop.clone(), abandon.clone());
            workers.push(AgentWorker::new(agent_id, runner, stop, abandon, test));
        }
        if workers.is_empty() {
            return Err(Error::Usage(
                "no agent to serve: give Events a handler".into(),
            ));
        }
        let agents: Vec<String> = workers.iter().map(|w| w.agent_id.clone()).collect();
        let invoke = settings
            .invoke
            .address(in_cloud)
            .and_then(InvokeServer::bind);
        let invoke_address = invoke.as_ref().map(InvokeServer::address);
        let join = tokio::spawn(serve(
            workers.clone(),
            invoke,
            settings,
            stop.clone(),
            force.clone(),
            abandon,
        ));
        Ok(EventsHandle {
            stop,
            force,
            join,
            workers,
            agents,
            invoke_address,
        })
    }

    /// Runs `body` while the worker serves, then stops it and waits for it to drain (the
    /// `async with Events()` of the Python SDK).
    ///
    /// ```no_run
    /// # async fn demo(handler: xpander_runtime::Handler) -> xpander_runtime::Result<()> {
    /// use std::time::Duration;
    /// use xpander_runtime::Events;
    ///
    /// Events::new()
    ///     .register_agent_worker("agent-123", handler)
    ///     .scope(tokio::time::sleep(Duration::from_secs(60)))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn scope<T>(self, body: impl Future<Output = T>) -> Result<T> {
        let handle = self.spawn()?;
        let value = body.await;
        handle.stop().await?;
        Ok(value)
    }
}

/// A running worker: stop it, or wait for it.
#[derive(Debug)]
pub struct EventsHandle {
    stop: CancellationToken,
    force: CancellationToken,
    join: tokio::task::JoinHandle<Result<Option<Task>>>,
    workers: Vec<Arc<AgentWorker>>,
    agents: Vec<String>,
    invoke_address: Option<SocketAddr>,
}

impl EventsHandle {
    /// Begins a graceful shutdown; a second call aborts the tasks still running.
    pub fn shutdown(&self) {
        if self.stop.is_cancelled() {
            self.force.cancel();
        }
        self.stop.cancel();
    }

    /// Shuts down gracefully and waits until done.
    pub async fn stop(self) -> Result<()> {
        self.shutdown();
        self.join().await
    }

    /// Waits until the worker stopped (by [`EventsHandle::shutdown`], an environment conflict,
    /// or a rejected first connection).
    pub async fn join(self) -> Result<()> {
        self.join_inner().await.map(drop)
    }

    async fn join_inner(self) -> Result<Option<Task>> {
        match self.join.await {
            Ok(outcome) => outcome,
            Err(e) => Err(Error::WorkerTask(e)),
        }
    }

    /// The agents served.
    pub fn agents(&self) -> &[String] {
        &self.agents
    }

    /// The worker id the platform gave an agent's connection, once registered.
    pub fn worker_id(&self, agent_id: &str) -> Option<String> {
        self.workers
            .iter()
            .find(|w| w.agent_id == agent_id)
            .and_then(|w| w.worker_id())
    }

    /// Where the `/invoke` server listens; `None` when it is off or could not bind.
    pub fn invoke_address(&self) -> Option<SocketAddr> {
        self.invoke_address
    }

    /// Whether the worker has stopped.
    pub fn is_finished(&self) -> bool {
        self.join.is_finished()
    }
}

/// Boot hooks, one worker per agent and the `/invoke` server, and on stop: drain within the
/// timeout, abort the rest, shutdown hooks. Returns the test task's outcome in the local test
/// flow.
async fn serve(
    workers: Vec<Arc<AgentWorker>>,
    invoke: Option<InvokeServer>,
    settings: Arc<Settings>,
    stop: CancellationToken,
    force: CancellationToken,
    abandon: CancellationToken,
) -> Result<Option<Task>> {
    hooks::run_boot_hooks().await?;
    git::configure_from_env().await;
    for worker in &workers {
        let (platform, agent_id) = (worker.platform().clone(), worker.agent_id.clone());
        tokio::spawn(async move { sync_tools::sync(&platform, &agent_id).await });
    }
    let closed = CancellationToken::new();
    let invoking = invoke.map(|server| {
        let serving = server.serve(
            workers.clone(),
            stop.clone(),
            closed.clone(),
            abandon.clone(),
        );
        tokio::spawn(serving)
    });
    let mut running = JoinSet::new();
    for worker in &workers {
        running.spawn(worker.clone().run());
    }
    let deadline = tokio::spawn({
        let (stop, force, limit) = (stop.clone(), force.clone(), settings.shutdown_timeout);
        async move {
            stop.cancelled().await;
            tokio::time::sleep(limit).await;
            if !force.is_cancelled() {
                warn!(
                    limit_s = limit.as_secs_f64(),
                    "shutdown timeout passed: aborting running tasks"
                );
                force.cancel();
            }
        }
    });
    // The one hard deadline of a shutdown: the shutdown timeout, then a short window for the
    // final reports of the tasks it aborted.
    let abandoning = tokio::spawn({
        let force = force.clone();
        async move {
            force.cancelled().await;
            tokio::time::sleep(FINAL_REPORT_WINDOW).await;
            abandon.cancel();
        }
    });
    let mut failure = None;
    let mut test = None;
    while let Some(joined) = running.join_next().await {
        match joined
            .map_err(Error::WorkerTask)
            .and_then(|outcome| outcome)
        {
            Ok(done) => test = test.or(done),
            Err(e) => {
                error!(error = %e, "worker stopping");
                failure.get_or_insert(e);
                stop.cancel();
            }
        }
    }
    // Workers also end without a stop (the local test flow): the server goes with them.
    stop.cancel();
    closed.cancel();
    if let Some(invoking) = invoking {
        let _ = invoking.await;
    }
    deadline.abort();
    abandoning.abort();
    hooks::run_shutdown_hooks().await;
    info!("worker stopped");
    match failure {
        Some(e) => Err(e),
        None => Ok(test),
    }
}

/// SIGINT or (on Unix) SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
