//! [`Bound`]: the platform a resolved value calls back into (a tool, a knowledge search).

use std::fmt;

use crate::Platform;

/// The platform configuration carried by resolved args, or none offline. It takes no part in
/// equality, and `Debug` shows only whether it is set.
#[derive(Clone, Default)]
pub(crate) struct Bound(pub Option<Platform>);

impl PartialEq for Bound {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Bound(platform)"
        } else {
            "Bound(offline)"
        })
    }
}
