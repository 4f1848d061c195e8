//! What a `#[register_tool]` fn and a tool hook may look like, checked by traits the macros'
//! output names (as [`crate::handler`] does for task handlers): a wrong type is reported on
//! that type, with the rule.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::ToolCallInfo;
use crate::registry::ToolResult;

/// A `#[register_tool]` output that is not a `Result`: anything `Serialize`, sent to the model
/// as JSON.
#[diagnostic::on_unimplemented(
    message = "`#[register_tool]` tools return a `Serialize` value or `Result<T: Serialize, E: Display>`, not `{Self}`",
    label = "not `Serialize`",
    note = "the output goes back to the model as JSON: derive or implement `serde::Serialize`"
)]
pub trait ToolOutput {
    /// The output as JSON.
    fn into_tool_result(self) -> ToolResult;
}

impl<T: Serialize> ToolOutput for T {
    fn into_tool_result(self) -> ToolResult {
        serde_json::to_value(self).map_err(|e| format!("the tool's output is not JSON: {e}"))
    }
}

/// A `#[register_tool]` output that is a `Result`: `Ok` goes to the model as JSON, `Err` as a
/// tool error it sees.
#[diagnostic::on_unimplemented(
    message = "`#[register_tool]` tools return `Result<T, E>` with `T: Serialize` and `E: Display`, not `{Self}`",
    label = "expected `Result<T: Serialize, E: Display>`"
)]
pub trait ToolOutcome {
    /// The output as JSON, or the error's text.
    fn into_tool_result(self) -> ToolResult;
}

impl<T: Serialize, E: Display> ToolOutcome for Result<T, E> {
    fn into_tool_result(self) -> ToolResult {
        match self {
            Ok(value) => ToolOutput::into_tool_result(value),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The arguments of a local tool, read from the model's JSON; a mismatch is an error the model
/// sees, naming what is wrong.
pub fn tool_arguments<T: DeserializeOwned>(arguments: Value) -> Result<T, String> {
    // A model that sends nothing for a tool without arguments sends `{}`.
    let arguments = match arguments {
        Value::Null => Value::Object(Default::default()),
        other => other,
    };
    serde_path_to_error::deserialize(arguments).map_err(|e| {
        let path = e.path().to_string();
        match path.as_str() {
            "." => format!("invalid arguments: {}", e.inner()),
            _ => format!("invalid arguments at `{path}`: {}", e.inner()),
        }
    })
}

/// The JSON schema of a local tool's arguments.
pub fn tool_schema<T: schemars::JsonSchema>() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    if let Some(fields) = schema.as_object_mut() {
        // The model needs the shape, not the meta-schema or the generated struct's name.
        fields.remove("$schema");
        fields.remove("title");
    }
    schema
}

/// The argument of a tool hook: `&ToolCallInfo`.
#[diagnostic::on_unimplemented(
    message = "tool hooks take the call as `&ToolCallInfo`, not `{Self}`",
    label = "expected `&ToolCallInfo`",
    note = "valid forms: `#[on_tool_before] async fn(&ToolCallInfo)`, `#[on_tool_after] async fn(&ToolCallInfo, &Value)`, `#[on_tool_error] async fn(&ToolCallInfo, &str)`, returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait ToolCallArgument<'a> {
    /// Passes the call on.
    fn from_call(call: &'a ToolCallInfo) -> Self;
}

impl<'a> ToolCallArgument<'a> for &'a ToolCallInfo {
    fn from_call(call: &'a ToolCallInfo) -> Self {
        call
    }
}

/// The second argument of an `#[on_tool_after]` hook: the result, `&serde_json::Value`.
#[diagnostic::on_unimplemented(
    message = "the second argument of an `#[on_tool_after]` hook is the result, `&Value`, not `{Self}`",
    label = "expected `&serde_json::Value`",
    note = "valid form: `#[on_tool_after] async fn(&ToolCallInfo, &Value)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait ToolResultArgument<'a> {
    /// Passes the result on.
    fn from_result(result: &'a Value) -> Self;
}

impl<'a> ToolResultArgument<'a> for &'a Value {
    fn from_result(result: &'a Value) -> Self {
        result
    }
}

/// The second argument of an `#[on_tool_error]` hook: the error's text, `&str`.
#[diagnostic::on_unimplemented(
    message = "the second argument of an `#[on_tool_error]` hook is the error's text, `&str`, not `{Self}`",
    label = "expected `&str`",
    note = "valid form: `#[on_tool_error] async fn(&ToolCallInfo, &str)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
)]
pub trait ToolErrorArgument<'a> {
    /// Passes the error on.
    fn from_error(error: &'a str) -> Self;
}

impl<'a> ToolErrorArgument<'a> for &'a str {
    fn from_error(error: &'a str) -> Self {
        error
    }
}
