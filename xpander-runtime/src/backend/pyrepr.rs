//! Python's `repr()` of a list of strings: the agent's role list reaches the LLM in this form
//! (`['Be concise', "It's fine"]`), so the bytes must be Python's.

use std::fmt::Write;

/// `repr(list_of_str)` as CPython 3 writes it: `[` + the items' reprs joined by `, ` + `]`.
pub(crate) fn list_of_str(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&str_repr(item));
    }
    out.push(']');
    out
}

/// `repr(s)`: single quotes unless the text has a `'` and no `"`; backslash, the chosen quote,
/// `\t`, `\n` and `\r` escaped; other non-printable characters as `\xhh`, `\uhhhh` or
/// `\Uhhhhhhhh`; printable non-ASCII text kept as it is.
pub(crate) fn str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let code = c as u32;
                // Writing to a String cannot fail.
                let _ = if code < 0x100 {
                    write!(out, "\\x{code:02x}")
                } else if code < 0x10000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character: false for the Unicode categories Cc, Cf, Co,
/// Zl, Zp and Zs (except the space). Unassigned code points (Cn, also non-printable in Python)
/// would need the Unicode tables and are treated as printable.
fn is_printable(c: char) -> bool {
    let code = c as u32;
    if c == ' ' {
        return true;
    }
    !(is_control(code) || is_separator(code) || is_format(code) || is_private_use(code))
}

fn is_control(code: u32) -> bool {
    code < 0x20 || (0x7f..=0x9f).contains(&code)
}

/// Zs (without the space), Zl and Zp.
fn is_separator(code: u32) -> bool {
    matches!(
        code,
        0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
    )
}

/// Cf, the format characters (Unicode 15).
fn is_format(code: u32) -> bool {
    matches!(
        code,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    )
}

fn is_private_use(code: u32) -> bool {
    matches!(code, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> String {
        list_of_str(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    // Expected values are what CPython 3.11 prints for `repr([...])`.
    #[test]
    fn quote_choice() {
        assert_eq!(list(&["be nice"]), "['be nice']");
        assert_eq!(list(&["it's"]), r#"["it's"]"#);
        assert_eq!(list(&[r#"say "hi""#]), r#"['say "hi"']"#);
        assert_eq!(list(&[r#"it's "x""#]), r#"['it\'s "x"']"#);
        assert_eq!(list(&[]), "[]");
        assert_eq!(list(&["a", "b"]), "['a', 'b']");
    }

    #[test]
    fn escapes() {
        assert_eq!(str_repr("back\\slash"), r"'back\\slash'");
        assert_eq!(str_repr("a\nb\tc\rd"), r"'a\nb\tc\rd'");
        assert_eq!(str_repr("\u{0}\u{7f}\u{1b}"), r"'\x00\x7f\x1b'");
        assert_eq!(str_repr("nb\u{a0}sp"), r"'nb\xa0sp'");
        assert_eq!(str_repr("zw\u{200b}sp"), r"'zw\u200bsp'");
        assert_eq!(str_repr("\u{2028}"), r"'\u2028'");
        assert_eq!(str_repr("\u{f0000}"), r"'\U000f0000'");
        assert_eq!(str_repr("\u{e0041}"), r"'\U000e0041'");
    }

    #[test]
    fn printable_unicode_is_kept() {
        assert_eq!(str_repr("café ✓ 日本 🚀"), "'café ✓ 日本 🚀'");
        assert_eq!(str_repr("Ünïcödé"), "'Ünïcödé'");
    }
}
