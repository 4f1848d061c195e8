//! The process's HTTP clients: one connection pool per connect timeout and tokio runtime, with
//! TLS on rustls and ring.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The pooled HTTP client for requests with this connect timeout on the current tokio runtime.
///
/// Every configuration shares it, so a handler that builds a `Backend` per task reuses warm
/// connections instead of paying for a new pool and TLS handshakes. It is kept per runtime
/// because a pooled connection is driven by the runtime that opened it and dies with it.
pub(crate) fn pooled(connect_timeout: Duration) -> reqwest::Client {
    cached(Purpose::Platform, connect_timeout, || {
        reqwest::Client::builder()
            .redirect(same_origin_redirects())
            .connect_timeout(connect_timeout)
    })
}

/// The pooled HTTP client for LLM calls that may each take up to `request_timeout`. It follows
/// no redirect: a model provider's key goes to the configured endpoint only.
#[cfg(feature = "agent")]
pub(crate) fn model_client(request_timeout: Duration) -> reqwest::Client {
    cached(Purpose::Models, request_timeout, || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(request_timeout)
    })
}

/// What a pooled client is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Platform,
    #[cfg(feature = "agent")]
    Models,
}

/// The client for `purpose` and `timeout` on the current runtime, built by `builder` (plus our
/// TLS, pool and user agent) the first time.
fn cached(
    purpose: Purpose,
    timeout: Duration,
    builder: impl FnOnce() -> reqwest::ClientBuilder,
) -> reqwest::Client {
    // Few entries: one per runtime, purpose and timeout. Runtime ids of ended runtimes are
    // reused, and their dead connections are dropped by the pool on checkout.
    const MOST: usize = 64;
    type Key = (Purpose, Duration, Option<tokio::runtime::Id>);
    static CLIENTS: Mutex<Vec<(Key, reqwest::Client)>> = Mutex::new(Vec::new());
    let key = (
        purpose,
        timeout,
        tokio::runtime::Handle::try_current().ok().map(|h| h.id()),
    );
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, client)) = clients.iter().find(|(k, _)| *k == key) {
        return client.clone();
    }
    let client = builder()
        .tls_backend_preconfigured(tls_config(&[b"h2", b"http/1.1"]))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(concat!("xpander-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        // Building fails only if the TLS backend cannot initialise, which no configuration
        // value influences.
        .expect("the HTTP client (rustls) could not be initialised");
    if clients.len() == MOST {
        clients.remove(0);
    }
    clients.push((key, client.clone()));
    client
}

/// Redirects are followed only within the origin they start from: reqwest strips
/// `Authorization` and cookies when a redirect leaves the host, but not `x-api-key`.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().last().map(reqwest::Url::origin);
        if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else if from.as_ref() == Some(&attempt.url().origin()) {
            attempt.follow()
        } else {
            let to = attempt.url().origin().ascii_serialization();
            attempt.error(format!(
                "refused a redirect to another origin ({to}): the API key goes only to the \
                 configured platform; point XPANDER_BASE_URL at the final address"
            ))
        }
    })
}

/// TLS for the runtime's clients: rustls on the ring provider with the operating system's
/// trust store, offering the `alpn` protocols. Given to each client directly, so the
/// process-wide default provider stays the application's choice (and ring builds in a fraction
/// of aws-lc's time).
pub(crate) fn tls_config(alpn: &[&[u8]]) -> rustls::ClientConfig {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        // ring supports the default protocol versions, and the verifier needs no set-up on
        // Linux, macOS or Windows: a failure here is a broken build, not a configuration.
        .expect("rustls (ring) with the platform verifier could not be initialised")
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}
