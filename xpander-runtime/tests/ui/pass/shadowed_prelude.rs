// The expansion names only absolute paths: it compiles with `Box`, `Result`, `Ok`, `Option`
// and `Send` shadowed by the user.
#![allow(dead_code, non_snake_case)]

use xpander_runtime::{Agent, Task, TaskUpdateEvent, on_auth_event, on_boot, on_task};

struct Box;
struct Result;
struct Option;
trait Send {}
fn Ok() {}
fn Some() {}
mod core {}
mod inventory {}

#[on_task(test_task = "hi", configuration = xpander_runtime::Configuration::from_env())]
async fn handle(task: Task) -> std::result::Result<Task, String> {
    std::result::Result::Ok(task)
}

#[on_auth_event]
async fn login(_: &Agent, _: &Task, _: &TaskUpdateEvent) {}

#[on_boot]
fn boot() {}

fn main() {}
