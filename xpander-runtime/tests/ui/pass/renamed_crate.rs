// With `crate = "..."` the expansion reaches the runtime under another name.
extern crate xpander_runtime as xr;

use xr::{Task, on_boot, on_task};

#[on_task(crate = "xr", test_task = "hi")]
async fn handle(task: Task) -> Task {
    task
}

#[on_boot(crate = "xr")]
fn boot() {}

fn main() {
    assert_eq!(xr::registry::task_handlers()[0].info().name, "handle");
}
