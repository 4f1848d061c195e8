//! An example binary run as a worker process against a devserver.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use xpander_devserver::DevServerHandle;

/// A worker process, killed when the test ends, however it ends.
pub struct WorkerProcess(Child);

impl WorkerProcess {
    /// Starts the example `name` with the devserver's credentials in its environment, then
    /// `env` (which may override them, or `RUST_LOG=info`) and `args`. Output is piped.
    pub fn spawn(name: &str, ds: &DevServerHandle, env: &[(&str, &str)], args: &[&str]) -> Self {
        let binary = super::example(name);
        assert!(
            binary.exists(),
            "{} is missing: a plain `cargo test` builds the examples; with `--test`, run \
             `cargo build --example {name}` (with the same --release or not) first",
            binary.display()
        );
        let mut command = Command::new(binary);
        command
            .args(args)
            .envs(ds.worker_env())
            .env("RUST_LOG", "info")
            // Workers of parallel tests must not compete for the /invoke server's port.
            .env("XPANDER_STREAMING_PORT", "0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Self(command.spawn().expect("the example starts"))
    }

    /// Starts this test binary again, running only the test `name` as the worker's `main`
    /// (the test returns at once unless `XPANDER_TEST_AS_WORKER` is set), with the
    /// devserver's credentials and `env`. For workers no example should show.
    pub fn spawn_test(name: &str, ds: &DevServerHandle, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .envs(ds.worker_env())
            .env("XPANDER_TEST_AS_WORKER", "1")
            .env("RUST_LOG", "info")
            .env("XPANDER_STREAMING_PORT", "0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Self(command.spawn().expect("the test binary starts"))
    }

    /// Sends SIGTERM, as a process manager stopping the worker would.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit, failing the test after `limit`.
    pub async fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the worker did not exit within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything the exited process wrote: (stdout, stderr).
    pub fn output(&mut self) -> (String, String) {
        let (mut stdout, mut stderr) = (String::new(), String::new());
        if let Some(mut pipe) = self.0.stdout.take() {
            pipe.read_to_string(&mut stdout).unwrap();
        }
        if let Some(mut pipe) = self.0.stderr.take() {
            pipe.read_to_string(&mut stderr).unwrap();
        }
        (stdout, stderr)
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
