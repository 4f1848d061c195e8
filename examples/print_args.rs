//! Prints an agent's runtime arguments as the Agno adapter renders them, secrets redacted.
//!
//! ```text
//! XPANDER_AGENT_FILE=examples/agent.json cargo run --example print_args
//! cargo run --example print_args -- --agent-id agent-123            # with the platform variables set
//! cargo run --example print_args -- --prompt "Summarise" --user-id u1 --user-email u@example.com
//! ```
//!
//! The agent is `--agent-id`, else `XPANDER_AGENT_ID` (or `XPANDER_AGENT_FILE`, with nothing
//! fetched). With `--prompt` a task is first created with that prompt (and user) and the
//! arguments are resolved for it, as a worker would.

use clap::Parser;
use xpander_runtime::model::{CreateTaskRequest, User};
use xpander_runtime::{Backend, Error, Tasks};

#[derive(Parser)]
#[command(about = "Print an agent's runtime arguments (the Agno rendering), secrets redacted")]
struct Cli {
    /// The agent (default: XPANDER_AGENT_ID).
    #[arg(long)]
    agent_id: Option<String>,
    /// Create a task with this prompt first and resolve the arguments for it.
    #[arg(long)]
    prompt: Option<String>,
    /// The task's user id (with --prompt).
    #[arg(long, requires = "prompt")]
    user_id: Option<String>,
    /// The task's user email (with --prompt).
    #[arg(long, requires = "prompt")]
    user_email: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let cli = Cli::parse();
    let backend = Backend::default();
    let task = match &cli.prompt {
        Some(prompt) => Some(create_task(&backend, &cli, prompt).await?),
        None => None,
    };
    let mut call = backend.aget_args();
    if let Some(agent_id) = &cli.agent_id {
        call = call.agent_id(agent_id.clone());
    }
    if let Some(task) = &task {
        call = call.task(task);
    }
    let args = call.await?;
    let rendered = serde_json::Value::Object(args.render());
    println!(
        "{}",
        serde_json::to_string_pretty(&rendered).expect("JSON values serialise")
    );
    Ok(())
}

async fn create_task(
    backend: &Backend,
    cli: &Cli,
    prompt: &str,
) -> Result<xpander_runtime::Task, Error> {
    let config = backend
        .configuration()
        .cloned()
        .ok_or_else(|| Error::Usage("--prompt creates a task on the platform: set XPANDER_API_KEY and XPANDER_ORGANIZATION_ID".into()))?;
    let agent_id = cli
        .agent_id
        .clone()
        .or_else(|| config.agent_id().map(str::to_owned))
        .ok_or_else(|| {
            Error::Usage("--prompt needs an agent: pass --agent-id or set XPANDER_AGENT_ID".into())
        })?;
    let mut request = CreateTaskRequest::new(prompt).source("sdk");
    if cli.user_id.is_some() || cli.user_email.is_some() {
        let mut user = User::new(cli.user_email.clone().unwrap_or_default());
        user.id = cli.user_id.clone();
        request = request.user(user);
    }
    Tasks::new(config).acreate(&agent_id, request).await
}
