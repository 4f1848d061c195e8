//! What a paused task waits for: a person's approval or a credential authorization.

use serde::{Deserialize, Serialize};

/// A pending human-in-the-loop request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitlRequest {
    /// The graph node waiting for the person.
    pub wait_node_id: String,
}

/// A pending external credential authorization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingEcaRequest {
    /// The connector asking.
    pub connector_name: String,
    /// Where the user authorizes it.
    pub auth_url: String,
}
