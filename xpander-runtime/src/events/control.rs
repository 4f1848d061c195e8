//! The worker's control plane: capacity updates and `worker-finished`, POSTed to the worker
//! channel ([`PostWorkerMessage`]) by one task per agent, in order, off the SSE read loop; and
//! heartbeats, in a lane of their own so a slow capacity update never delays one. The control
//! task alone owns the busy state: it counts the slots taken and freed. Failures are logged
//! and retried, never fatal.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tracing::{debug, warn};

use crate::Platform;
use crate::backoff::Backoff;
use crate::model::WorkerMessage;
use crate::platform::routes::PostWorkerMessage;

/// Attempts for a capacity or finished message (a heartbeat is not retried: the next one
/// follows within an interval).
const ATTEMPTS: u32 = 3;

enum Command {
    Registered(String),
    SlotTaken,
    SlotFreed,
    Draining,
    Finish(oneshot::Sender<()>),
}

/// The control plane of one agent worker.
#[derive(Clone)]
pub(crate) struct Control {
    commands: mpsc::UnboundedSender<Command>,
}

impl Control {
    /// Starts the control task for a worker with `slots` execution slots, and its heartbeats
    /// every `heartbeat` for the worker id `registered` holds; both end with [`Control::finish`].
    pub(crate) fn spawn(
        platform: Platform,
        agent_id: String,
        slots: usize,
        heartbeat: Duration,
        registered: watch::Receiver<Option<String>>,
    ) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let state = Busy {
            slots: slots.max(1),
            ..Busy::default()
        };
        let beats = heartbeats(platform.clone(), agent_id.clone(), heartbeat, registered);
        let beating = tokio::spawn(beats);
        tokio::spawn(run(platform, agent_id, state, receiver, beating));
        Self { commands }
    }

    /// The platform registered (or re-registered) this worker under `worker_id`: heartbeat it.
    pub(crate) fn registered(&self, worker_id: &str) {
        self.send(Command::Registered(worker_id.to_owned()));
    }

    /// A task took a slot.
    pub(crate) fn slot_taken(&self) {
        self.send(Command::SlotTaken);
    }

    /// A task gave its slot back.
    pub(crate) fn slot_freed(&self) {
        self.send(Command::SlotFreed);
    }

    /// The worker stopped reading: busy from now on, so the platform sends nothing more.
    pub(crate) fn draining(&self) {
        self.send(Command::Draining);
    }

    /// Sends `worker-finished` and stops; returns once sent (or given up).
    pub(crate) async fn finish(&self) {
        let (done, sent) = oneshot::channel();
        if self.commands.send(Command::Finish(done)).is_ok() {
            let _ = sent.await;
        }
    }

    fn send(&self, command: Command) {
        // The control task ends only after `finish`; nothing is sent after that.
        let _ = self.commands.send(command);
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether the worker is busy: every slot taken, or draining.
#[derive(Debug, Default)]
struct Busy {
    slots: usize,
    taken: usize,
    draining: bool,
}

impl Busy {
    /// Applies a slot command; false for any other command.
    fn apply(&mut self, command: &Command) -> bool {
        match command {
            Command::SlotTaken => self.taken += 1,
            Command::SlotFreed => self.taken = self.taken.saturating_sub(1),
            Command::Draining => self.draining = true,
            _ => return false,
        }
        true
    }

    fn is_busy(&self) -> bool {
        self.draining || self.taken >= self.slots
    }
}

/// Heartbeats for the worker id `registered` holds, from its registration on, every
/// `interval`. Each has less than an interval to arrive, so a slow one never delays the next.
async fn heartbeats(
    platform: Platform,
    agent_id: String,
    interval: Duration,
    mut registered: watch::Receiver<Option<String>>,
) {
    let limit = interval.mul_f64(0.8);
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = registered.changed() => {
                if changed.is_err() {
                    return; // the worker is gone
                }
                // A new registration: beat now, then every interval from here.
                ticks.reset_immediately();
                continue;
            }
            _ = ticks.tick() => {}
        }
        let Some(worker_id) = registered.borrow().clone() else {
            continue;
        };
        let beat = WorkerMessage::heartbeat();
        let post = post_back(&platform, &worker_id, &agent_id, beat, 1);
        if tokio::time::timeout(limit, post).await.is_err() {
            warn!(
                limit_ms = limit.as_millis() as u64,
                "a heartbeat got no answer in time"
            );
        }
    }
}

async fn run(
    platform: Platform,
    agent_id: String,
    mut state: Busy,
    mut commands: mpsc::UnboundedReceiver<Command>,
    heartbeats: JoinHandle<()>,
) {
    // However the control task ends, its heartbeats end with it.
    let heartbeats = AbortOnDrop(heartbeats);
    let mut worker_id: Option<String> = None;
    // What the platform was last told.
    let mut reported = false;
    // A command read ahead while folding slot updates, handled next.
    let mut deferred: Option<Command> = None;
    let post = |worker_id: &str, message: WorkerMessage, attempts: u32| {
        let (platform, agent_id, worker_id) = (&platform, &agent_id, worker_id.to_owned());
        async move { post_back(platform, &worker_id, agent_id, message, attempts).await }
    };
    loop {
        let command = match deferred.take() {
            Some(command) => command,
            None => match commands.recv().await {
                Some(command) => command,
                None => return,
            },
        };
        match command {
            Command::Registered(id) => {
                // A new registration is a new worker on the platform, free until told
                // otherwise: tell it we are busy.
                reported = false;
                if state.is_busy() {
                    post(&id, WorkerMessage::capacity(true), ATTEMPTS).await;
                    reported = true;
                }
                worker_id = Some(id);
            }
            Command::Finish(done) => {
                // No heartbeat after the goodbye.
                heartbeats.0.abort();
                if let Some(id) = &worker_id {
                    post(id, WorkerMessage::finished(), ATTEMPTS).await;
                }
                let _ = done.send(());
                return;
            }
            slot => {
                state.apply(&slot);
                // A saturated worker flips busy/free at every task; the updates queued while
                // the last message was on its way fold into this one, so the platform is told
                // only the state it should see now (a flip undone meanwhile sends nothing).
                while let Ok(next) = commands.try_recv() {
                    if !state.apply(&next) {
                        deferred = Some(next);
                        break;
                    }
                }
                let busy = state.is_busy();
                if let Some(id) = &worker_id
                    && busy != reported
                {
                    post(id, WorkerMessage::capacity(busy), ATTEMPTS).await;
                    reported = busy;
                }
            }
        }
    }
}

async fn post_back(
    platform: &Platform,
    worker_id: &str,
    agent_id: &str,
    message: WorkerMessage,
    attempts: u32,
) {
    let backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(3));
    for attempt in 1..=attempts {
        let post = PostWorkerMessage {
            worker_id,
            agent_id,
            message: &message,
        };
        let sent = platform.send(post).await;
        match sent {
            Ok(_) => {
                debug!(event = %message.event, "posted to the platform");
                return;
            }
            Err(e) if attempt < attempts && e.is_transient() => {
                let delay = backoff.delay(attempt);
                warn!(event = %message.event, attempt, delay_ms = delay.as_millis() as u64, error = %e, "worker message failed; retrying");
                tokio::time::sleep(delay).await;
            }
            Err(e) => {
                warn!(event = %message.event, error = %e, "worker message failed; giving up on it")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The busy state is the count of slots taken, folded in order: a flip undone meanwhile
    /// leaves the state as it was, and draining is busy for good.
    #[test]
    fn busy_counts_slots_and_draining() {
        let mut busy = Busy {
            slots: 2,
            ..Busy::default()
        };
        assert!(busy.apply(&Command::SlotTaken) && !busy.is_busy());
        busy.apply(&Command::SlotTaken);
        assert!(busy.is_busy(), "every slot taken");
        busy.apply(&Command::SlotFreed);
        assert!(!busy.is_busy(), "a slot is free again");
        busy.apply(&Command::SlotFreed);
        busy.apply(&Command::SlotFreed);
        assert_eq!(busy.taken, 0, "never below zero");
        assert!(
            !busy.apply(&Command::Registered("w".into())),
            "not a slot command"
        );
        busy.apply(&Command::Draining);
        assert!(busy.is_busy(), "draining is busy with free slots");
    }
}
