//! A relay between the worker and the devserver, for what the devserver does not do on its
//! own: it asks for the LLM-gateway route on the worker's stream (`supports_llm_gateway=true`,
//! which the worker does not send), puts one extra event at the start of the first stream,
//! answers the first task updates with error bodies of its choosing, and counts the requests
//! whose body holds a given string.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;

/// An answer the relay gives instead of the devserver's.
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

#[derive(Default)]
struct Plan {
    /// Put at the start of the first worker stream.
    first_event: Option<String>,
    /// Answers to the first `PATCH .../update` requests, in order.
    updates: VecDeque<Canned>,
    /// Updates whose path holds one of these are always relayed.
    spared: Vec<String>,
}

struct Shared {
    upstream: String,
    client: reqwest::Client,
    plan: Mutex<Plan>,
    watched: String,
    seen_in_bodies: AtomicUsize,
    canned_sent: AtomicUsize,
}

/// The running relay.
pub struct Relay {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl Relay {
    /// Starts relaying to `upstream`; request bodies holding `watched` are counted.
    pub async fn start(upstream: &str, watched: &str) -> Relay {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            plan: Mutex::default(),
            watched: watched.to_owned(),
            seen_in_bodies: AtomicUsize::new(0),
            canned_sent: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Relay { base_url, shared }
    }

    /// Sends `event` (an `agent-execution` whose `data` is `data`) before anything else on the
    /// first worker stream.
    pub fn first_event(&self, data: &str) {
        self.shared.plan.lock().unwrap().first_event =
            Some(format!("event: agent-execution\ndata: {data}\n\n"));
    }

    /// Answers the next task update with `canned`.
    pub fn answer_an_update(&self, canned: Canned) {
        self.shared.plan.lock().unwrap().updates.push_back(canned);
    }

    /// Never answers an update whose path holds `part` itself.
    pub fn spare(&self, part: &str) {
        self.shared
            .plan
            .lock()
            .unwrap()
            .spared
            .push(part.to_owned());
    }

    /// How many request bodies held the watched string.
    pub fn seen_in_bodies(&self) -> usize {
        self.shared.seen_in_bodies.load(Ordering::Relaxed)
    }

    /// How many canned answers were sent.
    pub fn canned_sent(&self) -> usize {
        self.shared.canned_sent.load(Ordering::Relaxed)
    }
}

/// Headers that describe one hop's connection, not the message.
const HOP: [HeaderName; 4] = [
    header::HOST,
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::CONTENT_LENGTH,
];

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    if !shared.watched.is_empty()
        && String::from_utf8_lossy(&body).contains(shared.watched.as_str())
    {
        shared.seen_in_bodies.fetch_add(1, Ordering::Relaxed);
    }
    let path = parts.uri.path();
    if parts.method == Method::PATCH && path.ends_with("/update") {
        let canned = {
            let mut plan = shared.plan.lock().unwrap();
            let spared = plan.spared.iter().any(|part| path.contains(part.as_str()));
            if spared {
                None
            } else {
                plan.updates.pop_front()
            }
        };
        if let Some(canned) = canned {
            shared.canned_sent.fetch_add(1, Ordering::Relaxed);
            return Response::builder()
                .status(canned.status)
                .header(header::CONTENT_TYPE, canned.content_type)
                .body(Body::from(canned.body))
                .unwrap();
        }
    }
    let is_stream = parts.method == Method::GET && path.contains("/events/");
    let mut url = format!(
        "{}{}",
        shared.upstream,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    if is_stream {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("supports_llm_gateway=true");
    }
    let mut upstream = shared.client.request(parts.method.clone(), url).body(body);
    for (name, value) in &parts.headers {
        if !HOP.contains(name) {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(e) => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::from(format!("relay: {e}")))
                .unwrap();
        }
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !HOP.contains(name) {
            response = response.header(name, value);
        }
    }
    let first = is_stream
        .then(|| shared.plan.lock().unwrap().first_event.take())
        .flatten();
    let prefix = futures_util::stream::iter(first.map(|e| Ok::<_, reqwest::Error>(Bytes::from(e))));
    response
        .body(Body::from_stream(prefix.chain(answer.bytes_stream())))
        .unwrap()
}
