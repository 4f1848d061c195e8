//! [`init_tracing`]: an opt-in log output for binaries. The library itself installs nothing.

use std::io::IsTerminal;

use tracing_subscriber::filter::Targets;

/// Prints the SDK's (and your) `tracing` events to stderr, filtered by `RUST_LOG` (default
/// `info`). Call it from `main` if you have no subscriber of your own; it does nothing when one
/// is already installed. Same as [`init_tracing_with`]`("info")`.
///
/// ```
/// xpander_runtime::init_tracing();
/// tracing::info!("visible on stderr");
/// ```
pub fn init_tracing() {
    init_tracing_with("info");
}

/// Prints `tracing` events to stderr, filtered by `RUST_LOG`, or by `default_filter` when
/// `RUST_LOG` is unset or does not parse.
///
/// A filter is a comma-separated list of `level` and `target=level` directives, such as
/// `warn,xpander_runtime=debug`. Colours are used only when stderr is a terminal and `NO_COLOR`
/// is unset, so logs written to files and pipes stay plain text.
///
/// ```
/// xpander_runtime::init_tracing_with("warn,my_worker=debug");
/// ```
pub fn init_tracing_with(default_filter: &str) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .or_else(|| default_filter.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(use_colour(std::io::stderr().is_terminal()))
        .with_writer(std::io::stderr)
        .finish();
    use tracing_subscriber::layer::SubscriberExt;
    let _ = tracing::subscriber::set_global_default(subscriber.with(filter));
}

/// Colour only on a terminal, and never with `NO_COLOR` set to anything but the empty string
/// (<https://no-color.org>).
fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::use_colour;

    #[test]
    fn colour_needs_a_terminal() {
        // Tests run with stderr captured, as a pipe or file would be.
        assert!(!use_colour(false));
    }
}
