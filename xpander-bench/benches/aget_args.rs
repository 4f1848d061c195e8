//! `Backend::aget_args` on a cached agent (issue 7's target: at most 50 µs a call), and
//! `Backend::aget_agent`, the runnable agent built from those args (issue 17's: 100 µs).
//!
//! ```text
//! cargo bench --bench aget_args
//! ```
//!
//! The agent is loaded once from an in-process devserver and then served from the Backend's
//! agent cache, so each measured call is the resolution itself: no HTTP. Measured with and
//! without a task (a task's user, output format and tokens shape the args), and for an agent
//! given locally (no platform at all).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions};
use xpander_runtime::model::{Agent, User, decode_value};
use xpander_runtime::{Backend, Task};

const AGENT_ID: &str = "bench-agent";

/// An ordinary agent: instructions, a tool, an LLM header, Agno settings.
fn agent_json() -> Value {
    json!({
        "id": AGENT_ID,
        "organization_id": "local-org",
        "name": "Bench Agent",
        "unique_name": "bench-agent",
        "framework": "agno",
        "model_provider": "openai",
        "model_name": "gpt-4.1",
        "created_at": "2026-01-01T00:00:00Z",
        "instructions": {"role": ["Be helpful"], "goal": ["Answer"], "general": "A bench agent."},
        "llm_extra_headers": {"x-agent": "agent-header-secret"},
        "agno_settings": {"session_storage": false},
        "tools": [{
            "id": "lookup-order", "name": "Lookup order", "method": "POST",
            "path": "/tools/lookup-order", "description": "Looks an order up.",
            "parameters": {"type": "object", "properties": {"body_params": {"type": "object"}}},
        }],
    })
}

fn task() -> Task {
    let mut task = Task::from_prompt("What is the status of order 42?");
    task.agent_id = AGENT_ID.into();
    task.input.user = Some(User {
        id: Some("u1".into()),
        email: "u@example.com".into(),
        ..User::default()
    });
    task
}

/// A devserver with the agent, and a Backend that has loaded it once (kept for the whole run).
fn platform(runtime: &Runtime) -> (DevServerHandle, Backend) {
    runtime.block_on(async {
        let server = DevServer::start(DevServerOptions::default().agent(agent_json()))
            .await
            .expect("devserver");
        let config = server
            .configuration()
            .agent_id(AGENT_ID)
            .build()
            .expect("configuration");
        let backend = Backend::builder()
            .configuration(config)
            .agent_cache_ttl(Duration::from_secs(24 * 3600))
            .build();
        backend.aget_args().await.expect("the agent loads");
        (server, backend)
    })
}

fn aget_args(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio runtime");
    let (server, backend) = platform(&runtime);
    let task = task();
    let local_agent: Agent = decode_value("agent", agent_json()).expect("agent");
    let local = Backend::builder().local_agent(local_agent).build();

    let mut group = c.benchmark_group("aget_args");
    group.bench_function("cached agent", |b| {
        b.to_async(&runtime)
            .iter(|| async { backend.aget_args().await.expect("args") });
    });
    group.bench_function("cached agent, with a task", |b| {
        b.to_async(&runtime)
            .iter(|| async { backend.aget_args().task(&task).await.expect("args") });
    });
    group.bench_function("local agent, with a task", |b| {
        b.to_async(&runtime)
            .iter(|| async { local.aget_args().task(&task).await.expect("args") });
    });
    group.finish();

    // Issue 17's target: the runnable agent (the args, then the rig model and its client)
    // from a cached agent in at most 100 µs.
    c.bench_function("aget_agent/cached agent, with a task", |b| {
        b.to_async(&runtime)
            .iter(|| async { backend.aget_agent().task(&task).await.expect("agent") });
    });

    // The measured calls were resolutions only: the agent was fetched once, at warm-up.
    let fetched = runtime
        .block_on(server.requests())
        .iter()
        .filter(|r| r.path == format!("/agents/{AGENT_ID}"))
        .count();
    assert_eq!(fetched, 1, "the agent came from the cache");
}

criterion_group!(benches, aget_args);
criterion_main!(benches);
