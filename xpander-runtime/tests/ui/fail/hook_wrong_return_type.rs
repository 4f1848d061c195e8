// Rule: a hook returns `()` or `Result<(), E>` (the error is on the return type).
use xpander_runtime::on_shutdown;

#[on_shutdown]
fn bye() -> u32 {
    0
}

fn main() {}
