//! What a run measures: which worker, which handler, how many tasks at once.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The worker under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Impl {
    /// `examples/echo_worker.rs`, release build.
    Rust,
    /// The official `xpander-sdk[agno]==2.0.537` worker running `xpander-bench/python_worker.py`.
    Python,
    /// No worker: the devserver's own rate for the same request mix (see `ceiling.rs`).
    Ceiling,
}

impl Impl {
    pub fn as_str(self) -> &'static str {
        match self {
            Impl::Rust => "rust",
            Impl::Python => "python",
            Impl::Ceiling => "ceiling",
        }
    }
}

impl FromStr for Impl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "rust" => Ok(Impl::Rust),
            "python" => Ok(Impl::Python),
            other => Err(format!("{other:?} is not a worker: use rust or python")),
        }
    }
}

/// The handler's work. For `noop` and `sleep` it is chosen by the task's prompt, which both
/// echo workers parse the same way (`sleep:MS rest` sleeps MS milliseconds then answers
/// `rest`; anything else is echoed); `agent` runs the agent workers instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// Answer at once: measures the worker's own overhead.
    Noop,
    /// Sleep this long first: I/O-bound work, measures concurrency.
    Sleep(Duration),
    /// Run the agent configured on the devserver: a platform tool call, then an answer, from
    /// the scripted LLM, which takes this long in all (half on each of the two model calls).
    Agent(Duration),
    /// Echo a prompt of this many bytes: the result is as large (the cost per byte).
    Echo(usize),
}

impl Work {
    /// The prompt that makes the echo handler do this work.
    pub fn prompt(self) -> String {
        match self {
            Work::Noop => "noop".to_owned(),
            Work::Sleep(d) => format!("sleep:{} noop", d.as_millis()),
            Work::Agent(_) => "What is the weather in Oslo?".to_owned(),
            Work::Echo(bytes) => "x".repeat(bytes),
        }
    }

    /// The best possible rate with `slots` tasks at once, when the work has a floor.
    pub fn ideal_rate(self, slots: usize) -> Option<f64> {
        match self {
            Work::Noop => None,
            Work::Sleep(d) | Work::Agent(d) if !d.is_zero() => Some(slots as f64 / d.as_secs_f64()),
            Work::Sleep(_) | Work::Agent(_) | Work::Echo(_) => None,
        }
    }
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Work::Noop => f.write_str("noop"),
            Work::Sleep(d) => write!(f, "sleep:{}", d.as_millis()),
            Work::Agent(d) => write!(f, "agent:{}", d.as_millis()),
            Work::Echo(bytes) if bytes % (1 << 20) == 0 => write!(f, "echo:{}m", bytes >> 20),
            Work::Echo(bytes) if bytes % (1 << 10) == 0 => write!(f, "echo:{}k", bytes >> 10),
            Work::Echo(bytes) => write!(f, "echo:{bytes}"),
        }
    }
}

impl FromStr for Work {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s == "noop" {
            return Ok(Work::Noop);
        }
        if let Some(size) = s.strip_prefix("echo:") {
            let (digits, scale) = match size.as_bytes().last() {
                Some(b'k') => (&size[..size.len() - 1], 1 << 10),
                Some(b'm') => (&size[..size.len() - 1], 1 << 20),
                _ => (size, 1),
            };
            let bytes = digits
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{s:?} is not a handler: use echo:BYTES, e.g. echo:100k"))?;
            return Ok(Work::Echo(bytes * scale));
        }
        if s == "agent" {
            return Ok(Work::Agent(Duration::ZERO));
        }
        if let Some(millis) = s.strip_prefix("agent:") {
            let millis = millis
                .parse::<u64>()
                .map_err(|_| format!("{s:?} is not a handler: use agent:MS (the LLM's time)"))?;
            return Ok(Work::Agent(Duration::from_millis(millis)));
        }
        let millis = s
            .strip_prefix("sleep:")
            .and_then(|ms| ms.parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .ok_or_else(|| {
                format!("{s:?} is not a handler: use noop, sleep:MS (MS > 0) or agent:MS")
            })?;
        Ok(Work::Sleep(Duration::from_millis(millis)))
    }
}

/// The Python worker's concurrency: `max_sync_workers` cannot be changed there
/// (protocol.md §6.8), so it is always 6.
pub const PYTHON_SLOTS: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_parse_and_print_back() {
        for text in [
            "noop",
            "sleep:50",
            "agent:0",
            "agent:300",
            "echo:1k",
            "echo:1m",
            "echo:7",
        ] {
            assert_eq!(text.parse::<Work>().unwrap().to_string(), text);
        }
        assert!("sleep:x".parse::<Work>().is_err());
        assert!("sleep:0".parse::<Work>().is_err());
        assert_eq!(
            "sleep:50".parse::<Work>().unwrap().prompt(),
            "sleep:50 noop"
        );
        assert_eq!(
            "sleep:50".parse::<Work>().unwrap().ideal_rate(64),
            Some(1280.0)
        );
    }
}
