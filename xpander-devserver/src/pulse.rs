//! What changed outside the store, for the dashboard's live stream: the request log (platform
//! routes only), the scripted LLM's record and the faults. The store has its own counter
//! (`App::changes`), which also wakes tests and task watchers; these beats wake only the
//! dashboard, so a request does not wake every waiter.
//!
//! Requests to `/` and `/_dev/*` do not count: the dashboard's own reads would otherwise
//! announce themselves and make it read again, forever.

use serde::Serialize;
use tokio::sync::watch;

/// How many times each thing changed since the server started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Beats {
    /// Requests to platform routes logged.
    pub requests: u64,
    /// Requests the scripted LLM recorded.
    pub llm: u64,
    /// Times the faults were replaced or cleared.
    pub faults: u64,
}

/// The sender side of [`Beats`]; cheap when nobody listens.
#[derive(Debug)]
pub(crate) struct Pulse {
    tx: watch::Sender<Beats>,
}

impl Default for Pulse {
    fn default() -> Self {
        Self {
            tx: watch::channel(Beats::default()).0,
        }
    }
}

impl Pulse {
    /// A platform request was logged.
    pub fn request(&self) {
        self.tx.send_modify(|b| b.requests += 1);
    }

    /// The scripted LLM recorded a request.
    pub fn llm(&self) {
        self.tx.send_modify(|b| b.llm += 1);
    }

    /// The faults were replaced.
    pub fn faults(&self) {
        self.tx.send_modify(|b| b.faults += 1);
    }

    /// A receiver that sees every later change.
    pub fn subscribe(&self) -> watch::Receiver<Beats> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_count_each_kind() {
        let pulse = Pulse::default();
        let rx = pulse.subscribe();
        pulse.request();
        pulse.request();
        pulse.llm();
        pulse.faults();
        assert_eq!(
            *rx.borrow(),
            Beats {
                requests: 2,
                llm: 1,
                faults: 1
            }
        );
    }
}
