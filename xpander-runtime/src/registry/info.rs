//! [`HandlerInfo`]: where a handler or hook was declared.

use std::fmt;

/// Where a handler or hook was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandlerInfo {
    /// The module it is in (`module_path!()`); first, so the order below groups by module.
    pub module_path: &'static str,
    /// The function's name.
    pub name: &'static str,
    /// The source file.
    pub file: &'static str,
    /// The line of the function.
    pub line: u32,
}

impl fmt::Display for HandlerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}::{} ({}:{})",
            self.module_path, self.name, self.file, self.line
        )
    }
}
