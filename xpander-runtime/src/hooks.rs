//! Running the `#[on_boot]` and `#[on_shutdown]` hooks of the registry. A hook's panic is
//! caught and reported like its error.

use std::time::Duration;

use tracing::{error, warn};

use crate::Error;
use crate::handler::{HandlerError, HookResult};
use crate::panic::{caught, on_own_thread, panic_message};
use crate::registry::{self, HookFn};

/// How long one shutdown hook may run.
const SHUTDOWN_HOOK_LIMIT: Duration = Duration::from_secs(10);

async fn run_hook(call: HookFn) -> HookResult {
    let caught = match call {
        HookFn::Async(call) => caught(call).await,
        HookFn::Blocking(call) => on_own_thread(call).await,
    };
    caught.unwrap_or_else(|panic| {
        Err(HandlerError::new(format_args!(
            "panicked: {}",
            panic_message(&*panic)
        )))
    })
}

/// Runs every `#[on_boot]` hook in registry order; the first failure stops start-up.
pub(crate) async fn run_boot_hooks() -> Result<(), Error> {
    for hook in registry::boot_hooks() {
        run_hook(hook.call()).await.map_err(|error| Error::Hook {
            kind: "boot",
            hook: hook.info().to_string(),
            message: error.to_string(),
        })?;
    }
    Ok(())
}

/// Runs every `#[on_shutdown]` hook in registry order, each bounded by
/// [`SHUTDOWN_HOOK_LIMIT`]; failures are logged and the next hook runs.
pub(crate) async fn run_shutdown_hooks() {
    let limit = SHUTDOWN_HOOK_LIMIT;
    for hook in registry::shutdown_hooks() {
        match tokio::time::timeout(limit, run_hook(hook.call())).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => error!(hook = %hook.info(), %error, "shutdown hook failed"),
            Err(_) => {
                warn!(hook = %hook.info(), limit_s = limit.as_secs_f64(), "shutdown hook timed out")
            }
        }
    }
}
