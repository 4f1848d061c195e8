//! `--state FILE`: agents and tasks saved on change (debounced) and loaded on start. A save
//! writes a temporary file beside the target and renames it over, so a crash never leaves a
//! half-written state.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use xpander_runtime::model::Agent;

use crate::error::Error;
use crate::state::{App, Store, TaskInfo};

/// How long changes gather before one save.
const DEBOUNCE: Duration = Duration::from_millis(100);

#[derive(Serialize)]
struct StateOut<'a> {
    version: u32,
    agents: Vec<&'a Agent>,
    tasks: Vec<&'a TaskInfo>,
}

#[derive(Deserialize)]
pub(crate) struct StateIn {
    #[serde(default)]
    pub agents: Vec<Agent>,
    #[serde(default)]
    pub tasks: Vec<TaskInfo>,
}

/// Reads a state file; `None` when it does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<StateIn>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(state_error(path, e.to_string())),
    };
    xpander_runtime::model::decode::<StateIn>("state", &bytes)
        .map(Some)
        .map_err(|e| state_error(path, e.to_string()))
}

fn state_error(path: &Path, message: String) -> Error {
    Error::State {
        path: path.display().to_string(),
        message,
    }
}

fn encode(store: &Store) -> Vec<u8> {
    let state = StateOut {
        version: 1,
        agents: store.agents.all_versions().collect(),
        tasks: store.tasks_in_order().collect(),
    };
    serde_json::to_vec_pretty(&state).unwrap_or_default()
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub(crate) async fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

/// Saves the state now.
pub(crate) async fn save(app: &App, path: &Path) {
    let bytes = encode(&*app.store.lock().await);
    if let Err(e) = write_atomic(path, &bytes).await {
        tracing::error!(path = %path.display(), error = %e, "could not save the state file");
    }
}

/// The persister: saves after each burst of changes, and once more on shutdown.
pub(crate) async fn run(
    app: Arc<App>,
    path: PathBuf,
    notify: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = notify.notified() => {}
            _ = shutdown.wait_for(|down| *down) => break,
        }
        tokio::select! {
            _ = tokio::time::sleep(DEBOUNCE) => {}
            _ = shutdown.wait_for(|down| *down) => break,
        }
        save(&app, &path).await;
    }
    save(&app, &path).await;
}
