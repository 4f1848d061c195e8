//! Execution slots: a permit per running task. Taking and freeing one is reported to the
//! control task, which alone decides when the worker is busy.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::control::Control;

/// The slots of one agent worker (clones share them).
#[derive(Clone)]
pub(crate) struct Slots {
    permits: Arc<Semaphore>,
    control: Control,
}

impl Slots {
    /// `count` slots (at least one); `control` is told of every slot taken and freed.
    pub(crate) fn new(count: usize, control: Control) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(count.max(1))),
            control,
        }
    }

    /// Waits for a free slot.
    pub(crate) async fn acquire(&self) -> Slot {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("slots are never closed");
        self.control.slot_taken();
        Slot {
            _permit: permit,
            control: self.control.clone(),
        }
    }
}

/// A taken slot. Dropping it (also on a panic or an abort) frees the slot.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    control: Control,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.control.slot_freed();
    }
}
