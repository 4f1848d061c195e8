//! JSON text as Python's `json.dumps` writes it by default: `", "` and `": "` separators and
//! non-ASCII escaped as `\uXXXX`. Used where those bytes reach the platform or an LLM.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};

struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut units = [0u16; 2];
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        // Python writes DEL-free control characters as \u00XX, like serde_json, and `/` plainly.
        serde_json::ser::CompactFormatter.write_char_escape(w, escape)
    }
}

/// `json.dumps(value)` as Python writes it: `{"a": [1, "\u00e9"]}`.
pub(crate) fn dumps(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, PythonFormatter);
    // Serialising to memory fails only for non-string map keys, which JSON values never have.
    value
        .serialize(&mut serializer)
        .expect("JSON values serialise");
    String::from_utf8(out).expect("the formatter writes ASCII")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::dumps;

    #[test]
    fn matches_python_default_formatting() {
        assert_eq!(dumps(&json!({"answer": 42})), r#"{"answer": 42}"#);
        assert_eq!(
            dumps(&json!({"a": [1, 2], "b": {"c": null}})),
            r#"{"a": [1, 2], "b": {"c": null}}"#
        );
        assert_eq!(dumps(&json!("é😀\n\"")), r#""\u00e9\ud83d\ude00\n\"""#);
        assert_eq!(dumps(&json!([])), "[]");
        assert_eq!(dumps(&json!({})), "{}");
    }
}
