//! The worker channel: the SSE stream `GET /{org}/events/{agent_id}[/]?environment=` and the
//! POST-back `POST /{org}/events/{worker_id}?type=worker&agent_id=`. The decisions (who gets
//! which task, who is alive) are in [`crate::dispatch`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::stream::{self, Stream, StreamExt};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::json;
use tokio::sync::{mpsc, watch};
use xpander_runtime::model::{
    EnvironmentConflict, WorkerEnvironment, WorkerEventType, WorkerMessage,
};

use crate::dispatch::{self, Connection, Hello};
use crate::error::ApiError;
use crate::http::{P, decode_object, ok};
use crate::query::{Q, flag, text};
use crate::reqlog::Note;
use crate::sse;
use crate::state::{App, Outbound, WorkerState};

/// The query of [`connect`].
#[derive(Deserialize)]
pub(super) struct ConnectQuery {
    /// `local` (the default) or `xpander`.
    #[serde(default, deserialize_with = "environment")]
    environment: Option<WorkerEnvironment>,
    /// Whether deliveries may carry the LLM gateway route.
    #[serde(default, deserialize_with = "flag")]
    supports_llm_gateway: Option<bool>,
}

/// `local` or `xpander`, with or without the trailing `/` the older client puts on the value
/// (`local/`).
fn environment<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WorkerEnvironment>, D::Error> {
    let Some(value) = text(d)? else {
        return Ok(None);
    };
    match WorkerEnvironment::from(value.trim_end_matches('/')) {
        WorkerEnvironment::Other(other) => Err(D::Error::custom(format!(
            "{other:?} is not local or xpander"
        ))),
        known => Ok(Some(known)),
    }
}

/// Opens a worker's stream: `worker-registration` first, then one `agent-execution` per task,
/// with keep-alive comments in between. Accepts `environment=local|xpander`, with the older
/// client's trailing `/` on the value, and `supports_llm_gateway=true`. Every event carries an
/// `id:`; the `Last-Event-ID` the worker sent is kept in its [`WorkerInfo`].
///
/// [`WorkerInfo`]: crate::WorkerInfo
pub(super) async fn connect(
    State(app): State<Arc<App>>,
    P((org, agent_id)): P<(String, String)>,
    headers: HeaderMap,
    // Read after the organization check: an unknown organization is a 404 whatever the query.
    query: Result<Q<ConnectQuery>, ApiError>,
) -> Result<Response, ApiError> {
    if org != app.org {
        return Err(ApiError::not_found(format!(
            "organization {org:?} not found (this devserver serves {:?})",
            app.org
        )));
    }
    let Q(query) = query?;
    let environment = query.environment.unwrap_or(WorkerEnvironment::Local);
    let hello = Hello {
        agent_id: &agent_id,
        environment: environment.clone(),
        supports_llm_gateway: query.supports_llm_gateway.unwrap_or(false),
        // Kept as sent, odd bytes and all: tests look at what a reconnecting reader resent.
        last_event_id: headers
            .get("last-event-id")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    };
    let connected = {
        let mut store = app.store.lock().await;
        if !store.agents.contains(&agent_id) {
            return Err(ApiError::unknown_agent(&agent_id));
        }
        dispatch::connect(
            &mut store,
            &app.org,
            hello,
            app.settings.llm_gateway.as_ref(),
        )
        .map_err(|message| (store.take_event_id(), message))
    };
    app.changed();
    let frames = match connected {
        Ok(connection) => worker_stream(app.clone(), connection).boxed(),
        Err((id, message)) => {
            tracing::warn!(
                agent_id,
                environment = environment.as_str(),
                "environment conflict"
            );
            let data =
                serde_json::to_string(&EnvironmentConflict { error: message }).unwrap_or_default();
            let conflict = WorkerEventType::WorkerEnvironmentConflict.as_str();
            stream::iter([sse::event(id, conflict, &data)]).boxed()
        }
    };
    Ok(sse::response(
        frames,
        app.settings.keep_alive,
        app.settings.sse_bom,
    ))
}

/// The frames of one worker's stream. It ends when the server closes it (fault, lost worker,
/// shutdown); when it ends or the client goes away, the worker is gone and its pending tasks
/// are dispatched again.
fn worker_stream(app: Arc<App>, connection: Connection) -> impl Stream<Item = Bytes> + Send {
    let open = OpenStream {
        shutdown: app.shutdown.clone(),
        rx: connection.rx,
        _guard: GoneGuard {
            app,
            worker_id: connection.worker_id,
        },
    };
    stream::unfold(open, |mut open| async move {
        let next = tokio::select! {
            message = open.rx.recv() => message,
            _ = open.shutdown.wait_for(|down| *down) => None,
        };
        let frame = match next? {
            Outbound::Event { id, event, data } => sse::event(id, event.as_str(), &data),
            Outbound::Raw(bytes) => bytes,
            Outbound::Close => return None,
        };
        Some((frame, open))
    })
    .fuse()
}

struct OpenStream {
    shutdown: watch::Receiver<bool>,
    rx: mpsc::UnboundedReceiver<Outbound>,
    _guard: GoneGuard,
}

/// Marks the worker gone when its stream is dropped (ended, or the client disconnected).
struct GoneGuard {
    app: Arc<App>,
    worker_id: String,
}

impl Drop for GoneGuard {
    fn drop(&mut self) {
        let app = self.app.clone();
        let worker_id = std::mem::take(&mut self.worker_id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let gone = {
                    let mut store = app.store.lock().await;
                    let gone =
                        dispatch::worker_gone(&mut store, &worker_id, WorkerState::Disconnected);
                    if gone {
                        dispatch::dispatch(&mut store, app.settings.llm_gateway.as_ref());
                    }
                    gone
                };
                if gone {
                    app.changed();
                }
            });
        }
    }
}

/// The query of [`post_back`].
#[derive(Deserialize)]
pub(super) struct PostBackQuery {
    /// `worker`, when given.
    #[serde(default, rename = "type", deserialize_with = "text")]
    kind: Option<String>,
    /// The agent the worker serves, checked when given.
    #[serde(default, deserialize_with = "text")]
    agent_id: Option<String>,
}

/// A worker's message: `{id, event, data}` with `worker-heartbeat` (data: its local time),
/// `worker-capacity-update` (`{"is_busy": bool}`) or `worker-finished` (`{}`).
pub(super) async fn post_back(
    State(app): State<Arc<App>>,
    P((org, worker_id)): P<(String, String)>,
    Q(query): Q<PostBackQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if org != app.org {
        return Err(ApiError::not_found(format!(
            "organization {org:?} not found"
        )));
    }
    if let Some(kind) = query.kind
        && kind != "worker"
    {
        return Err(ApiError::bad_request(format!(
            "query type: {kind:?} is not worker"
        )));
    }
    let message: WorkerMessage = decode_object("worker message", &body)?;
    let late = app
        .route_faults
        .lock()
        .await
        .worker_message_delay(message.event.as_str());
    tokio::time::sleep(late).await;
    {
        let mut store = app.store.lock().await;
        dispatch::worker_message(
            &mut store,
            &worker_id,
            query.agent_id.as_deref(),
            &message,
            app.settings.llm_gateway.as_ref(),
        )?;
    }
    // A capacity update or a finished worker may dispatch or redispatch tasks.
    if message.event == WorkerEventType::WorkerHeartbeat {
        app.touched();
    } else {
        app.changed();
    }
    let mut response = ok(&json!({"received": message.event.as_str()}));
    response
        .extensions_mut()
        .insert(Note(message.event.as_str().to_owned()));
    Ok(response)
}
