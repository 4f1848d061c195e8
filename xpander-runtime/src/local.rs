//! `run()`: the entry point of a worker binary. Parses the command line, checks the registry,
//! and either runs a local task offline or connects the worker.

use std::ffi::OsString;

use clap::Parser;
use clap::error::ErrorKind;

use crate::model::{LocalTaskTest, OutputFormat, Task};
use crate::registry::{self, TaskHandler};
use crate::task_stream::Outlet;
use crate::{Error, Events, Result};
use crate::{hooks, runner};

/// The flags every worker binary understands.
#[derive(Debug, Parser)]
#[command(
    about = "An xpander.ai agent worker",
    long_about = "An xpander.ai agent worker. With XPANDER_API_KEY, XPANDER_ORGANIZATION_ID and \
                  XPANDER_AGENT_ID set it serves the agent's tasks; without them it runs the \
                  handler's test task (or --invoke) locally and prints the result."
)]
struct Cli {
    /// Run the handler once on --prompt instead of serving tasks.
    #[arg(long, requires = "prompt")]
    invoke: bool,
    /// The prompt for --invoke.
    #[arg(long, value_name = "TEXT")]
    prompt: Option<String>,
    /// The result's format.
    #[arg(long = "output-format", alias = "output_format", value_name = "FORMAT",
          value_parser = ["json", "markdown", "text", "voice"])]
    output_format: Option<String>,
    /// A JSON schema for a JSON result.
    #[arg(long = "output-schema", alias = "output_schema", value_name = "JSON")]
    output_schema: Option<String>,
}

impl Cli {
    /// The `--invoke` test task, if asked for.
    fn invoke_task(&self) -> Result<Option<LocalTaskTest>> {
        let Some(prompt) = self.prompt.as_deref().filter(|_| self.invoke) else {
            return Ok(None);
        };
        let mut test = LocalTaskTest::new(prompt);
        test.output_format = self.output_format.as_deref().map(OutputFormat::from);
        if let Some(schema) = &self.output_schema {
            let schema = serde_json::from_str(schema).map_err(|e| {
                Error::Usage(format!("--output-schema is not valid JSON ({e}); pass a JSON object, e.g. '{{\"type\":\"object\"}}'"))
            })?;
            test.output_schema = Some(schema);
        }
        Ok(Some(test))
    }
}

/// Runs the worker binary: reads the registry, the environment and the command line.
///
/// - `--help` prints the flags and returns `Ok`.
/// - Without `XPANDER_API_KEY`, runs the handler's `test_task` (or `--invoke --prompt TEXT`)
///   locally, prints the result, and returns `Ok` if the task completed.
/// - With credentials, serves the agent's tasks until SIGINT or SIGTERM.
///
/// It never exits the process: `main` decides what an error means.
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> Result<(), xpander_runtime::Error> {
///     xpander_runtime::run().await
/// }
/// ```
pub async fn run() -> Result<()> {
    run_with_args(std::env::args_os()).await
}

/// [`run`] with explicit arguments (the first is the program name).
pub async fn run_with_args(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> Result<()> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{e}");
            return Ok(());
        }
        Err(e) => return Err(Error::Usage(e.to_string().trim_end().to_owned())),
    };
    registry::check()?;
    let invoke = cli.invoke_task()?;
    let online = std::env::var("XPANDER_API_KEY").is_ok_and(|key| !key.is_empty());
    let handler = default_handler();
    if !online {
        let Some(test) = invoke.or_else(|| handler.test_task()) else {
            return Err(Error::Usage(
                "nothing to do offline: set XPANDER_API_KEY, XPANDER_ORGANIZATION_ID and \
                 XPANDER_AGENT_ID to serve the agent's tasks, or run once locally with \
                 `--invoke --prompt \"...\"` (or give the handler a `test_task`)"
                    .to_owned(),
            ));
        };
        return run_offline(handler, test).await;
    }
    serve(handler, invoke.or_else(|| handler.test_task())).await
}

/// Serves every registered handler's agent, or only the default handler's test task.
async fn serve(default: &'static TaskHandler, test: Option<LocalTaskTest>) -> Result<()> {
    let handlers: Vec<&'static TaskHandler> = match &test {
        Some(_) => vec![default],
        None => registry::task_handlers().to_vec(),
    };
    let mut events = Events::new();
    for handler in handlers {
        let config = handler.configuration().transpose()?;
        events = events.register_with(
            handler.agent_id().map(str::to_owned),
            handler.into(),
            config,
        );
    }
    if let Some(test) = test {
        events = events.test_task(test);
    }
    events.serve_until_signal().await
}

/// The handler a process without routing serves: the one for `XPANDER_AGENT_ID`, else the
/// first (the registry check guarantees there is one).
fn default_handler() -> &'static TaskHandler {
    let env_agent = std::env::var("XPANDER_AGENT_ID").unwrap_or_default();
    registry::handler_for(&env_agent).unwrap_or(registry::task_handlers()[0])
}

/// Runs a test task through the handler with no platform, prints its result and says whether
/// it completed.
async fn run_offline(handler: &TaskHandler, test: LocalTaskTest) -> Result<()> {
    hooks::run_boot_hooks().await?;
    let done = runner::execute(&handler.into(), local_task(test), None, &Outlet::Print).await;
    let outcome = crate::events::test_outcome(done);
    hooks::run_shutdown_hooks().await;
    outcome
}

/// A task built from a test task, as the platform would create it.
pub(crate) fn local_task(test: LocalTaskTest) -> Task {
    Task {
        agent_id: std::env::var("XPANDER_AGENT_ID").unwrap_or_else(|_| "local-agent".to_owned()),
        organization_id: std::env::var("XPANDER_ORGANIZATION_ID")
            .unwrap_or_else(|_| "local-org".to_owned()),
        agent_version: test.agent_version,
        output_format: test.output_format,
        output_schema: test.output_schema,
        source: Some("sdk".to_owned()),
        input: test.input,
        ..Task::from_prompt("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> std::result::Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("worker").chain(args.iter().copied()))
    }

    #[test]
    fn invoke_builds_a_test_task_with_both_flag_spellings() {
        let parsed = cli(&[
            "--invoke",
            "--prompt",
            "hi",
            "--output_format",
            "json",
            "--output-schema",
            r#"{"type":"object"}"#,
        ])
        .unwrap();
        let test = parsed.invoke_task().unwrap().unwrap();
        assert_eq!(test.input.text, "hi");
        assert_eq!(test.output_format, Some(OutputFormat::Json));
        assert_eq!(
            test.output_schema,
            Some(serde_json::json!({"type": "object"}))
        );
    }

    #[test]
    fn a_bad_schema_is_a_clear_error() {
        let parsed = cli(&["--invoke", "--prompt", "hi", "--output_schema", "{nope"]).unwrap();
        let err = parsed.invoke_task().unwrap_err().to_string();
        assert!(
            err.starts_with("--output-schema is not valid JSON"),
            "{err}"
        );
    }

    #[test]
    fn invoke_needs_a_prompt_and_formats_are_checked() {
        assert!(cli(&["--invoke"]).is_err());
        assert!(cli(&["--invoke", "--prompt", "x", "--output-format", "yaml"]).is_err());
        assert_eq!(cli(&["--help"]).unwrap_err().kind(), ErrorKind::DisplayHelp);
    }
}
