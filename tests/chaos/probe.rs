//! How many times the handler ran for each task.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Default)]
pub struct Runs {
    per_task: Mutex<HashMap<String, usize>>,
    total: AtomicUsize,
}

impl Runs {
    /// Counts a run of `task_id`; how many runs the handler has seen in all.
    pub fn record(&self, task_id: &str) -> usize {
        *self
            .per_task
            .lock()
            .unwrap()
            .entry(task_id.to_owned())
            .or_default() += 1;
        self.total.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The ids that did not run exactly once, with their counts; and ids run that were never
    /// created.
    pub fn not_once(&self, created: &[String]) -> Vec<(String, usize)> {
        let runs = self.per_task.lock().unwrap();
        let known: HashSet<&String> = created.iter().collect();
        let mut wrong: Vec<(String, usize)> = created
            .iter()
            .map(|id| (id.clone(), runs.get(id).copied().unwrap_or(0)))
            .filter(|(_, n)| *n != 1)
            .collect();
        wrong.extend(
            runs.iter()
                .filter(|(id, _)| !known.contains(id))
                .map(|(id, n)| (id.clone(), *n)),
        );
        wrong
    }
}
