//! A smoke run of the benchmark's scenarios, a few tasks each, with the debug-built example
//! workers (`cargo test --workspace --all-features` builds them): the figures are not the
//! point, that each scenario runs end to end and every task completes is.

use std::path::PathBuf;
use std::process::Command;

/// An example binary next to this test's (target/<profile>/examples).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let examples = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = examples.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace --all-features` (it builds the examples)",
        path.display()
    );
    path
}

fn bench(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xpander-bench"))
        .args(args)
        .output()
        .expect("the bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The JSON lines the bench printed, one per run.
fn runs(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

#[test]
fn the_agent_scenario_runs_both_workers() {
    let python = std::env::var("XPANDER_SKIP_PYTHON_INTEROP").as_deref() != Ok("1");
    let impls = if python { "rust,python" } else { "rust" };
    let agent = example("agent_worker");
    let echo = example("echo_worker");
    let stdout = bench(&[
        "--impl",
        impls,
        "--tasks",
        "4",
        "--handler",
        "noop,agent:0,agent:40",
        "--concurrency",
        "2",
        "--no-ceiling",
        "--settle-ms",
        "0",
        "--rust-worker",
        echo.to_str().unwrap(),
        "--rust-agent-worker",
        agent.to_str().unwrap(),
    ]);
    let runs = runs(&stdout);
    let expected = if python { 6 } else { 3 };
    assert_eq!(runs.len(), expected, "{stdout}");
    for run in &runs {
        assert_eq!(run["completed"], 4, "every task completed: {run}");
    }
    assert!(stdout.contains("| rust | agent:0 | 2 | 4 |"), "{stdout}");
    assert!(stdout.contains("Targets:"), "{stdout}");
}

#[test]
fn scale_out_many_agents_and_soak_run() {
    let echo = example("echo_worker");
    let stdout = bench(&[
        "--tasks",
        "12",
        "--scale-out",
        "1,2",
        "--many-agents",
        "5",
        "--soak",
        "40",
        "--rust-worker",
        echo.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("| 1 |") && stdout.contains("| 2 |"),
        "{stdout}"
    );
    assert!(stdout.contains("One of 4 workers killed"), "{stdout}");
    assert!(
        stdout.contains("Many agents: one process serving 5 agents"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Soak: 40 noop tasks, 40 completed, 0 delivered more than once"),
        "{stdout}"
    );
}
