//! The official Python SDK, `xpander-sdk[agno]==2.0.537`, in a virtualenv created once and
//! cached outside the repository, for the interop tests and the benchmark.
//!
//! The virtualenv lives in `${XDG_CACHE_HOME:-$HOME/.cache}/xpander-rs/venv-xpander-sdk-2.0.537`.
//! A marker file is written only after a successful install, and a file lock keeps parallel
//! processes from building it twice. The first build takes a few minutes (pip is upgraded
//! first: the stock pip 23.2 backtracks for tens of minutes on this resolution).
//!
//! ```no_run
//! match xpander_devserver::python::sdk_python() {
//!     Ok(Some(python)) => println!("run scripts with {}", python.display()),
//!     Ok(None) => println!("skipped: XPANDER_SKIP_PYTHON_INTEROP=1"),
//!     Err(problem) => eprintln!("{problem}"),
//! }
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The pinned SDK, with the extra it needs to import.
pub const SDK: &str = "xpander-sdk[agno]==2.0.537";
const VENV_NAME: &str = "venv-xpander-sdk-2.0.537";
const MARKER: &str = ".xpander-rs-installed-ok";
const INSTALL_TIMEOUT: Duration = Duration::from_secs(45 * 60);

static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The virtualenv's `python`, building the virtualenv on first use (blocking). `Ok(None)` when
/// `XPANDER_SKIP_PYTHON_INTEROP=1`; an error (saying what to install) when `python3` is
/// missing or the install fails.
pub fn sdk_python() -> Result<Option<PathBuf>, String> {
    if std::env::var("XPANDER_SKIP_PYTHON_INTEROP").as_deref() == Ok("1") {
        return Ok(None);
    }
    VENV.get_or_init(build_venv).clone().map(Some)
}

/// A command running the SDK's `python` as a worker of `server` (its first agent): the
/// worker environment, a free `XPANDER_STREAMING_PORT` for the SDK's `/invoke` server,
/// unbuffered output, no cloud or staging switches inherited, and no stdin. Add the script.
///
/// ```no_run
/// # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
/// use xpander_devserver::{DevServer, DevServerOptions, python};
///
/// let server = DevServer::start(DevServerOptions::default()).await?;
/// if let Ok(Some(venv_python)) = python::sdk_python() {
///     let worker = python::sdk_worker_command(&venv_python, &server).arg("worker.py").spawn();
/// }
/// # Ok(()) }
/// ```
pub fn sdk_worker_command(python: &Path, server: &crate::DevServerHandle) -> Command {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(0, |a| a.port());
    let mut command = Command::new(python);
    command
        .envs(server.worker_env())
        .env("XPANDER_STREAMING_PORT", port.to_string())
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("IS_XPANDER_CLOUD")
        .env_remove("IS_STG")
        .stdin(Stdio::null());
    command
}

fn cache_dir() -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"),
    }
    .join("xpander-rs")
}

fn build_venv() -> Result<PathBuf, String> {
    let version = Command::new("python3").arg("--version").output();
    if !version.is_ok_and(|o| o.status.success()) {
        return Err(
            "python3 is missing: install Python 3 (with venv) to run the Python SDK \
                    interop test, or set XPANDER_SKIP_PYTHON_INTEROP=1 to skip it"
                .into(),
        );
    }
    let root = cache_dir();
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let dir = root.join(VENV_NAME);
    let python = dir.join("bin").join("python");
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(python);
    }
    let lock_path = root.join(format!("{VENV_NAME}.lock"));
    let lock = File::create(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
    if marker.exists() {
        return Ok(python);
    }
    let started = Instant::now();
    println!(
        "building {} (first run only; takes a few minutes)",
        dir.display()
    );
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let pip = dir.join("bin").join("pip");
    run_blocking(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    // A current pip first: the stock one backtracks for tens of minutes on this resolve.
    run_blocking(Command::new(&pip).args(["install", "--quiet", "-U", "pip"]))?;
    run_blocking(Command::new(&pip).args(["install", "--quiet", SDK]))?;
    run_blocking(Command::new(&python).args(["-c", "import xpander_sdk"]))?;
    std::fs::write(&marker, SDK).map_err(|e| format!("{}: {e}", marker.display()))?;
    println!("built {} in {:.0?}", dir.display(), started.elapsed());
    drop(lock);
    Ok(python)
}

/// Runs a command to completion within `INSTALL_TIMEOUT`.
fn run_blocking(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{shown}: {e}"))?;
    let deadline = Instant::now() + INSTALL_TIMEOUT;
    loop {
        match child.try_wait().map_err(|e| format!("{shown}: {e}"))? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("{shown} failed: {status}")),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown} took longer than {INSTALL_TIMEOUT:?}"));
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}
