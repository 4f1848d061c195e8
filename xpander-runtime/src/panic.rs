//! Catching panics: in the call that makes a future, while the future is polled, and on the
//! blocking pool. A panic in user code fails that task or hook, never the caller.

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

/// Runs a blocking `call` on tokio's blocking pool, catching a panic.
pub(crate) async fn on_blocking_pool<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Caught<T> {
    tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(call)))
        .await
        .unwrap_or_else(|join| Err(join.into_panic()))
}

/// The message of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}
