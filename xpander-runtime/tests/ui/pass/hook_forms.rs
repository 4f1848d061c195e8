// Every supported form of #[on_auth_event], #[on_boot] and #[on_shutdown].
use xpander_runtime::{Agent, Task, TaskUpdateEvent, on_auth_event, on_boot, on_shutdown};

#[on_auth_event]
async fn auth_async(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
    let _ = (agent, task, event);
}

#[on_auth_event]
fn auth_sync(_agent: &Agent, _task: &Task, _event: &TaskUpdateEvent) -> Result<(), String> {
    Ok(())
}

#[on_auth_event]
async fn auth_result(_: &Agent, _: &Task, _: &TaskUpdateEvent) -> Result<(), std::io::Error> {
    Ok(())
}

#[on_boot]
async fn boot_async() {}

#[on_boot]
fn boot_sync() -> Result<(), String> {
    Ok(())
}

#[on_shutdown]
async fn bye_async() -> Result<(), std::fmt::Error> {
    Ok(())
}

#[on_shutdown]
fn bye_sync() {}

fn main() {
    use xpander_runtime::registry;
    assert_eq!(registry::auth_hooks().len(), 3);
    assert_eq!(registry::boot_hooks().len(), 2);
    assert_eq!(registry::shutdown_hooks().len(), 2);
    bye_sync();
}
