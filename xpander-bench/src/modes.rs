//! The scenarios beyond one worker on one agent: scale-out (several worker processes, one of
//! them killed mid-run), many agents in one process, and a soak. Each prints a Markdown
//! section with its figures and the targets.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, WorkerState};

use crate::figures::RunFigures;
use crate::load::{self, Rest};
use crate::scenario::{Impl, Work};
use crate::worker_process::{Launch, WorkerProcess};

/// How long a scenario's waits may take.
const LIMIT: Duration = Duration::from_secs(600);

/// Waits until `count` workers are connected; the time it took.
async fn connected(server: &DevServerHandle, count: usize) -> Result<Duration, String> {
    let started = Instant::now();
    server
        .wait_for_workers(LIMIT, |workers| {
            workers
                .iter()
                .filter(|w| w.state == WorkerState::Connected)
                .count()
                >= count
        })
        .await
        .ok_or_else(|| format!("{count} workers did not all connect within {LIMIT:?}"))?;
    Ok(started.elapsed())
}

/// Creates `tasks` tasks (spread over `agents`) and waits for them all to end; the figures.
async fn run(
    server: &DevServerHandle,
    agents: &[String],
    work: Work,
    tasks: usize,
    slots: usize,
) -> Result<RunFigures, String> {
    let rest = Rest::new(server)?;
    let per_agent = tasks.div_ceil(agents.len());
    for agent in agents {
        load::create_tasks(&rest, agent, &work.prompt(), per_agent, 16).await?;
    }
    load::wait_terminal(server, per_agent * agents.len(), LIMIT, || Ok(())).await?;
    RunFigures::from_tasks(Impl::Rust, work, slots, &server.task_infos().await)
}

/// 1, 2, 4 ... workers on one agent, for `noop` (echo workers) and, given the agent worker,
/// `agent:0`: total tasks/s and how the devserver spread the tasks; then four echo workers, one
/// killed (SIGKILL) a quarter of the way through.
pub async fn scale_out(
    binary: &Path,
    agent_binary: Option<&Path>,
    counts: &[usize],
    tasks: usize,
) -> Result<String, String> {
    let mut out = String::from(
        "Scale-out (6 slots per worker):\n\n| handler | workers | tasks/s | tasks per worker |\n|---|---:|---:|---|\n",
    );
    let mut works = vec![(Work::Noop, binary)];
    if let Some(agent) = agent_binary {
        works.push((Work::Agent(Duration::ZERO), agent));
    }
    let mut verdicts = String::new();
    for (work, binary) in works {
        let mut single = None;
        for &count in counts {
            let server = DevServer::start(DevServerOptions::default())
                .await
                .map_err(|e| e.to_string())?;
            if let Work::Agent(llm_time) = work {
                crate::agent_setup::configure(&server, llm_time).await?;
            }
            let launch = Launch::Rust { binary, slots: 6 };
            let workers = (0..count)
                .map(|_| WorkerProcess::spawn(&launch, &server))
                .collect::<Result<Vec<_>, _>>()?;
            connected(&server, count).await?;
            let agent = vec![server.agent_id().to_owned()];
            let figures = run(&server, &agent, work, tasks, 6).await?;
            let spread: Vec<String> = server
                .workers()
                .await
                .iter()
                .map(|w| w.delivered.len().to_string())
                .collect();
            let _ = writeln!(
                out,
                "| {work} | {count} | {:.1} | {} |",
                figures.tasks_per_s,
                spread.join(", ")
            );
            if count == 1 {
                single = Some(figures.tasks_per_s);
            } else if count == 2
                && let Some(one) = single
            {
                let x = figures.tasks_per_s / one;
                let _ = writeln!(
                    verdicts,
                    "- {} {work}: 2 workers {x:.2}× one worker (target ≥ 1.6×, up to the devserver's ceiling)",
                    if x >= 1.6 { "**met**:" } else { "**MISSED**:" }
                );
            }
            for worker in workers {
                worker.stop().await;
            }
            server.shutdown().await;
        }
    }
    out.push('\n');
    out.push_str(&verdicts);
    out.push_str(&killed(binary, tasks).await?);
    Ok(out)
}

/// Four workers, one SIGKILLed mid-run: what becomes of every task.
async fn killed(binary: &Path, tasks: usize) -> Result<String, String> {
    let server = DevServer::start(DevServerOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let launch = Launch::Rust { binary, slots: 6 };
    let mut workers = (0..4)
        .map(|_| WorkerProcess::spawn(&launch, &server))
        .collect::<Result<Vec<_>, _>>()?;
    connected(&server, 4).await?;
    let rest = Rest::new(&server)?;
    // Slow tasks, so some are running when the worker dies.
    load::create_tasks(
        &rest,
        server.agent_id(),
        &Work::Sleep(Duration::from_millis(50)).prompt(),
        tasks,
        16,
    )
    .await?;
    while server.count_tasks(|t| t.task.status.is_terminal()).await < tasks / 4 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    workers[0].kill();
    let ended = settled(&server, tasks).await;
    let mut statuses = BTreeMap::new();
    for info in server.task_infos().await {
        *statuses
            .entry(info.task.status.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let redispatched = server.count_tasks(|t| t.delivered_to.len() > 1).await;
    for worker in workers.drain(1..) {
        worker.stop().await;
    }
    server.shutdown().await;
    Ok(format!(
        "\nOne of 4 workers killed (SIGKILL) after a quarter of {tasks} sleep:50 tasks: {}; statuses {}; {redispatched} tasks delivered again to another worker.\n",
        if ended == tasks {
            "every task ended".to_owned()
        } else {
            format!("{ended} of {tasks} tasks ended, the rest made no progress for 10 s")
        },
        json!(statuses)
    ))
}

/// Waits until `tasks` tasks are terminal, or the count stops moving for 10 s (the devserver
/// gives up on a lost worker after three missed heartbeats, 6 s); how many ended.
async fn settled(server: &DevServerHandle, tasks: usize) -> usize {
    let (mut last, mut since) = (0, Instant::now());
    loop {
        let ended = server.count_tasks(|t| t.task.status.is_terminal()).await;
        if ended >= tasks || since.elapsed() > Duration::from_secs(10) {
            return ended;
        }
        if ended != last {
            (last, since) = (ended, Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One process serving `agents` agents: start-to-all-registered, idle RSS, tasks/s spread over
/// all of them.
pub async fn many_agents(binary: &Path, agents: usize, tasks: usize) -> Result<String, String> {
    let ids: Vec<String> = (0..agents).map(|i| format!("agent-{i:03}")).collect();
    let mut options = DevServerOptions::default();
    for id in &ids {
        options = options
            .agent(json!({"id": id, "name": id, "agno_settings": {"session_storage": false}}));
    }
    let server = DevServer::start(options).await.map_err(|e| e.to_string())?;
    let joined = ids.join(",");
    let worker = WorkerProcess::spawn(
        &Launch::Many {
            binary,
            agent_ids: &joined,
        },
        &server,
    )?;
    let registered = connected(&server, agents).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kb = worker.memory_kb("VmRSS").unwrap_or_default();
    let figures = run(&server, &ids, Work::Noop, tasks, 6).await?;
    worker.stop().await;
    server.shutdown().await;
    let mark = |met: bool| if met { "**met**:" } else { "**MISSED**:" };
    Ok(format!(
        "Many agents: one process serving {agents} agents ({agents} SSE connections).\n\n\
         - {} all registered {:.0} ms after the spawn (target ≤ 1 s)\n\
         - {} idle RSS {:.1} MB (target ≤ 30 MB)\n\
         - {tasks} noop tasks over all agents: {:.1} tasks/s\n",
        mark(registered <= Duration::from_secs(1)),
        registered.as_secs_f64() * 1000.0,
        mark(idle_rss_kb <= 30 * 1024),
        idle_rss_kb as f64 / 1024.0,
        figures.tasks_per_s,
    ))
}

/// `tasks` noop tasks through one worker, RSS and open files sampled every 10 s.
pub async fn soak(binary: &Path, tasks: usize) -> Result<String, String> {
    // A bounded request log: a million tasks' requests would otherwise be kept.
    let options = DevServerOptions {
        request_log_capacity: 1000,
        ..DevServerOptions::default()
    };
    let server = DevServer::start(options).await.map_err(|e| e.to_string())?;
    let mut worker = WorkerProcess::spawn(&Launch::Rust { binary, slots: 6 }, &server)?;
    connected(&server, 1).await?;
    let rest = Rest::new(&server)?;
    let agent = server.agent_id().to_owned();
    let mut samples: Vec<(f64, u64, usize)> = Vec::new();
    let started = Instant::now();
    let mut last_sample = Instant::now() - Duration::from_secs(10);
    let batch = 1000;
    let mut created = 0;
    while created < tasks {
        let n = batch.min(tasks - created);
        load::create_tasks(&rest, &agent, "noop", n, 16).await?;
        created += n;
        // Counting scans every task the devserver holds: poll gently at a million.
        while server.count_tasks(|t| t.task.status.is_terminal()).await < created {
            if let Some(status) = worker.exited() {
                return Err(format!("the worker exited ({status}) during the soak"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if last_sample.elapsed() >= Duration::from_secs(10) {
            last_sample = Instant::now();
            let rss = worker.memory_kb("VmRSS").unwrap_or_default();
            samples.push((
                started.elapsed().as_secs_f64(),
                rss,
                worker.open_fds().unwrap_or(0),
            ));
            eprintln!("soak: {created} tasks, RSS {rss} kB");
        }
    }
    let completed = server
        .count_tasks(|t| t.task.status.as_str() == "completed")
        .await;
    let twice = server.count_tasks(|t| t.delivered_to.len() > 1).await;
    worker.stop().await;
    server.shutdown().await;
    // Warm-up: the first sample past a tenth of the run.
    let warm = samples
        .iter()
        .find(|s| s.0 >= started.elapsed().as_secs_f64() / 10.0)
        .copied();
    let last = samples.last().copied();
    let growth = warm
        .zip(last)
        .map(|(w, l)| (l.1 as f64 / w.1.max(1) as f64 - 1.0) * 100.0);
    Ok(format!(
        "Soak: {tasks} noop tasks, {completed} completed, {twice} delivered more than once; RSS after warm-up {} kB, at the end {} kB ({}); open files {} → {}.\n",
        warm.map_or(0, |w| w.1),
        last.map_or(0, |l| l.1),
        growth.map_or("–".into(), |g| format!("{g:+.1}%; target ≤ +5%")),
        warm.map_or(0, |w| w.2),
        last.map_or(0, |l| l.2),
    ))
}
