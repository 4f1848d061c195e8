//! [`PayloadExtension`]: extra payload the platform merges into tool calls, with the private
//! LLM-gateway route taken out.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::Secret;
use crate::secret::redact::ValuesRedacted;

/// A task's `payload_extension`: extra payload the platform merges into tool calls.
///
/// An LLM-gateway route (`llm_gateway`, which holds a token) is taken out when the task is
/// decoded and kept privately ([`Task::llm_gateway`](super::Task::llm_gateway)): it is never
/// saved back, serialised or printed. `Debug` shows the other keys without their values,
/// which may be credentials (`sso_fetch_key`, ...).
///
/// ```
/// use xpander_runtime::model::PayloadExtension;
///
/// let ext: PayloadExtension = serde_json::from_str(
///     r#"{"sso_fetch_key":"sso-1","llm_gateway":{"base_url":"https://gw","token":"gw-2"}}"#,
/// ).unwrap();
/// assert_eq!(ext.fields["sso_fetch_key"], "sso-1");
/// assert_eq!(serde_json::to_string(&ext).unwrap(), r#"{"sso_fetch_key":"sso-1"}"#);
/// let debug = format!("{ext:?}");
/// assert!(debug.contains("sso_fetch_key") && !debug.contains("sso-1") && !debug.contains("gw-2"));
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct PayloadExtension {
    /// Every key but `llm_gateway`.
    pub fields: Map<String, Value>,
    llm_gateway: Option<LlmGateway>,
}

impl PayloadExtension {
    /// An extension with these keys.
    pub fn new(fields: Map<String, Value>) -> Self {
        Self {
            fields,
            llm_gateway: None,
        }
    }

    /// The private gateway route, if the task came with one.
    pub(crate) fn llm_gateway(&self) -> Option<&LlmGateway> {
        self.llm_gateway.as_ref()
    }

    /// Drops the gateway route: one that did not come from the platform's delivery (a task
    /// posted to `/invoke`) is not to be trusted with the model's traffic.
    pub(crate) fn drop_llm_gateway(&mut self) {
        self.llm_gateway = None;
    }

    /// Moves the private gateway route over from an older copy of the same task.
    pub(crate) fn take_private_from(&mut self, older: &mut Self) {
        if self.llm_gateway.is_none() {
            self.llm_gateway = older.llm_gateway.take();
        }
    }
}

impl fmt::Debug for PayloadExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadExtension")
            .field("fields", &ValuesRedacted(&self.fields))
            .field("llm_gateway", &self.llm_gateway)
            .finish()
    }
}

impl Serialize for PayloadExtension {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PayloadExtension {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(deserializer)?;
        // A malformed route is dropped rather than failing the task: the worker then calls the
        // model directly, as it would without a route.
        let llm_gateway = fields
            .remove("llm_gateway")
            .and_then(|v| serde_json::from_value(v).ok());
        Ok(Self {
            fields,
            llm_gateway,
        })
    }
}

/// An LLM-gateway route delivered with a task: call the model through `base_url` with `token`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LlmGateway {
    /// The gateway's root URL.
    pub base_url: String,
    /// The run token.
    pub token: Secret,
}
