//! The model's answer as the task's result: for a JSON task, JSON (a code fence or a leading
//! `</think>` block dropped) that matches the task's schema.
//!
//! The schema check covers what output schemas use: `type`, `properties`, `required`,
//! `additionalProperties: false`, `items`, `enum` and `const`; other keywords are not checked.

use serde_json::Value;

/// The task's result from the model's answer `text`; `schema` is set for a JSON task that has
/// one, `json` for any JSON task.
pub(super) fn result(text: &str, json: bool, schema: Option<&Value>) -> Result<String, String> {
    if !json {
        return Ok(text.to_owned());
    }
    let body = strip(text);
    let value: Value = serde_json::from_str(body)
        .map_err(|e| format!("the answer is not JSON ({e}): {}", preview(text)))?;
    if let Some(schema) = schema {
        check(schema, &value, "$")?;
    }
    Ok(body.to_owned())
}

/// The JSON inside a code fence, after any `</think>` block.
fn strip(text: &str) -> &str {
    let text = text
        .rsplit_once("</think>")
        .map_or(text, |(_, after)| after)
        .trim();
    text.strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(text)
        .trim()
}

fn preview(text: &str) -> String {
    let cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// Checks `value` at `path` against `schema`; the first mismatch, named by its path.
fn check(schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Ok(());
    };
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.is_empty() && !allowed.iter().any(|t| is(value, t)) {
            return Err(format!(
                "{path} should be {}, not {}",
                allowed.join(" or "),
                kind(value)
            ));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!(
            "{path} should be one of {}",
            Value::Array(options.clone())
        ));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        return Err(format!("{path} should be {constant}"));
    }
    if let Value::Object(fields) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str()
                && !fields.contains_key(name)
            {
                return Err(format!("{path}.{name} is required"));
            }
        }
        for (name, field) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(sub) => check(sub, field, &format!("{path}.{name}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{path}.{name} is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        for (i, element) in items.iter().enumerate() {
            check(item, element, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

fn is(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::result;

    fn schema() -> serde_json::Value {
        json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "array", "items": {"type": "integer"}},
                "unit": {"enum": ["c", "f"]}
            },
            "required": ["city"],
            "additionalProperties": false
        })
    }

    #[test]
    fn a_matching_answer_is_kept_without_its_fence() {
        let text = "```json\n{\"city\": \"Oslo\", \"days\": [1, 2], \"unit\": \"c\"}\n```";
        let kept = result(text, true, Some(&schema())).unwrap();
        assert_eq!(
            kept,
            "{\"city\": \"Oslo\", \"days\": [1, 2], \"unit\": \"c\"}"
        );
        assert_eq!(result("plain", false, None).unwrap(), "plain");
    }

    #[test]
    fn mismatches_are_named_by_path() {
        let check = |value: serde_json::Value| {
            result(&value.to_string(), true, Some(&schema())).unwrap_err()
        };
        assert_eq!(check(json!({"days": []})), "$.city is required");
        assert_eq!(
            check(json!({"city": "Oslo", "days": [1, "two"]})),
            "$.days[1] should be integer, not a string"
        );
        assert_eq!(
            check(json!({"city": "Oslo", "wind": 3})),
            "$.wind is not in the schema"
        );
        assert!(check(json!({"city": "Oslo", "unit": "k"})).starts_with("$.unit should be one of"));
        assert!(
            result("sunny", true, None)
                .unwrap_err()
                .starts_with("the answer is not JSON")
        );
    }
}
