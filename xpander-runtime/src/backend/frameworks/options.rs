//! How a rendering is done: whether secrets show, and whether the caller blocks (some
//! frameworks pick a synchronous or an asynchronous driver by it).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Secret;

/// Whether a rendering shows secrets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret is written as `"[REDACTED]"` (the default).
    #[default]
    Redact,
    /// Secrets are written in clear.
    Reveal,
}

impl Secrets {
    /// A secret as JSON, per this mode.
    pub fn show(self, secret: &Secret) -> Value {
        match self {
            Self::Redact => Value::String("[REDACTED]".into()),
            Self::Reveal => Value::String(secret.expose().to_owned()),
        }
    }

    /// Headers as a JSON object, values per this mode.
    pub fn headers(self, headers: &BTreeMap<String, Secret>) -> Value {
        Value::Object(
            headers
                .iter()
                .map(|(name, value)| (name.clone(), self.show(value)))
                .collect(),
        )
    }
}

/// Options of a rendering, handed to every [`FrameworkAdapter`](super::FrameworkAdapter).
///
/// ```
/// use xpander_runtime::backend::{RenderOptions, Secrets};
///
/// let options = RenderOptions::new(Secrets::Reveal).blocking(true);
/// assert_eq!(options.secrets, Secrets::Reveal);
/// assert!(options.blocking);
/// assert_eq!(RenderOptions::default().secrets, Secrets::Redact);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Whether secrets are shown.
    pub secrets: Secrets,
    /// Whether the framework runs the agent from blocking code: Agno then gets its synchronous
    /// database driver (`PostgresDb`) instead of the asynchronous one.
    pub blocking: bool,
}

impl RenderOptions {
    /// Options with these secrets, for an async caller.
    pub fn new(secrets: Secrets) -> Self {
        Self {
            secrets,
            blocking: false,
        }
    }

    /// The same options for a blocking (`true`) or an async caller.
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }
}
