// Every key of #[on_task]: test_task (a string or a LocalTaskTest), configuration, agent_id.
use xpander_runtime::model::{LocalTaskTest, OutputFormat};
use xpander_runtime::{Configuration, Task, on_task};

fn my_config() -> Configuration {
    Configuration::builder().api_key("k").organization_id("o").build().unwrap()
}

#[on_task(test_task = "What can you do?")]
async fn with_prompt(task: Task) -> Task {
    task
}

#[on_task(
    agent_id = "agent-2",
    test_task = LocalTaskTest::new("List them").output_format(OutputFormat::Json)
        .output_schema(serde_json::json!({"capabilities": "list of capabilities"})),
    configuration = my_config(),
)]
async fn with_everything(task: Task) -> Task {
    task
}

#[on_task(agent_id = "agent-3", configuration = Configuration::from_env())]
async fn with_fallible_config(task: Task) -> Task {
    task
}

fn main() {
    let handlers = xpander_runtime::registry::task_handlers();
    let everything = handlers.iter().find(|h| h.agent_id() == Some("agent-2")).unwrap();
    let test = everything.test_task().unwrap();
    assert_eq!(test.output_format, Some(OutputFormat::Json));
    assert_eq!(everything.configuration().unwrap().unwrap().organization_id(), "o");
    let _ = (with_prompt, with_everything, with_fallible_config);
}
