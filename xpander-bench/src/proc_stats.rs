//! Figures the kernel keeps in `/proc`: a process's memory and CPU time, and the machine's
//! load and steal time (CPU taken by other guests of a virtual machine's host, which makes a
//! run slower through no fault of the code under test).

/// The kernel's clock ticks (`USER_HZ`) in milliseconds: 100 ticks a second on Linux.
const TICK_MS: f64 = 10.0;

/// A `/proc/<pid>/status` memory figure in kB (`VmRSS`: now; `VmHWM`: the peak so far).
pub fn memory_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// CPU time (user + system) a process used so far, in milliseconds; `None` for this process.
pub fn cpu_ms(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // The fields after the parenthesised command name (which may hold spaces): the state is
    // the 1st, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 * TICK_MS)
}

/// The machine's steal time so far, over all CPUs, in milliseconds.
pub fn steal_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let steal: u64 = cpu.split_whitespace().nth(7)?.parse().ok()?;
    Some(steal as f64 * TICK_MS)
}

/// The one-minute load average.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_figures() {
        assert!(cpu_ms(None).is_some());
        assert!(memory_kb(std::process::id(), "VmRSS").unwrap() > 0);
        assert!(steal_ms().is_some() && load_average().is_some());
    }
}
