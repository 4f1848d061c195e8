//! Builds the Rust worker under test (`examples/echo_worker.rs`, release) with the cargo that
//! runs the benchmark, and finds the executable from cargo's own build messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// `cargo build --release --example echo_worker -p xpander-examples`; the executable's path.
pub fn build_echo_worker() -> Result<PathBuf, String> {
    // Set by `cargo run`; a plain `cargo` otherwise.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the bench crate has no parent directory")?;
    eprintln!("building the Rust worker: cargo build --release --example echo_worker");
    let output = Command::new(&cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--example",
            "echo_worker",
            "-p",
            "xpander-examples",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("building echo_worker failed: {}", output.status));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "echo_worker")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built no echo_worker executable".to_owned())
}
