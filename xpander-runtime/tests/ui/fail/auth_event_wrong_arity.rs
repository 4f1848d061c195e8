// Rule: an auth event hook takes exactly three arguments (&Agent, &Task, &TaskUpdateEvent).
use xpander_runtime::{Agent, Task, on_auth_event};

#[on_auth_event]
async fn login(agent: &Agent, task: &Task) {
    let _ = (agent, task);
}

fn main() {}
