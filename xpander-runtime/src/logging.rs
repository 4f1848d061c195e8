//! [`init_tracing`]: an opt-in log output for binaries. The library itself installs nothing.

/// Prints the SDK's (and your) `tracing` events to stderr, filtered by `RUST_LOG` (default
/// `info`). Call it from `main` if you have no subscriber of your own; it does nothing when one
/// is already installed.
///
/// ```
/// xpander_runtime::init_tracing();
/// tracing::info!("visible on stderr");
/// ```
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
