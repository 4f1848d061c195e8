//! The worker's `/invoke` server, as the Python SDK 2.0.537 serves it: `GET /health`, and
//! `POST /invoke` with a task, run by the agent's handler exactly as a delivered task is
//! (executing, the handler with its panics caught, one final save, metrics; the same slots)
//! and answered with the finished task as JSON, or a streaming handler's events as
//! `text/event-stream` ending with `task_finished`. A caller's `x-api-key` must be allowed
//! for the agent by the platform.

mod allowance;
mod answer;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, error, info, warn};

use super::worker::{AgentWorker, Intake};
use crate::model::{AgentExecutionStatus, Task, TaskUpdateEvent, TaskUpdateEventType, decode};
use crate::task_stream::Outlet;
use allowance::{Allowances, Refusal};
use answer::Body;

/// The largest task body taken.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long a caller may take to send its request's headers, and then its body.
const READ_LIMIT: Duration = Duration::from_secs(30);
/// A streaming handler's events waiting for a slow caller; past this the handler waits.
const EVENTS_IN_FLIGHT: usize = 64;

/// The `/invoke` server, bound and not yet serving.
pub(crate) struct InvokeServer {
    listener: TcpListener,
    address: SocketAddr,
}

impl InvokeServer {
    /// Binds `address`. A failure (the port taken, say) is logged and the worker serves
    /// without the server, as the Python SDK does.
    pub(crate) fn bind(address: SocketAddr) -> Option<Self> {
        let bound = std::net::TcpListener::bind(address).and_then(|listener| {
            listener.set_nonblocking(true)?;
            let address = listener.local_addr()?;
            Ok((TcpListener::from_std(listener)?, address))
        });
        match bound {
            Ok((listener, address)) => {
                info!(%address, "serving /invoke and /health");
                Some(Self { listener, address })
            }
            Err(e) => {
                error!(
                    %address, error = %e,
                    "could not start the /invoke server; the worker serves without it. \
                     Set XPANDER_STREAMING_PORT to a free port (0 picks one), or turn it off \
                     with XPANDER_STREAMING_SERVER=off"
                );
                None
            }
        }
    }

    /// Where it listens.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves `agents` until `closed`; from `stop` on, new calls are told the worker is
    /// shutting down. Then lets the open answers finish (their tasks drain with the worker's),
    /// or stops waiting at `abandon`.
    pub(crate) async fn serve(
        self,
        agents: Vec<Arc<AgentWorker>>,
        stop: CancellationToken,
        closed: CancellationToken,
        abandon: CancellationToken,
    ) {
        let invoke = Arc::new(Invoke {
            agents,
            allowances: Allowances::default(),
            stop: stop.clone(),
        });
        let connections = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = closed.cancelled() => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    warn!(error = %e, "could not accept an /invoke connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            connections.spawn(connection(stream, invoke.clone(), stop.clone()));
        }
        drop(self.listener);
        connections.close();
        tokio::select! {
            () = connections.wait() => {}
            () = abandon.cancelled() => {}
        }
    }
}

/// Serves one connection; at `stop` it closes once its answer in progress is complete. One
/// opened while the worker drains gets its one answer (503) and is closed.
async fn connection(stream: tokio::net::TcpStream, invoke: Arc<Invoke>, stop: CancellationToken) {
    let draining = stop.is_cancelled();
    let service = service_fn(move |request| {
        let invoke = invoke.clone();
        async move { Ok::<_, Infallible>(invoke.answer(request).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(READ_LIMIT)
        .keep_alive(!draining);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let served = if draining {
        connection.await
    } else {
        tokio::select! {
        served = connection.as_mut() => served,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
        }
    };
    if let Err(e) = served {
        debug!(error = %e, "an /invoke connection ended with an error");
    }
}

/// What answering needs.
struct Invoke {
    agents: Vec<Arc<AgentWorker>>,
    allowances: Allowances,
    stop: CancellationToken,
}

impl Invoke {
    async fn answer(&self, request: Request<Incoming>) -> Response<Body> {
        match (request.method(), request.uri().path()) {
            (&Method::GET, "/health") => answer::json(StatusCode::OK, &json!({"status": "ok"})),
            (&Method::POST, "/invoke") => self.invoke(request).await,
            (_, "/health" | "/invoke") => {
                answer::detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
            }
            _ => answer::detail(StatusCode::NOT_FOUND, "Not Found"),
        }
    }

    /// Checks the caller and the task, then runs it; every refusal says why.
    async fn invoke(&self, request: Request<Incoming>) -> Response<Body> {
        if self.stop.is_cancelled() {
            return shutting_down();
        }
        let api_key = match request.headers().get("x-api-key").map(|v| v.to_str()) {
            None => return answer::detail(StatusCode::UNAUTHORIZED, "Missing x-api-key header"),
            Some(Ok(key)) if !key.trim().is_empty() => key.trim().to_owned(),
            Some(_) => {
                return answer::detail(
                    StatusCode::UNAUTHORIZED,
                    "the x-api-key header is empty or not valid text",
                );
            }
        };
        let body = match read_body(request).await {
            Ok(body) => body,
            Err(refusal) => return refusal,
        };
        let mut task: Task = match decode("the /invoke body", &body) {
            Ok(task) => task,
            Err(e) => {
                return answer::detail(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid Task payload: {e}"),
                );
            }
        };
        let Some(worker) = self.agents.iter().find(|w| w.agent_id == task.agent_id) else {
            let served: Vec<&str> = self.agents.iter().map(|w| w.agent_id.as_str()).collect();
            return answer::detail(
                StatusCode::NOT_FOUND,
                format!(
                    "this worker serves agent {}, not `{}`",
                    served.join(", "),
                    task.agent_id
                ),
            );
        };
        let allowed = self
            .allowances
            .check(worker.platform(), &api_key, &worker.agent_id)
            .await;
        match allowed {
            Ok(()) => {}
            Err(Refusal::NotAllowed) => {
                return answer::detail(StatusCode::FORBIDDEN, "API key not allowed for this agent");
            }
            Err(Refusal::Unchecked(why)) => {
                return answer::detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the API key could not be checked ({why}); try again"),
                );
            }
        }
        let Some(intake) = worker.intake().cloned() else {
            return answer::detail(
                StatusCode::SERVICE_UNAVAILABLE,
                "the worker is starting; try again shortly",
            );
        };
        if let Some(extension) = task.payload_extension.as_mut() {
            extension.drop_llm_gateway();
        }
        let worker_id = worker.worker_id().unwrap_or_default();
        self.run(intake, task, worker_id).await
    }

    /// Runs the task on the agent's slots and tracker: a caller hanging up does not stop it,
    /// and the worker's shutdown waits for it.
    async fn run(&self, intake: Intake, task: Task, worker_id: String) -> Response<Body> {
        let slot = tokio::select! {
            slot = intake.slots.acquire() => slot,
            () = self.stop.cancelled() => return shutting_down(),
        };
        info!(task_id = %task.id, agent_id = %task.agent_id, "task received on /invoke");
        let runner = intake.runner.clone();
        if runner.handler.is_streaming() {
            let (events, answer) = mpsc::channel(EVENTS_IN_FLIGHT);
            intake.tracker.spawn(async move {
                let outlet = Outlet::Channel(events.clone());
                let done = runner.run(task, &worker_id, Some(slot), outlet).await;
                let _ = events.send(finished(&done)).await;
            });
            return answer::events(answer);
        }
        let outlet = runner.push_to_platform();
        let running = intake
            .tracker
            .spawn(async move { runner.run(task, &worker_id, Some(slot), outlet).await });
        match running.await {
            Ok(done) if done.status == AgentExecutionStatus::Error => {
                let error = done.result.unwrap_or_default();
                answer::json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &json!({ "error": error }),
                )
            }
            Ok(done) => answer::json(StatusCode::OK, &done),
            Err(e) => answer::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({ "error": format!("the task's run failed: {e}") }),
            ),
        }
    }
}

/// The request's body, within [`MAX_BODY`] and [`READ_LIMIT`].
async fn read_body(request: Request<Incoming>) -> Result<Bytes, Response<Body>> {
    let reading = Limited::new(request.into_body(), MAX_BODY).collect();
    match tokio::time::timeout(READ_LIMIT, reading).await {
        Ok(Ok(body)) => Ok(body.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(answer::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the task is larger than {} MiB", MAX_BODY >> 20),
        )),
        Ok(Err(e)) => Err(answer::detail(
            StatusCode::BAD_REQUEST,
            format!("the body could not be read: {e}"),
        )),
        Err(_) => Err(answer::detail(
            StatusCode::REQUEST_TIMEOUT,
            "the body took too long to arrive",
        )),
    }
}

fn shutting_down() -> Response<Body> {
    answer::detail(
        StatusCode::SERVICE_UNAVAILABLE,
        "the worker is shutting down; send the task to another worker",
    )
}

/// The last event of a streaming answer: the task as it was saved.
fn finished(done: &Task) -> TaskUpdateEvent {
    let task = serde_json::to_value(done).unwrap_or_default();
    TaskUpdateEvent::new(
        TaskUpdateEventType::TaskFinished,
        &done.id,
        &done.organization_id,
        task,
    )
}
