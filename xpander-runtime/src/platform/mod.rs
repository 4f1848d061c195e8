//! The platform: one handle ([`Platform`]), every endpoint listed once ([`routes`]), and how a
//! request is sent (the key, timeouts, retries, typed errors) and its answer read.

mod client;
pub(crate) mod endpoint;
pub(crate) mod error_text;
mod handle;
mod request;
pub(crate) mod routes;

#[cfg(feature = "agent")]
pub(crate) use client::model_client;
pub(crate) use client::tls_config;
pub use handle::Platform;
