//! One agent's worker: its control task, its reader, the tasks it runs, and the goodbye.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

use super::control::Control;
use super::reader::Reader;
use super::recent::RecentIds;
use super::run_task::TaskRunner;
use super::slots::Slots;
use super::test_task;
use crate::Result;
use crate::model::{LocalTaskTest, Task};

/// How many task ids are remembered to drop duplicate deliveries.
const RECENT_TASKS: usize = 4096;
/// How long `worker-finished` may take on the way out.
const FINISH_LIMIT: Duration = Duration::from_millis(1500);

/// What running a task of this agent takes, for the `/invoke` server: the same runner, slots
/// and tracker as the tasks the platform delivers.
#[derive(Clone)]
pub(crate) struct Intake {
    pub(crate) runner: Arc<TaskRunner>,
    pub(crate) slots: Slots,
    pub(crate) tracker: TaskTracker,
}

/// One agent served by this process.
pub(crate) struct AgentWorker {
    pub(crate) agent_id: String,
    runner: Arc<TaskRunner>,
    /// Set once the worker runs.
    intake: OnceLock<Intake>,
    /// Set: stop reading new tasks and drain.
    stop: CancellationToken,
    /// Set: the shutdown deadline passed; stop waiting for tasks.
    abandon: CancellationToken,
    /// Run this test task once, then stop (the local test flow).
    test_task: Option<LocalTaskTest>,
    worker_id: watch::Sender<Option<String>>,
}

impl AgentWorker {
    pub(crate) fn new(
        agent_id: String,
        runner: TaskRunner,
        stop: CancellationToken,
        abandon: CancellationToken,
        test_task: Option<LocalTaskTest>,
    ) -> Arc<Self> {
        Arc::new(Self {
            agent_id,
            runner: Arc::new(runner),
            intake: OnceLock::new(),
            stop,
            abandon,
            test_task,
            worker_id: watch::Sender::new(None),
        })
    }

    /// The id the platform registered this worker under, once it did.
    pub(crate) fn worker_id(&self) -> Option<String> {
        self.worker_id.borrow().clone()
    }

    /// The platform this agent is served from.
    pub(crate) fn platform(&self) -> &crate::Platform {
        &self.runner.platform
    }

    /// How to run a task of this agent, once the worker runs (after the boot hooks).
    pub(crate) fn intake(&self) -> Option<&Intake> {
        self.intake.get()
    }

    /// Serves the agent until `stop`, then drains its tasks and says goodbye. Returns the test
    /// task, in the local test flow.
    pub(crate) async fn run(self: Arc<Self>) -> Result<Option<Task>> {
        let settings = &self.runner.settings;
        let control = Control::spawn(
            self.runner.platform.clone(),
            self.agent_id.clone(),
            settings.max_sync_workers,
            settings.heartbeat_interval,
            self.worker_id.subscribe(),
        );
        let tracker = TaskTracker::new();
        let slots = Slots::new(settings.max_sync_workers, control.clone());
        let _ = self.intake.set(Intake {
            runner: self.runner.clone(),
            slots: slots.clone(),
            tracker: tracker.clone(),
        });
        let recent = Arc::new(Mutex::new(RecentIds::new(RECENT_TASKS)));
        let test = self.test_task.clone().map(|test| {
            tracker.spawn(test_task::drive(
                self.runner.clone(),
                self.agent_id.clone(),
                test,
                self.worker_id.subscribe(),
                recent.clone(),
                self.stop.clone(),
            ))
        });
        let mut reader = Reader {
            agent_id: self.agent_id.clone(),
            runner: self.runner.clone(),
            control: control.clone(),
            slots,
            tracker: tracker.clone(),
            recent,
            worker_id: self.worker_id.clone(),
            stop: self.stop.clone(),
        };
        let outcome = reader.read().await;
        drop(reader);
        if !tracker.is_empty() {
            // The stream is closed; tell the platform not to count on this worker.
            control.draining();
            info!(agent_id = %self.agent_id, in_flight = tracker.len(), "waiting for tasks to finish");
        }
        tracker.close();
        tokio::select! {
            () = tracker.wait() => {}
            () = self.abandon.cancelled() => warn!(
                agent_id = %self.agent_id, unfinished = tracker.len(),
                "the shutdown deadline passed: leaving the tasks still saving behind"
            ),
        }
        if tokio::time::timeout(FINISH_LIMIT, control.finish())
            .await
            .is_err()
        {
            warn!(agent_id = %self.agent_id, "no answer to worker-finished in time; stopping anyway");
        }
        let test = match test {
            Some(driver) if driver.is_finished() => driver.await.ok().flatten(),
            _ => None,
        };
        outcome.map(|()| test)
    }
}

impl std::fmt::Debug for AgentWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentWorker")
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}
