//! Execution slots: a permit per running task, and busy/free reports on transitions only.

use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::control::Control;

/// The slots of one agent worker.
pub(crate) struct Capacity {
    slots: Arc<Semaphore>,
    busy: Mutex<bool>,
    control: Control,
}

impl Capacity {
    pub(crate) fn new(slots: usize, control: Control) -> Arc<Self> {
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            busy: Mutex::new(false),
            control,
        })
    }

    /// Waits for a free slot; reports busy when it takes the last one.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Slot {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("slots are never closed");
        if self.slots.available_permits() == 0 {
            let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
            if !*busy {
                *busy = true;
                self.control.capacity(true);
            }
        }
        Slot {
            permit: Some(permit),
            capacity: self.clone(),
        }
    }
}

/// A taken slot. Dropping it (also on a panic or an abort) frees the slot, and reports the
/// worker free when it was busy.
pub(crate) struct Slot {
    permit: Option<OwnedSemaphorePermit>,
    capacity: Arc<Capacity>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        drop(self.permit.take());
        let capacity = &self.capacity;
        let mut busy = capacity.busy.lock().unwrap_or_else(|e| e.into_inner());
        if *busy && capacity.slots.available_permits() > 0 {
            *busy = false;
            capacity.control.capacity(false);
        }
    }
}
