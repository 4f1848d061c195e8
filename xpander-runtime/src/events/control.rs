//! The worker's messages to the platform: heartbeats, capacity updates and `worker-finished`,
//! POSTed to `{events_base}/{worker_id}?type=worker&agent_id=...` by one task per agent, in
//! order, off the SSE read loop. Failures are logged and retried, never fatal.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
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
    Capacity(bool),
    Finish(oneshot::Sender<()>),
}

/// Sends the control-plane messages of one agent worker.
#[derive(Clone)]
pub(crate) struct Control {
    commands: mpsc::UnboundedSender<Command>,
}

impl Control {
    /// Starts the sender; heartbeats begin once a worker id is known.
    pub(crate) fn spawn(platform: Platform, agent_id: String, heartbeat: Duration) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(platform, agent_id, heartbeat, receiver));
        Self { commands }
    }

    /// The platform registered (or re-registered) this worker under `worker_id`: heartbeat it.
    pub(crate) fn registered(&self, worker_id: &str) {
        let _ = self
            .commands
            .send(Command::Registered(worker_id.to_owned()));
    }

    /// Reports the worker busy (no free slot) or free again.
    pub(crate) fn capacity(&self, is_busy: bool) {
        let _ = self.commands.send(Command::Capacity(is_busy));
    }

    /// Sends `worker-finished` and stops; returns once sent (or given up).
    pub(crate) async fn finish(&self) {
        let (done, sent) = oneshot::channel();
        if self.commands.send(Command::Finish(done)).is_ok() {
            let _ = sent.await;
        }
    }
}

async fn run(
    platform: Platform,
    agent_id: String,
    heartbeat: Duration,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut worker_id: Option<String> = None;
    // What this worker is (`busy`), and what the platform was last told (`reported`).
    let mut busy = false;
    let mut reported = false;
    // A command read ahead while folding capacity updates, handled next.
    let mut deferred: Option<Command> = None;
    let mut ticks = tokio::time::interval(heartbeat);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let post = |worker_id: &str, message: WorkerMessage, attempts: u32| {
        let (platform, agent_id, worker_id) = (&platform, &agent_id, worker_id.to_owned());
        async move { post_back(platform, &worker_id, agent_id, message, attempts).await }
    };
    loop {
        let command = match deferred.take() {
            Some(command) => Some(command),
            None => tokio::select! {
                command = commands.recv() => command,
                _ = ticks.tick(), if worker_id.is_some() => {
                    if let Some(id) = &worker_id {
                        post(id, WorkerMessage::heartbeat(), 1).await;
                    }
                    continue;
                }
            },
        };
        match command {
            Some(Command::Registered(id)) => {
                // A new registration is a new worker on the platform, free until told
                // otherwise: tell it we are busy.
                reported = false;
                if busy {
                    post(&id, WorkerMessage::capacity(true), ATTEMPTS).await;
                    reported = true;
                }
                worker_id = Some(id);
                ticks.reset_immediately();
            }
            Some(Command::Capacity(is_busy)) => {
                busy = is_busy;
                // A saturated worker flips busy/free at every task; the flips queued while the
                // last message was on its way fold into this one, so the platform is told only
                // the state it should see now (a flip undone meanwhile sends nothing).
                while let Ok(next) = commands.try_recv() {
                    match next {
                        Command::Capacity(is_busy) => busy = is_busy,
                        other => {
                            deferred = Some(other);
                            break;
                        }
                    }
                }
                if let Some(id) = &worker_id
                    && busy != reported
                {
                    post(id, WorkerMessage::capacity(busy), ATTEMPTS).await;
                    reported = busy;
                }
            }
            Some(Command::Finish(done)) => {
                if let Some(id) = &worker_id {
                    post(id, WorkerMessage::finished(), ATTEMPTS).await;
                }
                let _ = done.send(());
                return;
            }
            None => return,
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
