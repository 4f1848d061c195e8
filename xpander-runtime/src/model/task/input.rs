//! What a task asks: the prompt, its files and attachments, and the user (and principal)
//! asking.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::decode::null_default;
use crate::model::open_enum::open_enum;

/// What the agent is asked: a prompt, files and the user asking.
///
/// ```
/// use xpander_runtime::model::AgentExecutionInput;
///
/// let input = AgentExecutionInput::from("hello");
/// assert_eq!(input.text, "hello");
/// assert!(input.files.is_empty() && input.user.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentExecutionInput {
    /// The prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub text: String,
    /// File URLs.
    #[serde(default, deserialize_with = "null_default")]
    pub files: Vec<String>,
    /// Per-file metadata; preferred over `files` when present.
    #[serde(default, deserialize_with = "null_default")]
    pub attachments: Vec<Attachment>,
    /// The user asking.
    #[serde(default)]
    pub user: Option<User>,
    /// The typed identity of the caller.
    #[serde(default)]
    pub principal: Option<Principal>,
}

impl From<String> for AgentExecutionInput {
    fn from(text: String) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }
}

impl From<&str> for AgentExecutionInput {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

/// The user a task runs for. `email` is required by the platform.
///
/// ```
/// use xpander_runtime::model::User;
///
/// let user = User::new("ada@example.com").with_id("u1");
/// assert_eq!(serde_json::to_value(&user).unwrap()["first_name"], serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    #[serde(default)]
    pub id: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email address (required).
    pub email: String,
    /// Anything else the caller knows about the user.
    #[serde(default)]
    pub additional_attributes: Option<Map<String, Value>>,
    /// IANA time zone, e.g. `America/New_York`.
    #[serde(default)]
    pub timezone: Option<String>,
}

impl User {
    /// A user with this email.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }

    /// The same user with this id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

open_enum! {
    /// The door a caller came through.
    pub enum PrincipalKind {
        /// A person.
        User = "user",
        /// A Slack user.
        Slack = "slack",
        /// An API key.
        ApiKey = "api_key",
        /// A machine.
        System = "system",
        /// A guest.
        Anonymous = "anonymous",
    }
}

/// The typed identity behind a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// The door the caller came through.
    pub kind: PrincipalKind,
    /// The caller's id (no `:` or whitespace).
    pub id: String,
    /// Email, if known.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name, if known.
    #[serde(default)]
    pub display_name: Option<String>,
}

open_enum! {
    /// A coarse class of attachment.
    pub enum AttachmentKind {
        /// An image.
        Image = "image",
        /// A PDF.
        Pdf = "pdf",
        /// An office document.
        Document = "document",
        /// Text.
        Text = "text",
        /// Audio.
        Audio = "audio",
        /// Video.
        Video = "video",
        /// An archive.
        Archive = "archive",
        /// Anything else.
        Unknown = "unknown",
    }
}

/// Metadata of an input file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Where the file is.
    pub url: String,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub mime: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Coarse class.
    #[serde(default)]
    pub kind: Option<AttachmentKind>,
    /// SHA-256 of the content.
    #[serde(default)]
    pub sha256: Option<String>,
    /// When `url` stops working (ISO-8601).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Where the file came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Text derived from audio or images.
    #[serde(default)]
    pub transcript: Option<String>,
}
