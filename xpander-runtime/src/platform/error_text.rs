//! Error text from HTTP failures: the whole cause chain, and response bodies cut to a readable
//! length.

/// Body text kept in an error, in characters.
const ERROR_BODY_LIMIT: usize = 512;

/// An error with its causes, which reqwest keeps out of its own `Display`.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The first [`ERROR_BODY_LIMIT`] characters of `text`, saying how long it was when cut.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(ERROR_BODY_LIMIT) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
        None => text.to_owned(),
    }
}
