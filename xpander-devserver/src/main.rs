//! `xpander-devserver`: run a local xpander.ai platform.
//!
//! ```text
//! cargo run -p xpander-devserver -- [--host 127.0.0.1] [--port 9100] [--org local-org]
//!     [--api-key KEY] [--agents agents.json] [--state state.json] [--llm-script script.json]
//! ```

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use xpander_devserver::{DevServer, DevServerOptions, LlmScripts};

/// A local xpander.ai platform (REST + worker SSE) for development and tests.
#[derive(Debug, Parser)]
#[command(name = "xpander-devserver", version)]
struct Cli {
    /// The address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port to bind (0 lets the OS choose). Avoid 8085 and 9016: the SDKs treat those
    /// ports specially.
    #[arg(long, default_value_t = 9100)]
    port: u16,
    /// The organization id served.
    #[arg(long, default_value = "local-org")]
    org: String,
    /// The API key every platform route requires (default: a random key, printed below).
    #[arg(long)]
    api_key: Option<String>,
    /// A JSON file with an array of agent objects to seed (default: one demo agent).
    #[arg(long)]
    agents: Option<PathBuf>,
    /// A JSON file where tasks and agents persist across restarts.
    #[arg(long)]
    state: Option<PathBuf>,
    /// A JSON file with the scripted LLM's scripts: `{"default": [turns], "agents": {"id":
    /// [turns]}}` (see the README).
    #[arg(long)]
    llm_script: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // RUST_LOG overrides; colours only on a terminal (and never with NO_COLOR).
    xpander_runtime::init_tracing_with("xpander_devserver=info");
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xpander-devserver: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    if matches!(cli.port, 8085 | 9016) {
        eprintln!(
            "xpander-devserver: warning: port {} changes the SDKs' URL rules (protocol §1.4)",
            cli.port
        );
    }
    let mut options = DevServerOptions::default()
        .host(cli.host)
        .port(cli.port)
        .org(cli.org);
    if let Some(key) = cli.api_key {
        options = options.api_key(key);
    }
    if let Some(path) = &cli.agents {
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let agents: Vec<serde_json::Value> = xpander_runtime::model::decode("agents file", &text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        options.agents = agents;
    }
    if let Some(path) = cli.state {
        options = options.state_file(path);
    }
    if let Some(path) = &cli.llm_script {
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let scripts: LlmScripts = xpander_runtime::model::decode("llm script", &text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        options = options.llm_scripts(scripts);
    }
    if let Ok(uri) = std::env::var("XPANDER_DEVSERVER_DB_URI")
        && !uri.is_empty()
    {
        options = options.db_uri(uri);
    }
    let server = DevServer::start(options).await.map_err(|e| e.to_string())?;

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "xpander-devserver listening on {}", server.base_url());
    let exports: Vec<String> = server
        .worker_env()
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let _ = writeln!(out, "export {}", exports.join(" "));
    let _ = writeln!(
        out,
        "# dashboard: {}/ (open it in a browser on this machine)",
        server.base_url()
    );
    for agent in server
        .agents()
        .await
        .iter()
        .filter(|a| a.id != server.agent_id())
    {
        let _ = writeln!(
            out,
            "# also served: XPANDER_AGENT_ID={} ({})",
            agent.id, agent.name
        );
    }
    if cli.llm_script.is_some() {
        let base = server.base_url();
        let _ = writeln!(
            out,
            "# scripted LLM: {base}/_dev/llm/openai/v1 (OpenAI) and {base}/_dev/llm/anthropic \
             (Anthropic); per agent: {base}/_dev/llm/agents/{{agent_id}}/..."
        );
    }
    let _ = out.flush();
    drop(out);

    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    Ok(())
}
