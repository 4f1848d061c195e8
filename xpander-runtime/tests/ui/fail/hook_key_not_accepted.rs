// Rule: hooks accept only the `crate` key.
use xpander_runtime::on_boot;

#[on_boot(test_task = "hi")]
async fn boot() {}

fn main() {}
