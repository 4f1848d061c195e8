//! One run's figures (the JSON line), computed from the devserver's own task timestamps, so
//! every implementation is timed by the same clock.

use serde::Serialize;
use xpander_devserver::TaskInfo;
use xpander_runtime::model::Timestamp;

use crate::scenario::{Impl, Work};

/// The figures of one run; printed as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct RunFigures {
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    pub handler: String,
    pub tasks: usize,
    pub concurrency: usize,
    /// From the first task's `created_at` to the last task's `finished_at`.
    pub seconds: f64,
    pub tasks_per_s: f64,
    /// `created_at` → `finished_at`, per task.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The worker's `VmHWM` at the end of the run.
    pub peak_rss_kb: Option<u64>,
    /// From the process spawn to the devserver seeing the worker's connection.
    pub startup_ms: Option<f64>,
    /// The worker's `VmRSS` once registered, before any task (the idle footprint).
    pub idle_rss_kb: Option<u64>,
    /// CPU time the worker process used during the run (creation to last finish and a bit).
    pub worker_cpu_ms: Option<f64>,
    /// CPU time the benchmark process (the devserver and the REST client) used meanwhile.
    pub server_cpu_ms: Option<f64>,
    /// CPU time the machine's host gave other guests during the run (a noisy neighbour).
    pub steal_ms: Option<f64>,
    /// Tasks that ended `completed` (the others ended in another terminal status).
    pub completed: usize,
}

impl RunFigures {
    /// The timing figures of `tasks`; memory and start-up are filled in by the caller.
    pub fn from_tasks(
        implementation: Impl,
        work: Work,
        concurrency: usize,
        tasks: &[TaskInfo],
    ) -> Result<Self, String> {
        let mut first_created = f64::INFINITY;
        let mut last_finished = f64::NEG_INFINITY;
        let mut latencies = Vec::with_capacity(tasks.len());
        let mut completed = 0;
        for info in tasks {
            let task = &info.task;
            let created = seconds(&task.created_at)
                .ok_or_else(|| format!("task {}: unreadable created_at", task.id))?;
            let finished = task
                .finished_at
                .as_ref()
                .and_then(seconds)
                .ok_or_else(|| format!("task {} has no finished_at", task.id))?;
            first_created = first_created.min(created);
            last_finished = last_finished.max(finished);
            latencies.push((finished - created) * 1000.0);
            completed += usize::from(task.status.as_str() == "completed");
        }
        if latencies.is_empty() {
            return Err("no tasks".into());
        }
        latencies.sort_by(f64::total_cmp);
        let span = (last_finished - first_created).max(1e-6);
        Ok(Self {
            implementation: implementation.as_str(),
            handler: work.to_string(),
            tasks: tasks.len(),
            concurrency,
            seconds: round(span, 3),
            tasks_per_s: round(tasks.len() as f64 / span, 1),
            p50_ms: round(percentile(&latencies, 50.0), 2),
            p99_ms: round(percentile(&latencies, 99.0), 2),
            peak_rss_kb: None,
            startup_ms: None,
            idle_rss_kb: None,
            worker_cpu_ms: None,
            server_cpu_ms: None,
            steal_ms: None,
            completed,
        })
    }
}

/// Unix seconds, with microseconds.
pub fn seconds(at: &Timestamp) -> Option<f64> {
    at.parse()
        .map(|t| t.timestamp_micros() as f64 / 1_000_000.0)
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }
}
