// Rule: an auth event hook takes (&Agent, &Task, &TaskUpdateEvent) (the error is on the wrong one).
use xpander_runtime::{Agent, TaskUpdateEvent, on_auth_event};

#[on_auth_event]
async fn login(agent: &Agent, task: &Agent, event: &TaskUpdateEvent) {
    let _ = (agent, task, event);
}

fn main() {}
