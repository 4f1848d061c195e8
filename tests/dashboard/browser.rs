//! Finding Chromium and chromedriver. Outside CI a machine without them skips the browser
//! tests with a note on how to install them; under `CI=true` that is a failure, so CI can
//! never pass by not running them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What the browser tests run.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

const INSTALL: &str = "install them with `apt-get install chromium chromium-driver` (Debian; \
                       .ci/run does it), or point CHROME_BIN and CHROMEDRIVER at them";

/// The first of `names` that is an executable on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn from_env(variable: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .filter(|p| is_executable(p))
}

/// Chromium and chromedriver, or `None` (after saying how to install them) when one is
/// missing outside CI. Under `CI=true` a missing one panics.
pub fn find() -> Option<Browser> {
    let chromium = from_env("CHROME_BIN")
        .or_else(|| on_path(&["chromium", "chromium-browser", "google-chrome"]));
    let chromedriver = from_env("CHROMEDRIVER").or_else(|| on_path(&["chromedriver"]));
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Browser {
            chromium,
            chromedriver,
        }),
        (chromium, chromedriver) => {
            let missing: Vec<&str> = [
                chromium.is_none().then_some("chromium"),
                chromedriver.is_none().then_some("chromedriver"),
            ]
            .into_iter()
            .flatten()
            .collect();
            let message = format!(
                "the dashboard's browser tests need {}: {INSTALL}",
                missing.join(" and ")
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and {message}");
            }
            // Straight to stderr: the test harness hides what `eprintln!` prints in a passing test.
            let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
            None
        }
    }
}
