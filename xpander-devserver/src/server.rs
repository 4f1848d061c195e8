//! [`DevServer::start`] and the [`DevServerHandle`] it returns.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;
use xpander_runtime::model::{Agent, CreateTaskRequest, Task, Timestamp};

use crate::agents::{DEMO_AGENT_ID, DEMO_ANSWER, agent_from_json, demo_agent};
use crate::dispatch::reap_silent_workers;
use crate::error::{Error, Result};
use crate::faults::{Faults, RouteFaults, SseFaults};
use crate::llm::{LlmRequestRecord, LlmScripts, LlmState, LlmTurn};
use crate::options::DevServerOptions;
use crate::reqlog::{RequestLog, RequestRecord};
use crate::state::{App, Store, TaskInfo, WorkerInfo};
use crate::tasks::{self, NewTask};
use crate::{persist, routes};

/// How long [`DevServerHandle::shutdown`] waits for open requests before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A local xpander.ai platform: the REST routes, the worker channel and developer pages.
///
/// ```
/// use xpander_devserver::{DevServer, DevServerOptions};
///
/// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
/// let server = DevServer::start(DevServerOptions::default().api_key("k")).await?;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.agent_id(), "demo-agent");
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DevServer;

impl DevServer {
    /// Binds (127.0.0.1 on an OS-chosen port by default), seeds the agents, loads the state
    /// file, and serves until the handle is shut down or dropped.
    pub async fn start(options: DevServerOptions) -> Result<DevServerHandle> {
        let org = options.org.clone();
        let api_key = options
            .api_key
            .clone()
            .unwrap_or_else(|| format!("xpd-{}", uuid::Uuid::new_v4().simple()));
        options.faults.checked()?;
        options.llm_scripts.check().map_err(Error::LlmScript)?;
        let seeded: Vec<Agent> = options
            .agents
            .iter()
            .enumerate()
            .map(|(i, v)| agent_from_json(&format!("agents[{i}]"), v.clone(), &org))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::Agent(e.message))?;
        let loaded = match &options.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };

        let listener = TcpListener::bind((options.host, options.port))
            .await
            .map_err(|source| Error::Io {
                context: format!("could not bind {}:{}", options.host, options.port),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "could not read the bound address".into(),
            source,
        })?;

        let mut store = Store {
            sse_faults: SseFaults::new(&options.faults),
            ..Store::default()
        };
        if let Some(state) = loaded {
            for agent in state.agents {
                store.agents.upsert(agent);
            }
            for task in state.tasks {
                store.put_task(task);
            }
        }
        for agent in &seeded {
            store.agents.upsert(agent.clone());
        }
        let seeds_demo = store.agents.is_empty();
        if seeds_demo {
            store
                .agents
                .upsert(demo_agent(&org, &format!("http://{addr}")));
        }
        for kb in &options.knowledge_bases {
            store.knowledge_bases.insert(kb.id.clone(), kb.clone());
        }
        let agent_id = seeded
            .first()
            .map(|a| a.id.clone())
            .or_else(|| store.agents.first_id().map(str::to_owned))
            .unwrap_or_default();

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let persist_notify = options.state_file.as_ref().map(|_| Arc::new(Notify::new()));
        let app = Arc::new(App {
            org,
            api_key,
            base_url: format!("http://{addr}"),
            started_at: Timestamp::now(),
            log: Mutex::new(RequestLog::new(options.request_log_capacity)),
            llm: Mutex::new(LlmState::default()),
            settings: options,
            store: Mutex::new(store),
            route_faults: Mutex::new(RouteFaults::new(Faults::default())),
            route_faults_active: AtomicBool::new(false),
            changes: watch::channel(0).0,
            pulse: Default::default(),
            persist: persist_notify.clone(),
            shutdown: shutdown_rx.clone(),
        });
        crate::faults::apply(&app, &app.settings.faults).await;
        let mut scripts = app.settings.llm_scripts.clone();
        if seeds_demo && !scripts.agents.contains_key(DEMO_AGENT_ID) {
            scripts = scripts.agent(DEMO_AGENT_ID, vec![LlmTurn::answer(DEMO_ANSWER)]);
        }
        app.llm.lock().await.scripts.apply(scripts);

        let mut tasks = Vec::new();
        let service =
            routes::router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut down = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            let serve = axum::serve(listener, service).with_graceful_shutdown(async move {
                let _ = down.wait_for(|d| *d).await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "devserver stopped with an error");
            }
        }));
        tasks.push(tokio::spawn(reaper(app.clone(), shutdown_rx.clone())));
        let state_file = app.settings.state_file.clone();
        let persister = match (&state_file, persist_notify) {
            (Some(path), Some(notify)) => {
                notify.notify_one();
                Some(tokio::spawn(persist::run(
                    app.clone(),
                    path.clone(),
                    notify,
                    shutdown_rx.clone(),
                )))
            }
            _ => None,
        };
        tracing::info!(base_url = %app.base_url, org = %app.org, "xpander-devserver listening");
        Ok(DevServerHandle {
            app,
            addr,
            agent_id,
            state_file,
            shutdown: shutdown_tx,
            tasks,
            persister,
        })
    }
}

/// Marks silent workers lost, a few times per heartbeat interval.
async fn reaper(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let period = (app.settings.heartbeat_interval / 4).max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.wait_for(|d| *d) => return,
        }
        let lost = {
            let mut store = app.store.lock().await;
            reap_silent_workers(
                &mut store,
                app.settings.heartbeat_interval,
                app.settings.llm_gateway.as_ref(),
            )
        };
        if lost {
            app.changed();
        }
    }
}

/// A running devserver. It stops when [`shutdown`](Self::shutdown) is awaited or the handle is
/// dropped.
///
/// ```
/// use std::time::Duration;
/// use xpander_devserver::{DevServer, DevServerOptions};
/// use xpander_runtime::model::CreateTaskRequest;
///
/// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
/// let server = DevServer::start(DevServerOptions::default()).await?;
/// let task = server.create_task(server.agent_id(), CreateTaskRequest::new("hi")).await?;
/// let same = server.task(&task.id).await.unwrap();
/// assert_eq!(same.input.text, "hi");
/// let pending = server
///     .wait_for_task(&task.id, Duration::from_millis(10), |t| t.status.as_str() == "pending")
///     .await;
/// assert!(pending.is_some());
/// # Ok(()) }
/// ```
pub struct DevServerHandle {
    app: Arc<App>,
    addr: SocketAddr,
    agent_id: String,
    state_file: Option<PathBuf>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    persister: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DevServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevServerHandle")
            .field("base_url", &self.app.base_url)
            .field("org", &self.app.org)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

impl DevServerHandle {
    /// `http://HOST:PORT`: the `XPANDER_BASE_URL` of a worker.
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The organization id served (`XPANDER_ORGANIZATION_ID`).
    pub fn org(&self) -> &str {
        &self.app.org
    }

    /// The API key every platform route requires (`XPANDER_API_KEY`).
    pub fn api_key(&self) -> &str {
        &self.app.api_key
    }

    /// The first seeded agent (the demo agent when none was given): `XPANDER_AGENT_ID`.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The environment a worker process needs to serve this server's first agent:
    /// `XPANDER_BASE_URL`, `XPANDER_ORGANIZATION_ID`, `XPANDER_API_KEY` and `XPANDER_AGENT_ID`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use xpander_devserver::{DevServer, DevServerOptions};
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// let mut worker = std::process::Command::new("my-worker");
    /// worker.envs(server.worker_env());
    /// # Ok(()) }
    /// ```
    pub fn worker_env(&self) -> [(&'static str, String); 4] {
        [
            ("XPANDER_BASE_URL", self.base_url().to_owned()),
            ("XPANDER_ORGANIZATION_ID", self.org().to_owned()),
            ("XPANDER_API_KEY", self.api_key().to_owned()),
            ("XPANDER_AGENT_ID", self.agent_id().to_owned()),
        ]
    }

    /// A configuration builder pointed at this server: its base URL, organization and API key.
    /// Add `.agent_id(...)` (or other settings) and build.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use xpander_devserver::{DevServer, DevServerOptions};
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// let config = server.configuration().agent_id(server.agent_id()).build().unwrap();
    /// assert_eq!(config.organization_id(), server.org());
    /// # Ok(()) }
    /// ```
    pub fn configuration(&self) -> xpander_runtime::ConfigurationBuilder {
        xpander_runtime::Configuration::builder()
            .api_key(self.api_key())
            .organization_id(self.org())
            .base_url(self.base_url())
    }

    /// `{base_url}/{org}/events`: the worker channel's base.
    pub fn events_url(&self) -> String {
        format!("{}/{}/events", self.app.base_url, self.app.org)
    }

    /// The state file, when tasks and agents persist.
    pub fn state_file(&self) -> Option<&std::path::Path> {
        self.state_file.as_deref()
    }

    /// Every task, in creation order.
    pub async fn tasks(&self) -> Vec<Task> {
        let store = self.app.store.lock().await;
        store.tasks_in_order().map(|t| t.task.clone()).collect()
    }

    /// One task.
    pub async fn task(&self, id: &str) -> Option<Task> {
        let store = self.app.store.lock().await;
        store.tasks.get(id).map(|t| t.task.clone())
    }

    /// Every task with what happened to it (deliveries, events, metrics), in creation order.
    pub async fn task_infos(&self) -> Vec<TaskInfo> {
        let store = self.app.store.lock().await;
        store.tasks_in_order().cloned().collect()
    }

    /// How many tasks satisfy `matches`. Nothing is copied, so a benchmark or a test with
    /// thousands of tasks can poll this without slowing the server down.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use xpander_devserver::{DevServer, DevServerOptions};
    /// use xpander_runtime::model::CreateTaskRequest;
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// server.create_task(server.agent_id(), CreateTaskRequest::new("hi")).await?;
    /// assert_eq!(server.count_tasks(|t| t.task.status.is_terminal()).await, 0);
    /// # Ok(()) }
    /// ```
    pub async fn count_tasks(&self, matches: impl Fn(&TaskInfo) -> bool) -> usize {
        let store = self.app.store.lock().await;
        store.tasks.values().filter(|t| matches(t)).count()
    }

    /// One task with what happened to it.
    pub async fn task_info(&self, id: &str) -> Option<TaskInfo> {
        self.app.store.lock().await.tasks.get(id).cloned()
    }

    /// The request log, oldest first.
    pub async fn requests(&self) -> Vec<RequestRecord> {
        self.app.log.lock().await.entries().cloned().collect()
    }

    /// Connected workers (in connection order), then those that left.
    pub async fn workers(&self) -> Vec<WorkerInfo> {
        self.app.store.lock().await.worker_infos()
    }

    /// Writes `bytes` verbatim into a connected worker's SSE stream, between two events, as
    /// `POST /_dev/workers/{worker_id}/raw` does: a test plays a hostile server with it (invalid
    /// UTF-8, a `retry:` field, an `id:` with a control character, a line of many MiB). Returns
    /// false when the worker is not connected.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use xpander_devserver::{DevServer, DevServerOptions};
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// // No worker has this id, so nothing is written.
    /// assert!(!server.inject_raw("WORKER-nope", &b"data: \xff\n\n"[..]).await);
    /// # Ok(()) }
    /// ```
    pub async fn inject_raw(&self, worker_id: &str, bytes: impl Into<Bytes>) -> bool {
        let store = self.app.store.lock().await;
        crate::dispatch::inject_raw(&store, worker_id, bytes.into())
    }

    /// Every agent (default versions), in the order they were added.
    pub async fn agents(&self) -> Vec<Agent> {
        let store = self.app.store.lock().await;
        store.agents.list().cloned().collect()
    }

    /// Creates a task as `POST /agent-execution/{agent_id}` would, and dispatches it.
    pub async fn create_task(&self, agent_id: &str, request: CreateTaskRequest) -> Result<Task> {
        let new = NewTask {
            agent_id: agent_id.to_owned(),
            agent_version: request.agent_version.clone(),
            request,
        };
        let task = {
            let mut store = self.app.store.lock().await;
            tasks::create(
                &mut store,
                &self.app.org,
                new,
                self.app.settings.llm_gateway.as_ref(),
            )?
        };
        self.app.changed();
        Ok(task)
    }

    /// Completes the pending MCP logins that match `user_id` and `server_url` (every pending
    /// one when both are `None`), as `POST /_dev/mcp_auth/approve` would: the user's next
    /// token request gets `token_ready`. Returns how many were approved.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use xpander_devserver::{DevServer, DevServerOptions};
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// // No login is pending yet.
    /// assert_eq!(server.approve_mcp_logins(Some("user-1"), None).await, 0);
    /// # Ok(()) }
    /// ```
    pub async fn approve_mcp_logins(
        &self,
        user_id: Option<&str>,
        server_url: Option<&str>,
    ) -> usize {
        let approved = self
            .app
            .store
            .lock()
            .await
            .mcp
            .approve_matching(user_id, server_url);
        self.app.touched();
        approved
    }

    /// Adds an agent (a JSON object) or a new version of one, as `POST /_dev/agents` would.
    pub async fn upsert_agent(&self, agent: Value) -> Result<Agent> {
        let agent = agent_from_json("agent", agent, &self.app.org)?;
        self.app.store.lock().await.agents.upsert(agent.clone());
        self.app.changed();
        Ok(agent)
    }

    /// Replaces the faults, as `POST /_dev/faults` would.
    pub async fn set_faults(&self, faults: Faults) -> Result<()> {
        faults.checked()?;
        crate::faults::apply(&self.app, &faults).await;
        Ok(())
    }

    /// Replaces the scripted LLM's script of `agent_id` (`None`: the default script), as
    /// `POST /_dev/llm/scripts` would. An agent given no turns loses its script and is
    /// answered from the default one.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
    /// use serde_json::json;
    /// use xpander_devserver::{DevServer, DevServerOptions, LlmTurn};
    ///
    /// let server = DevServer::start(DevServerOptions::default()).await?;
    /// server
    ///     .set_llm_script(None, vec![
    ///         LlmTurn::call("weather_lookup", json!({"city": "Oslo"})),
    ///         LlmTurn::answer("Sunny."),
    ///     ])
    ///     .await?;
    /// // Point a client at `{base_url}/_dev/llm/openai/v1` (or `/_dev/llm/anthropic`).
    /// assert!(server.set_llm_script(Some("x"), vec![LlmTurn::fail(200, "no")]).await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn set_llm_script(&self, agent_id: Option<&str>, turns: Vec<LlmTurn>) -> Result<()> {
        let scripts = match agent_id {
            Some(id) => LlmScripts::new().agent(id, turns),
            None => LlmScripts::new().default_script(turns),
        };
        self.set_llm_scripts(scripts).await
    }

    /// Replaces the scripted LLM's scripts that `scripts` gives, as `POST /_dev/llm/scripts`
    /// would.
    pub async fn set_llm_scripts(&self, scripts: LlmScripts) -> Result<()> {
        crate::llm::set_scripts(&self.app, scripts)
            .await
            .map_err(Error::LlmScript)
    }

    /// The local tools an agent's workers last synced (`PATCH /agents/{id}/sync_local_tools`).
    pub async fn synced_local_tools(&self, agent_id: &str) -> Vec<Value> {
        let store = self.app.store.lock().await;
        store.local_tools.get(agent_id).cloned().unwrap_or_default()
    }

    /// Every request the scripted LLM got, oldest first (`GET /_dev/llm/requests`).
    pub async fn llm_requests(&self) -> Vec<LlmRequestRecord> {
        let state = self.app.llm.lock().await;
        state.log.records().cloned().collect()
    }

    /// Waits until the task satisfies `done`, up to `timeout`; the task then, else `None`.
    pub async fn wait_for_task(
        &self,
        id: &str,
        timeout: Duration,
        done: impl Fn(&Task) -> bool,
    ) -> Option<Task> {
        self.wait_for(timeout, |store| {
            store
                .tasks
                .get(id)
                .map(|t| &t.task)
                .filter(|t| done(t))
                .cloned()
        })
        .await
    }

    /// Waits until every task satisfies `done` (and there is at least `count`), up to `timeout`.
    pub async fn wait_for_tasks(
        &self,
        count: usize,
        timeout: Duration,
        done: impl Fn(&TaskInfo) -> bool,
    ) -> Option<Vec<TaskInfo>> {
        self.wait_for(timeout, |store| {
            let all: Vec<&TaskInfo> = store.tasks_in_order().collect();
            (all.len() >= count && all.iter().all(|t| done(t)))
                .then(|| all.into_iter().cloned().collect())
        })
        .await
    }

    /// Waits until the workers satisfy `done`, up to `timeout`.
    pub async fn wait_for_workers(
        &self,
        timeout: Duration,
        done: impl Fn(&[WorkerInfo]) -> bool,
    ) -> Option<Vec<WorkerInfo>> {
        self.wait_for(timeout, |store| {
            let workers = store.worker_infos();
            done(&workers).then_some(workers)
        })
        .await
    }

    async fn wait_for<T>(
        &self,
        timeout: Duration,
        check: impl Fn(&Store) -> Option<T>,
    ) -> Option<T> {
        let mut changes = self.app.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&*self.app.store.lock().await) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return check(&*self.app.store.lock().await);
            }
        }
    }

    /// Stops serving: closes the worker streams, lets open requests finish (a few seconds at
    /// most), and saves the state file.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
        if let Some(persister) = self.persister.take() {
            let _ = persister.await;
        }
        tracing::info!(base_url = %self.app.base_url, "xpander-devserver stopped");
    }
}

impl Drop for DevServerHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
