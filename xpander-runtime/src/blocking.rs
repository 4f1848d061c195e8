//! Running an async call to completion from synchronous code.

use std::future::Future;
use std::sync::OnceLock;

/// Runs `future` to completion and returns its output, from plain synchronous code or from
/// inside a tokio runtime alike.
///
/// Calls run on one process-wide background runtime, so pooled connections stay valid between
/// calls. Inside a runtime the wait happens on a scoped helper thread, because blocking a
/// runtime thread on another runtime panics ("cannot start a runtime from within a runtime").
pub(crate) fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return runtime().block_on(future);
    }
    std::thread::scope(|scope| {
        scope
            .spawn(|| runtime().block_on(future))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("xpander-blocking")
            .enable_all()
            .build()
            // Failing to start a runtime means the OS refused a thread; nothing can proceed.
            .expect("the xpander blocking runtime could not start")
    })
}
