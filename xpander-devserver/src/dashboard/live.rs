//! `GET /_dev/dashboard/live`: an SSE stream of devserver changes. Each `change` event carries
//! the counters of what changed (`store`: tasks, workers, agents and logins; `requests`,
//! `llm`, `faults`), so the page reads again only the part it shows, and only when it
//! changed. Changes are coalesced: at most one event per [`THROTTLE`], however busy the
//! server, and one at once on connecting so a reconnected page catches up.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::watch;

use crate::pulse::Beats;
use crate::state::App;

/// The shortest time between two events.
pub(crate) const THROTTLE: Duration = Duration::from_millis(200);

struct Watch {
    changes: watch::Receiver<u64>,
    beats: watch::Receiver<Beats>,
    shutdown: watch::Receiver<bool>,
    first: bool,
}

impl Watch {
    /// The next event's frame, or `None` at shutdown.
    async fn next(&mut self) -> Option<Bytes> {
        if !self.first {
            // Changes during the pause are seen by `changed()` below: coalesced, not lost.
            tokio::select! {
                _ = tokio::time::sleep(THROTTLE) => {}
                _ = self.shutdown.wait_for(|down| *down) => return None,
            }
            tokio::select! {
                changed = self.changes.changed() => changed.ok()?,
                changed = self.beats.changed() => changed.ok()?,
                _ = self.shutdown.wait_for(|down| *down) => return None,
            }
        }
        self.first = false;
        let store = *self.changes.borrow_and_update();
        let beats = *self.beats.borrow_and_update();
        let data = json!({
            "store": store,
            "requests": beats.requests,
            "llm": beats.llm,
            "faults": beats.faults,
        });
        Some(Bytes::from(format!("event: change\ndata: {data}\n\n")))
    }
}

/// The frames of one page's stream; it ends when the server shuts down.
pub(crate) fn changes(app: Arc<App>) -> impl Stream<Item = Bytes> + Send {
    let watch = Watch {
        changes: app.changes.subscribe(),
        beats: app.pulse.subscribe(),
        shutdown: app.shutdown.clone(),
        first: true,
    };
    stream::unfold(watch, |mut watch| async move {
        let frame = watch.next().await?;
        Some((frame, watch))
    })
}
