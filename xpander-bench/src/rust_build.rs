//! Builds the Rust workers under test (`examples/echo_worker.rs`, `examples/agent_worker.rs`,
//! release) with the cargo that runs the benchmark, and finds the executable from cargo's own
//! build messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// `cargo build --release --example NAME -p xpander-examples [--features F]`; the executable's
/// path.
pub fn build_example(name: &str, features: &str) -> Result<PathBuf, String> {
    // Set by `cargo run`; a plain `cargo` otherwise.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the bench crate has no parent directory")?;
    eprintln!("building the Rust worker: cargo build --release --example {name}");
    let mut command = Command::new(&cargo);
    command.current_dir(workspace).args([
        "build",
        "--release",
        "--example",
        name,
        "-p",
        "xpander-examples",
        "--message-format=json-render-diagnostics",
    ]);
    if !features.is_empty() {
        command.args(["--features", features]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("building {name} failed: {}", output.status));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo built no {name} executable"))
}
