//! The system prompt of a run, composed from [`AgentArgs`] in the order and shape Agno builds
//! its own from the same arguments: the description, the instructions, the additional
//! information (markdown, the current time), the expected output, the additional context.

use chrono::{DateTime, Utc};

use crate::backend::AgentArgs;

/// The system prompt for `args` at time `now`.
pub(super) fn system_prompt(args: &AgentArgs, now: DateTime<Utc>) -> String {
    let mut prompt = String::new();
    if !args.description.trim().is_empty() {
        prompt.push_str(&format!("{}\n", args.description));
    }
    if !args.instructions.trim().is_empty() {
        prompt.push_str(&format!("{}\n\n", args.instructions));
    }
    let mut information = Vec::new();
    if args.output.markdown == Some(true) && args.output.schema.is_none() {
        information.push("Use markdown to format your answers.".to_owned());
    }
    if args.datetime.enabled {
        // The time zone is UTC: the platform's default, and the only one without a zone database.
        let time = now.format(&args.datetime.format);
        information.push(format!("The current time is {time}."));
    }
    if !information.is_empty() {
        prompt.push_str("<additional_information>");
        for line in information {
            prompt.push_str(&format!("\n- {line}"));
        }
        prompt.push_str("\n</additional_information>\n\n");
    }
    let expected = args.expected_output.trim();
    if !expected.is_empty() {
        prompt.push_str(&format!(
            "<expected_output>\n{expected}\n</expected_output>\n\n"
        ));
    }
    if let Some(context) = args.additional_context.as_deref().filter(|c| !c.is_empty()) {
        prompt.push_str(&format!("{context}\n"));
    }
    // Agno sends its prompt stripped.
    prompt.trim().to_owned()
}
