//! `--state FILE`: agents and tasks saved on change (debounced) and loaded on start. A save
//! copies the store under its lock and encodes the copy after, so requests never wait for the
//! encoding; it writes a temporary file beside the target (mode 0600: keys and tokens) and
//! renames it over, so a crash never leaves a half-written state.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Notify, watch};
use xpander_runtime::model::Agent;

use crate::error::Error;
use crate::state::{App, Store, TaskInfo};

/// How long changes gather before one save.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What the state file holds, copied out of the store so that encoding it, the slow part,
/// runs without the lock.
#[derive(Serialize)]
struct Snapshot {
    version: u32,
    agents: Vec<Agent>,
    tasks: Vec<TaskInfo>,
}

impl Snapshot {
    fn take(store: &Store) -> Self {
        Self {
            version: 1,
            agents: store.agents.all_versions().cloned().collect(),
            tasks: store.tasks_in_order().cloned().collect(),
        }
    }

    fn encode(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec_pretty(self)
    }
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

/// Writes `bytes` to `path` through a temporary file and a rename. Both are readable by the
/// owner only (mode 0600 on unix): the state holds agents' keys and users' tokens.
pub(crate) async fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&tmp).await?;
    // A temporary file left by a crash keeps the mode it was created with: narrow it again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .await?;
    }
    file.write_all(bytes).await?;
    file.flush().await?;
    drop(file);
    tokio::fs::rename(&tmp, path).await
}

/// Saves the state now: a snapshot under the lock, encoded and written after it is released.
pub(crate) async fn save(app: &App, path: &Path) {
    let snapshot = Snapshot::take(&*app.store.lock().await);
    // Encoding a big store takes a while: off the async workers too.
    let encoded = tokio::task::spawn_blocking(move || snapshot.encode().map_err(|e| e.to_string()))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let bytes = match encoded {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not encode the state");
            return;
        }
    };
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use xpander_runtime::model::Task;

    use super::*;

    /// A save holds the lock only to copy the store: a request that needs the lock meanwhile
    /// waits far less than the encoding takes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_lock_is_free_while_the_state_is_encoded() {
        let app = App::for_tests(true);
        {
            let mut store = app.store.lock().await;
            // Long texts: copying them is a memcpy, encoding them reads every byte.
            for i in 0..2000 {
                let text = format!("{i} {}", "x".repeat(20_000));
                store.put_task(TaskInfo::new(Task::from_prompt(text)));
            }
        }
        let snapshot = Snapshot::take(&*app.store.lock().await);
        let started = Instant::now();
        snapshot.encode().unwrap();
        let encoding = started.elapsed();

        let dir = std::env::temp_dir().join(format!("xpd-persist-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let saver = {
            let (app, path) = (app.clone(), path.clone());
            tokio::spawn(async move { save(&app, &path).await })
        };
        let mut longest = Duration::ZERO;
        while !saver.is_finished() {
            let asked = Instant::now();
            drop(app.store.lock().await);
            longest = longest.max(asked.elapsed());
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        assert!(std::fs::metadata(&path).unwrap().len() > 0);
        assert!(
            longest < encoding / 2,
            "a request waited {longest:?} for the lock; encoding takes {encoding:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
