//! The final Markdown: every run, the Rust/Python ratios, and the targets, each marked
//! met or missed.

use std::fmt::Write;

use crate::figures::{RunFigures, round};
use crate::scenario::{PYTHON_SLOTS, Work};

/// One finished run with what it measured.
pub struct Run {
    pub work: Work,
    pub figures: RunFigures,
}

/// The whole report.
pub fn markdown(runs: &[Run]) -> String {
    let mut out = String::new();
    runs_table(&mut out, runs);
    ratios_table(&mut out, runs);
    targets(&mut out, runs);
    out
}

fn runs_table(out: &mut String, runs: &[Run]) {
    out.push_str("| impl | handler | concurrency | tasks | seconds | tasks/s | p50 ms | p99 ms | worker CPU µs/task | idle RSS kB | peak RSS kB | startup ms |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for Run { figures: f, .. } in runs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} |",
            f.implementation,
            f.handler,
            f.concurrency,
            f.tasks,
            f.seconds,
            f.tasks_per_s,
            f.p50_ms,
            f.p99_ms,
            cpu_per_task(f).map_or("–".into(), |ms| format!("{:.0}", ms * 1000.0)),
            or_dash(f.idle_rss_kb),
            or_dash(f.peak_rss_kb),
            f.startup_ms.map_or("–".into(), |ms| format!("{ms:.0}")),
        );
    }
    out.push('\n');
}

fn ratios_table(out: &mut String, runs: &[Run]) {
    let pairs: Vec<(&Run, &Run)> = rust_runs(runs)
        .filter_map(|rust| python_run(runs, rust.work).map(|python| (rust, python)))
        .collect();
    if pairs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Rust/Python (Python at its fixed {PYTHON_SLOTS} slots; above 1 means Rust is higher):\n"
    );
    out.push_str("| handler | rust concurrency | tasks/s | p50 latency | p99 latency | idle RSS | peak RSS | start-to-registered |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (rust, python) in pairs {
        let (r, p) = (&rust.figures, &python.figures);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.handler,
            r.concurrency,
            ratio(Some(r.tasks_per_s), Some(p.tasks_per_s)),
            ratio(Some(r.p50_ms), Some(p.p50_ms)),
            ratio(Some(r.p99_ms), Some(p.p99_ms)),
            ratio(
                r.idle_rss_kb.map(|v| v as f64),
                p.idle_rss_kb.map(|v| v as f64)
            ),
            ratio(
                r.peak_rss_kb.map(|v| v as f64),
                p.peak_rss_kb.map(|v| v as f64)
            ),
            ratio(r.startup_ms, p.startup_ms),
        );
    }
    out.push('\n');
}

fn targets(out: &mut String, runs: &[Run]) {
    let mut lines = Vec::new();
    let ceiling = runs
        .iter()
        .find(|r| r.figures.implementation == "ceiling")
        .map(|r| r.figures.tasks_per_s);
    for rust in rust_runs(runs) {
        let r = &rust.figures;
        let at = format!("{} at concurrency {}", r.handler, r.concurrency);
        let python = python_run(runs, rust.work).map(|p| &p.figures);
        if rust.work == Work::Noop {
            if let Some(p) = python {
                let x = r.tasks_per_s / p.tasks_per_s;
                lines.push(check(
                    x >= 30.0,
                    format!("{at}: tasks/s {:.1}× Python (target ≥ 30×)", x),
                ));
            }
            if let Some(ceiling) = ceiling {
                let share = r.tasks_per_s / ceiling;
                lines.push(check(
                    share >= 0.5,
                    format!(
                        "{at}: {:.0}% of the devserver ceiling ({ceiling:.0} tasks/s; target ≥ 50%)",
                        share * 100.0
                    ),
                ));
            }
        }
        if rust.work == Work::Agent(std::time::Duration::ZERO) {
            if let Some(p) = python {
                let x = r.tasks_per_s / p.tasks_per_s;
                lines.push(check(
                    x >= 50.0,
                    format!("{at}: tasks/s {x:.1}× Python (target ≥ 50×)"),
                ));
            }
            if let Some(ms) = cpu_per_task(r) {
                lines.push(check(
                    ms <= 1.0,
                    format!(
                        "{at}: worker CPU {:.0} µs per agent task (target ≤ 1 ms)",
                        ms * 1000.0
                    ),
                ));
            }
        }
        if rust.work == Work::Noop
            && let Some(ms) = cpu_per_task(r)
        {
            lines.push(check(
                ms <= 0.15,
                format!(
                    "{at}: worker CPU {:.0} µs per task (target ≤ 150 µs)",
                    ms * 1000.0
                ),
            ));
        }
        if let Some(ideal) = rust.work.ideal_rate(r.concurrency) {
            let share = r.tasks_per_s / ideal;
            lines.push(check(
                share >= 0.8,
                format!(
                    "{at}: {:.0}% of {} / {} s = {ideal:.0} tasks/s (target ≥ 80%)",
                    share * 100.0,
                    r.concurrency,
                    ideal_seconds(rust.work)
                ),
            ));
        }
        if let Some(p) = python {
            if let (Some(ri), Some(pi)) = (r.idle_rss_kb, p.idle_rss_kb) {
                let share = ri as f64 / pi as f64;
                lines.push(check(
                    share <= 1.0 / 8.0,
                    format!(
                        "{at}: idle RSS {ri} kB = 1/{:.1} of Python's {pi} kB (target ≤ 1/8)",
                        1.0 / share
                    ),
                ));
            }
            if let (Some(rs), Some(ps)) = (r.startup_ms, p.startup_ms) {
                let share = rs / ps;
                lines.push(check(
                    share <= 0.1,
                    format!(
                        "{at}: start-to-registered {rs:.0} ms = 1/{:.0} of Python's {ps:.0} ms (target ≤ 1/10)",
                        1.0 / share
                    ),
                ));
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    out.push_str("Targets:\n\n");
    for line in lines {
        let _ = writeln!(out, "- {line}");
    }
}

fn rust_runs(runs: &[Run]) -> impl Iterator<Item = &Run> {
    runs.iter().filter(|r| r.figures.implementation == "rust")
}

fn python_run(runs: &[Run], work: Work) -> Option<&Run> {
    runs.iter()
        .find(|r| r.figures.implementation == "python" && r.work == work)
}

fn ideal_seconds(work: Work) -> f64 {
    match work {
        Work::Sleep(d) | Work::Agent(d) => d.as_secs_f64(),
        Work::Noop | Work::Echo(_) => 0.0,
    }
}

/// The worker's CPU time per task, in milliseconds.
fn cpu_per_task(f: &RunFigures) -> Option<f64> {
    f.worker_cpu_ms.map(|ms| ms / f.tasks.max(1) as f64)
}

fn check(met: bool, what: String) -> String {
    format!("{} {what}", if met { "**met**:" } else { "**MISSED**:" })
}

/// `rust / python`, as a plain factor (`×31.2`) or a fraction (`1/15.3`).
fn ratio(rust: Option<f64>, python: Option<f64>) -> String {
    match (rust, python) {
        (Some(r), Some(p)) if r > 0.0 && p > 0.0 => {
            let x = r / p;
            if x >= 1.0 {
                format!("×{}", round(x, 1))
            } else {
                format!("1/{}", round(1.0 / x, 1))
            }
        }
        _ => "–".into(),
    }
}

fn or_dash(value: Option<u64>) -> String {
    value.map_or("–".into(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn ratios_read_both_ways() {
        assert_eq!(ratio(Some(62.0), Some(2.0)), "×31");
        assert_eq!(ratio(Some(10.0), Some(80.0)), "1/8");
        assert_eq!(ratio(None, Some(1.0)), "–");
    }
}
