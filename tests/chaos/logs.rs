//! Every log line of the test process, at TRACE, in one buffer: `tracing` events (the worker,
//! the devserver, hyper-util) and `log` records (reqwest), as a user's subscriber would see them.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::Level;

type Buffer = Arc<Mutex<Vec<u8>>>;

static CAPTURED: OnceLock<Buffer> = OnceLock::new();

/// Starts capturing (once per process; every test of this binary shares the buffer).
pub fn capture() {
    CAPTURED.get_or_init(|| {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other subscriber in the chaos tests");
        tracing_log::LogTracer::builder()
            .with_max_level(tracing_log::log::LevelFilter::Trace)
            .init()
            .expect("no other logger in the chaos tests");
        buffer
    });
}

/// Everything captured so far.
pub fn text() -> String {
    let buffer = CAPTURED.get().expect("capture() ran");
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

struct Sink(Buffer);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
