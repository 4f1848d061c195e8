//! 1,000 tasks (10,000 with `XPANDER_CHAOS_FULL=1`) with the devserver's faults on: every
//! 500th SSE event closes the stream, 5% of task updates are answered 503, 1% of deliveries
//! are preceded by a malformed one. Every task must end, each handler run exactly once, the
//! worker must keep running, and no secret may appear in the TRACE logs. The worker reaches the
//! devserver through a [relay](crate::relay) that also brings the LLM-gateway route on every
//! delivery, one delivery that does not decode, and error bodies with secrets.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use xpander_devserver::{DevServer, DevServerOptions, ErrorFault, Faults};
use xpander_runtime::model::CreateTaskRequest;
use xpander_runtime::{AgentExecutionStatus, Agents, Events, Handler, Task};

use crate::probe::Runs;
use crate::relay::Relay;
use crate::{all_terminal, logs, secrets};

fn size() -> (usize, Duration) {
    if std::env::var("XPANDER_CHAOS_FULL").as_deref() == Ok("1") {
        (10_000, Duration::from_secs(900))
    } else {
        (1_000, Duration::from_secs(120))
    }
}

fn faults() -> Faults {
    Faults {
        seed: 42,
        drop_sse_every: Some(500),
        malformed_every: Some(100),
        errors: vec![ErrorFault {
            pattern: "/agent-execution/*/update".into(),
            method: Some("PATCH".into()),
            status: 503,
            rate: 0.05,
        }],
        ..Faults::default()
    }
}

/// Counts each run and each task that came with the gateway route; logs the tasks that carry
/// tokens, and now and then the agent with its LLM key, at TRACE (their `Debug` must redact).
fn handler(runs: Arc<Runs>, routed: Arc<AtomicUsize>, agents: Agents, agent_id: String) -> Handler {
    Handler::new(move |mut task: Task| {
        let (runs, routed) = (runs.clone(), routed.clone());
        let (agents, agent_id) = (agents.clone(), agent_id.clone());
        async move {
            let seen = runs.record(&task.id);
            if task
                .llm_gateway()
                .is_some_and(|route| route.token.expose() == secrets::GATEWAY_TOKEN)
            {
                routed.fetch_add(1, Ordering::Relaxed);
            }
            if secrets::carries_tokens(&task) {
                tracing::trace!(?task, "chaos handler: a task with tokens");
            }
            if seen % 50 == 1 {
                let agent = agents.aget(&agent_id).await;
                tracing::trace!(?agent, "chaos handler: the agent");
            }
            task.result = Some(format!("done: {}", task.input.text));
            task
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn under_faults_every_task_ends_once_and_no_secret_is_logged() {
    logs::capture();
    let (count, limit) = size();
    let started = Instant::now();
    let options = DevServerOptions {
        api_key: Some(secrets::API_KEY.into()),
        agents: vec![secrets::agent(), secrets::parked_agent()],
        llm_gateway: Some(secrets::gateway()),
        request_log_capacity: count * 8,
        faults: faults(),
        ..DevServerOptions::default()
    };
    let ds = DevServer::start(options).await.unwrap();
    let parked = ds
        .create_task("chaos-parked", CreateTaskRequest::new("parked"))
        .await
        .unwrap()
        .id;
    let relay = Relay::start(ds.base_url(), secrets::GATEWAY_TOKEN).await;
    relay.first_event(&secrets::undecodable_delivery(
        &parked,
        "chaos-parked",
        ds.org(),
    ));
    relay.spare(&parked);
    relay.spare("/MALFORMED-");
    for canned in secrets::error_bodies() {
        relay.answer_an_update(canned);
    }
    let config = ds
        .configuration()
        .base_url(&relay.base_url)
        .agent_id(ds.agent_id())
        .build()
        .unwrap();
    let runs = Arc::new(Runs::default());
    let routed = Arc::new(AtomicUsize::new(0));
    let worker = Events::new()
        .invoke_server(false)
        .configuration(config.clone())
        .max_sync_workers(16)
        .register_agent_worker(
            ds.agent_id(),
            handler(
                runs.clone(),
                routed.clone(),
                Agents::new(config),
                ds.agent_id().to_owned(),
            ),
        )
        .spawn()
        .unwrap();

    let mut created = Vec::with_capacity(count);
    for i in 0..count {
        created.push(
            ds.create_task(ds.agent_id(), secrets::task(i))
                .await
                .unwrap()
                .id,
        );
    }
    // The created tasks, and the parked one the worker reports as unreadable.
    all_terminal(&ds, &worker, count + 1, limit).await;

    let not_completed = ds
        .count_tasks(|t| {
            t.task.agent_id == ds.agent_id() && t.task.status != AgentExecutionStatus::Completed
        })
        .await;
    assert_eq!(not_completed, 0, "every task completed");
    assert_eq!(runs.not_once(&created), [], "each handler ran exactly once");
    assert!(!worker.is_finished(), "the worker never exited");

    // The gateway route reached every run, and never went back to the platform.
    assert_eq!(
        routed.load(Ordering::Relaxed),
        count,
        "every task had the route"
    );
    assert_eq!(
        relay.seen_in_bodies(),
        0,
        "no request carried the gateway token"
    );
    // The delivery that did not decode was reported without its token.
    let parked = ds.task(&parked).await.unwrap();
    assert_eq!(parked.status, AgentExecutionStatus::Error);
    let result = parked.result.unwrap_or_default();
    assert!(
        result.contains("user_tokens: invalid type: string, expected a map"),
        "{result}"
    );
    assert!(!result.contains(secrets::DECODE_SECRET), "{result}");
    assert_eq!(relay.canned_sent(), 2, "both error bodies were answered");

    // The faults did fire.
    let requests = ds.requests().await;
    let rejected = requests.iter().filter(|r| r.status == 503).count();
    let connections = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/events/"))
        .count();
    let malformed = requests
        .iter()
        .filter(|r| r.path.starts_with("/agent-execution/MALFORMED-"))
        .count();
    assert!(rejected > 0, "503s were injected");
    assert!(
        connections >= 2,
        "the stream was dropped ({connections} connections)"
    );
    assert!(malformed > 0, "malformed deliveries were reported");
    worker.stop().await.unwrap();

    let text = logs::text();
    assert!(
        text.contains("chaos handler: a task with tokens") && text.contains("TRACE"),
        "TRACE lines were captured"
    );
    for shown in [
        "chaos: update refused",
        "chaos: upstream said Authorization: [REDACTED]",
    ] {
        assert!(
            text.contains(shown),
            "the error body was logged, redacted: {shown}"
        );
    }
    for (what, secret) in secrets::ALL {
        let leaks = text.matches(secret).count();
        assert_eq!(leaks, 0, "{what} appears {leaks} times in the logs");
    }
    println!(
        "{count} tasks under faults in {:.1?}: {rejected} injected 503s, {connections} connections, \
         {malformed} malformed reports, {} log bytes",
        started.elapsed(),
        text.len()
    );
}
