//! `xpander-bench`: the Rust worker against the official Python worker, side by side, on one
//! in-process devserver per run.
//!
//! ```text
//! cargo run --release -p xpander-bench -- \
//!     --impl rust,python --tasks 2000 --handler noop,sleep:50 --concurrency 6,64
//! ```
//!
//! Each run starts a fresh devserver, starts the worker as a process, waits for it to register,
//! creates the tasks over REST, waits until all are terminal, and prints one JSON line. The
//! ceiling run drives the same request mix with no worker at all. A Markdown report with the
//! Rust/Python ratios and the targets of BENCHMARKS.md closes the output.

mod agent_setup;
mod ceiling;
mod figures;
mod load;
mod modes;
mod proc_stats;
mod report;
mod rust_build;
mod scenario;
mod worker_process;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, WorkerState};

use figures::{RunFigures, round, seconds};
use report::Run;
use scenario::{Impl, PYTHON_SLOTS, Work};
use worker_process::{Launch, WorkerProcess};

/// How long a worker may take to register (the first Python import alone takes seconds).
const REGISTRATION_LIMIT: Duration = Duration::from_secs(180);

/// Measures the Rust worker and the official Python worker against an in-process devserver.
#[derive(Debug, Parser)]
#[command(name = "xpander-bench")]
struct Cli {
    /// The workers to measure: rust, python, or both (comma-separated).
    #[arg(long = "impl", value_delimiter = ',', default_value = "rust,python")]
    impls: Vec<Impl>,
    /// Tasks per run.
    #[arg(long, default_value_t = 2000)]
    tasks: usize,
    /// The handlers' work, comma-separated: `noop`, `sleep:MS` for I/O-bound work,
    /// `agent:MS` to run the agent on the devserver's scripted LLM taking MS in all (a tool
    /// call, then an answer), or `echo:SIZE` (`1k`, `100k`, `1m`) to echo a prompt that large
    /// (the cost per byte, both ways).
    #[arg(long, value_delimiter = ',', default_value = "noop")]
    handler: Vec<Work>,
    /// The Rust worker's `max_sync_workers`, comma-separated (one run each). The Python
    /// worker always runs 6 at once.
    #[arg(long, value_delimiter = ',', default_value = "6")]
    concurrency: Vec<usize>,
    /// Task creations in flight at once.
    #[arg(long, default_value_t = 16)]
    create_in_flight: usize,
    /// Tasks in flight at once in the ceiling run.
    #[arg(long, default_value_t = 32)]
    ceiling_in_flight: usize,
    /// Skip the ceiling run.
    #[arg(long)]
    no_ceiling: bool,
    /// Use this Rust worker binary instead of building examples/echo_worker.rs (not for
    /// `agent`, which builds examples/agent_worker.rs).
    #[arg(long)]
    rust_worker: Option<PathBuf>,
    /// Use this Rust agent worker binary instead of building examples/agent_worker.rs.
    #[arg(long)]
    rust_agent_worker: Option<PathBuf>,
    /// Scale-out instead of the handler runs: this many echo worker processes on one agent
    /// (comma-separated, e.g. 1,2,4), then 4 with one killed mid-run.
    #[arg(long, value_delimiter = ',')]
    scale_out: Vec<usize>,
    /// Many agents instead of the handler runs: one process serving this many agents.
    #[arg(long)]
    many_agents: Option<usize>,
    /// A soak instead of the handler runs: this many noop tasks through one worker, memory
    /// and open files sampled every 10 s (not for CI: use 1000000).
    #[arg(long)]
    soak: Option<usize>,
    /// How long one run may take, in seconds.
    #[arg(long, default_value_t = 900)]
    timeout_s: u64,
    /// How long a registered worker idles before its idle RSS is read, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    settle_ms: u64,
    /// Runs of each ceiling and Rust configuration; the report keeps the one with the median
    /// tasks/s (a virtual machine's neighbours make single runs noisy). Python runs once: it
    /// is CPU-bound and takes minutes.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match bench(&cli).await {
        Ok(report) => {
            println!("\n{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xpander-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(cli: &Cli) -> Result<String, String> {
    if cli.tasks == 0 || cli.concurrency.contains(&0) {
        return Err("--tasks and --concurrency must be at least 1".into());
    }
    if !cli.scale_out.is_empty() || cli.many_agents.is_some() || cli.soak.is_some() {
        return other_scenarios(cli).await;
    }
    let wants_rust = cli.impls.contains(&Impl::Rust);
    let agents = cli.handler.iter().any(|w| matches!(w, Work::Agent(_)));
    let echoes = cli.handler.iter().any(|w| !matches!(w, Work::Agent(_)));
    let rust_binary = match (&cli.rust_worker, wants_rust && echoes) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(rust_build::build_example("echo_worker", "")?),
        (None, false) => None,
    };
    let rust_agent_binary = match (&cli.rust_agent_worker, wants_rust && agents) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(rust_build::build_example("agent_worker", "agent")?),
        (None, false) => None,
    };
    let python = if cli.impls.contains(&Impl::Python) {
        Some(sdk_python().await?)
    } else {
        None
    };
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (echo_script, agent_script) = (
        scripts.join("python_worker.py"),
        scripts.join("python_agent_worker.py"),
    );
    if let Some(load) = proc_stats::load_average().filter(|l| *l > 0.5) {
        eprintln!("warning: the machine is busy (load average {load:.2}): the figures will be low");
    }
    let mut runs = Vec::new();
    if !cli.no_ceiling {
        runs.push(median_of(cli.repeat, || ceiling_run(cli)).await?);
    }
    for &work in &cli.handler {
        let is_agent = matches!(work, Work::Agent(_));
        if let Some(python) = &python {
            let script = if is_agent {
                &agent_script
            } else {
                &echo_script
            };
            let launch = Launch::Python { python, script };
            runs.push(worker_run(cli, Impl::Python, &launch, work, PYTHON_SLOTS).await?);
        }
        let binary = if is_agent {
            &rust_agent_binary
        } else {
            &rust_binary
        };
        if let Some(binary) = binary {
            for &slots in &cli.concurrency {
                let launch = Launch::Rust { binary, slots };
                let run = || worker_run(cli, Impl::Rust, &launch, work, slots);
                runs.push(median_of(cli.repeat, run).await?);
            }
        }
    }
    Ok(report::markdown(&runs))
}

/// The scale-out, many-agents and soak scenarios, as asked.
async fn other_scenarios(cli: &Cli) -> Result<String, String> {
    let echo = match &cli.rust_worker {
        Some(path) => path.clone(),
        None => rust_build::build_example("echo_worker", "")?,
    };
    let mut out = String::new();
    if !cli.scale_out.is_empty() {
        let agent = match &cli.rust_agent_worker {
            Some(path) => path.clone(),
            None => rust_build::build_example("agent_worker", "agent")?,
        };
        out.push_str(&modes::scale_out(&echo, Some(&agent), &cli.scale_out, cli.tasks).await?);
    }
    if let Some(agents) = cli.many_agents {
        // Built next to this binary by `cargo run -p xpander-bench`.
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let binary = exe.with_file_name("multi_agent_worker");
        out.push_str(&modes::many_agents(&binary, agents, cli.tasks).await?);
    }
    if let Some(tasks) = cli.soak {
        out.push_str(&modes::soak(&echo, tasks).await?);
    }
    Ok(out)
}

/// Runs `run` `times` times; the run with the median tasks/s.
async fn median_of<F, Fut>(times: usize, mut run: F) -> Result<Run, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Run, String>>,
{
    let mut runs = Vec::new();
    for _ in 0..times.max(1) {
        runs.push(run().await?);
    }
    runs.sort_by(|a, b| a.figures.tasks_per_s.total_cmp(&b.figures.tasks_per_s));
    Ok(runs.swap_remove(runs.len() / 2))
}

/// The SDK's virtualenv python, built on first use (minutes), cached afterwards.
async fn sdk_python() -> Result<PathBuf, String> {
    tokio::task::spawn_blocking(xpander_devserver::python::sdk_python)
        .await
        .map_err(|e| e.to_string())??
        .ok_or_else(|| "XPANDER_SKIP_PYTHON_INTEROP=1 is set: run with --impl rust".to_owned())
}

async fn ceiling_run(cli: &Cli) -> Result<Run, String> {
    eprintln!(
        "ceiling: {} tasks, {} in flight",
        cli.tasks, cli.ceiling_in_flight
    );
    let server = DevServer::start(DevServerOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let work = Work::Noop;
    let (cpu_before, steal_before) = (own_cpu_ms(), proc_stats::steal_ms());
    ceiling::drive(&server, &work.prompt(), cli.tasks, cli.ceiling_in_flight).await?;
    let (cpu_after, steal_after) = (own_cpu_ms(), proc_stats::steal_ms());
    let mut figures = RunFigures::from_tasks(
        Impl::Ceiling,
        work,
        cli.ceiling_in_flight,
        &server.task_infos().await,
    )?;
    figures.server_cpu_ms = cpu_after.zip(cpu_before).map(|(a, b)| a - b);
    figures.steal_ms = steal_after.zip(steal_before).map(|(a, b)| a - b);
    server.shutdown().await;
    emit(&figures);
    Ok(Run { work, figures })
}

async fn worker_run(
    cli: &Cli,
    implementation: Impl,
    launch: &Launch<'_>,
    work: Work,
    slots: usize,
) -> Result<Run, String> {
    eprintln!(
        "{}: {} tasks of {work}, {slots} at once",
        implementation.as_str(),
        cli.tasks
    );
    // Room for the largest echo: a 1 MB prompt and a 1 MB result in one final save.
    let options = DevServerOptions::default().body_limit(16 << 20);
    let server = DevServer::start(options).await.map_err(|e| e.to_string())?;
    if let Work::Agent(llm_time) = work {
        agent_setup::configure(&server, llm_time).await?;
    }
    let mut worker = WorkerProcess::spawn(launch, &server)?;
    let startup_ms = registered(&server, &mut worker).await?;
    tokio::time::sleep(Duration::from_millis(cli.settle_ms)).await;
    let idle_rss_kb = worker.memory_kb("VmRSS");

    let rest = load::Rest::new(&server)?;
    let cpu_before = (worker.cpu_ms(), own_cpu_ms(), proc_stats::steal_ms());
    load::create_tasks(
        &rest,
        server.agent_id(),
        &work.prompt(),
        cli.tasks,
        cli.create_in_flight,
    )
    .await?;
    let limit = Duration::from_secs(cli.timeout_s);
    load::wait_terminal(&server, cli.tasks, limit, || match worker.exited() {
        Some(status) => Err(format!(
            "the worker exited ({status}) mid-run:\n{}",
            worker.output_tail()
        )),
        None => Ok(()),
    })
    .await?;
    let peak_rss_kb = worker.memory_kb("VmHWM");
    let cpu_after = (worker.cpu_ms(), own_cpu_ms(), proc_stats::steal_ms());

    let mut figures =
        RunFigures::from_tasks(implementation, work, slots, &server.task_infos().await)?;
    figures.startup_ms = Some(round(startup_ms, 1));
    figures.idle_rss_kb = idle_rss_kb;
    figures.peak_rss_kb = peak_rss_kb;
    figures.worker_cpu_ms = cpu_after.0.zip(cpu_before.0).map(|(a, b)| a - b);
    figures.server_cpu_ms = cpu_after.1.zip(cpu_before.1).map(|(a, b)| a - b);
    figures.steal_ms = cpu_after.2.zip(cpu_before.2).map(|(a, b)| a - b);
    if figures.completed != figures.tasks {
        eprintln!(
            "warning: {} of {} tasks did not complete",
            figures.tasks - figures.completed,
            figures.tasks
        );
    }
    let code = worker.stop().await;
    if implementation == Impl::Rust && code != Some(0) {
        eprintln!("warning: the Rust worker did not exit 0 on SIGTERM ({code:?})");
    }
    server.shutdown().await;
    emit(&figures);
    Ok(Run { work, figures })
}

/// Waits for the worker's connection; milliseconds from the spawn to the devserver seeing it.
async fn registered(server: &DevServerHandle, worker: &mut WorkerProcess) -> Result<f64, String> {
    let deadline = Instant::now() + REGISTRATION_LIMIT;
    loop {
        let seen = server
            .wait_for_workers(Duration::from_millis(500), |workers| {
                workers.iter().any(|w| w.state == WorkerState::Connected)
            })
            .await;
        if let Some(workers) = seen {
            let connected = seconds(&workers[0].connected_at).ok_or("unreadable connected_at")?;
            let spawned = worker.spawned_at.timestamp_micros() as f64 / 1_000_000.0;
            return Ok((connected - spawned) * 1000.0);
        }
        if let Some(status) = worker.exited() {
            return Err(format!(
                "the worker exited ({status}) before registering:\n{}",
                worker.output_tail()
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the worker did not register within {REGISTRATION_LIMIT:?}:\n{}",
                worker.output_tail()
            ));
        }
    }
}

/// The CPU time this process (the devserver and the REST client) used so far.
fn own_cpu_ms() -> Option<f64> {
    proc_stats::cpu_ms(None)
}

/// Prints a run's JSON line.
fn emit(figures: &RunFigures) {
    match serde_json::to_string(figures) {
        Ok(line) => println!("{line}"),
        Err(e) => eprintln!("could not print the figures: {e}"),
    }
}
