//! Splitting a command line the way a POSIX shell (and Python's `shlex.split`) does, for local
//! MCP server commands.

/// The words of `line`: whitespace separates words; `'…'` is literal; `"…"` keeps spaces and
/// honours `\` before `\`, `"`, `$`, `` ` `` and newline; a `\` outside quotes escapes the next
/// character. An unclosed quote is an error, as in Python.
pub(crate) fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(next @ ('\\' | '"' | '$' | '`' | '\n')) => word.push(next),
                            Some(next) => {
                                word.push('\\');
                                word.push(next);
                            }
                            None => return Err("no closing quotation".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(next) => word.push(next),
                    None => return Err("no escaped character".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_like_shlex() {
        assert_eq!(
            split("npx -y @mcp/server").unwrap(),
            ["npx", "-y", "@mcp/server"]
        );
        assert_eq!(
            split(r#"uvx 'a b' "c \"d\"" e\ f "x\y""#).unwrap(),
            ["uvx", "a b", "c \"d\"", "e f", "x\\y"]
        );
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("''").unwrap(), [""]);
        assert!(split("'open").is_err());
    }
}
