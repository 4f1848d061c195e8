//! What several integration tests share.

#![allow(dead_code)]

use std::path::PathBuf;

/// An example binary: examples are built next to the test binaries (target/<profile>/examples)
/// by `cargo test`.
pub fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    deps.parent().unwrap().join("examples").join(name)
}

mod process;

#[allow(unused_imports)] // not every test binary runs a worker process
pub use process::WorkerProcess;
