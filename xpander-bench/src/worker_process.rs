//! The worker under test as a child process: started with the devserver's environment, its
//! memory read from `/proc`, stopped with SIGTERM, and killed by a guard whatever happens.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use xpander_devserver::DevServerHandle;

use crate::proc_stats;

/// How long a stopping worker may take before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How to start one kind of worker.
pub enum Launch<'a> {
    /// The release-built echo worker with this many slots.
    Rust { binary: &'a Path, slots: usize },
    /// The SDK's python running the benchmark's worker script.
    Python { python: &'a Path, script: &'a Path },
    /// The bench's multi-agent worker, serving every agent in `agent_ids` (comma-separated).
    Many {
        binary: &'a Path,
        agent_ids: &'a str,
    },
}

/// A running worker process. Dropping it kills the process (also when the run fails).
pub struct WorkerProcess {
    child: Child,
    log: PathBuf,
    /// The wall-clock time just before the spawn, to compare with the devserver's timestamps.
    pub spawned_at: DateTime<Utc>,
}

impl WorkerProcess {
    /// Starts the worker against `server`; its output goes to a log file in the temp dir.
    pub fn spawn(launch: &Launch<'_>, server: &DevServerHandle) -> Result<Self, String> {
        let log = std::env::temp_dir().join(format!(
            "xpander-bench-{}-{}.log",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut command = match launch {
            Launch::Rust { binary, slots } => {
                let mut command = Command::new(binary);
                command
                    .envs(server.worker_env())
                    .env("XPANDER_MAX_SYNC_WORKERS", slots.to_string())
                    // Logs at warn on both sides: a log line per task is not what is measured.
                    .env("RUST_LOG", "warn")
                    .env("XPANDER_STREAMING_PORT", "0")
                    .env_remove("IS_XPANDER_CLOUD")
                    .env_remove("IS_STG")
                    .stdin(Stdio::null());
                command
            }
            Launch::Many { binary, agent_ids } => {
                let mut command = Command::new(binary);
                command
                    .envs(server.worker_env())
                    .env("XPANDER_AGENT_IDS", agent_ids)
                    .env("RUST_LOG", "warn")
                    .env_remove("IS_XPANDER_CLOUD")
                    .stdin(Stdio::null());
                command
            }
            Launch::Python { python, script } => {
                let mut command = xpander_devserver::python::sdk_worker_command(python, server);
                command.arg(script).env("LOGURU_LEVEL", "WARNING");
                command
            }
        };
        command.stdout(out).stderr(err);
        let spawned_at = Utc::now();
        let child = command
            .spawn()
            .map_err(|e| format!("could not start {command:?}: {e}"))?;
        Ok(Self {
            child,
            log,
            spawned_at,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A memory figure of the process in kB (`VmRSS`: now; `VmHWM`: the peak so far).
    pub fn memory_kb(&self, field: &str) -> Option<u64> {
        proc_stats::memory_kb(self.pid(), field)
    }

    /// CPU time the process used so far, in milliseconds.
    pub fn cpu_ms(&self) -> Option<f64> {
        proc_stats::cpu_ms(Some(self.pid()))
    }

    /// Kills the process at once (SIGKILL): a worker that crashes.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// How many file descriptors the process has open.
    pub fn open_fds(&self) -> Option<usize> {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .ok()
            .map(|dir| dir.count())
    }

    /// Whether the process already exited (it should not, while serving).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The worker's output so far (for error messages).
    pub fn output_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// SIGTERM, then up to [`STOP_GRACE`] to exit, then SIGKILL. The exit code, if it exited on
    /// its own.
    pub async fn stop(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Some(status) = self.exited() {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
