//! The chaos suite: the worker under the devserver's faults, a SIGTERM with tasks in flight,
//! a thousand panicking handlers, and no secret in any log line, error or saved result.
//!
//! `cargo test -p xpander-tests --test chaos` runs the CI size (1,000 tasks under faults);
//! `XPANDER_CHAOS_FULL=1 cargo test --release -p xpander-tests --test chaos` runs the full 10,000.

#[path = "../support/mod.rs"]
mod support;

mod agent_run;
mod faults;
mod logs;
mod panics;
mod probe;
mod relay;
mod secrets;
mod shutdown;

use std::time::{Duration, Instant};

use xpander_devserver::DevServerHandle;
use xpander_runtime::{Configuration, EventsHandle};

/// The worker's configuration for a devserver.
fn config(ds: &DevServerHandle) -> Configuration {
    ds.configuration().agent_id(ds.agent_id()).build().unwrap()
}

/// Waits until `count` tasks are terminal, up to `limit`, failing at once if the worker stops.
async fn all_terminal(ds: &DevServerHandle, worker: &EventsHandle, count: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let done = ds.count_tasks(|t| t.task.status.is_terminal()).await;
        if done >= count {
            return;
        }
        assert!(
            !worker.is_finished(),
            "the worker exited with {done} of {count} tasks ended"
        );
        assert!(
            Instant::now() < deadline,
            "only {done} of {count} tasks ended within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
