// Rule: #[on_task] applies to a function.
use xpander_runtime::on_task;

#[on_task]
struct Handler;

fn main() {}
