//! Catching panics: in the call that makes a future, while the future is polled, and in sync
//! code run on a thread of its own. A panic in user code fails that task or hook, never the caller.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

/// An outcome, or the payload of the panic that prevented it.
pub(crate) type Caught<T> = Result<T, Box<dyn Any + Send>>;

/// Calls `call` and polls the future it returns, catching a panic in either.
pub(crate) async fn caught<Fut: Future>(call: impl FnOnce() -> Fut) -> Caught<Fut::Output> {
    let future = std::panic::catch_unwind(AssertUnwindSafe(call))?;
    AssertUnwindSafe(future).catch_unwind().await
}

/// Runs a blocking `call` on a thread of its own, catching a panic. Not tokio's blocking pool:
/// a runtime waits for its blocking tasks when it shuts down, so a sync handler that never
/// returns would keep the process from exiting; a detached thread is left behind instead.
pub(crate) async fn on_own_thread<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Caught<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let started = std::thread::Builder::new()
        .name("xpander-sync-handler".into())
        .spawn(move || {
            let _ = answer.send(std::panic::catch_unwind(AssertUnwindSafe(call)));
        });
    if let Err(e) = started {
        return Err(Box::new(format!("no thread could be started for it: {e}")));
    }
    answered
        .await
        .unwrap_or_else(|_| Err(Box::new("its thread ended without an answer")))
}

/// The message of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}
