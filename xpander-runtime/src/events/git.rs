//! Git credentials for workers that clone private repositories, as the Python worker sets them
//! up: with `GIT_USERNAME` and `GIT_TOKEN` set, configure the global git identity and a
//! credential store for github.com. A failure is a warning; the token is never logged.
//!
//! The commands and the file writes run on the blocking pool. In `~/.git-credentials`, only
//! the github.com line is replaced (other hosts' lines are kept), the user and the token are
//! percent-encoded (a `@`, `:` or `/` in a token would otherwise break the URL), and the file
//! is left with mode 0600 whether it was created or already there.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use tracing::{info, warn};

/// What to configure, and where.
struct Setup {
    user: String,
    token: String,
    name: String,
    email: String,
    home: PathBuf,
    /// The git executable (`git`, found on `PATH`).
    git: OsString,
}

pub(crate) async fn configure_from_env() {
    let (Ok(user), Ok(token)) = (std::env::var("GIT_USERNAME"), std::env::var("GIT_TOKEN")) else {
        return;
    };
    if user.is_empty() || token.is_empty() {
        return;
    }
    let Ok(home) = std::env::var("HOME") else {
        warn!("could not configure git credentials (HOME is not set); continuing without them");
        return;
    };
    let setup = Setup {
        user,
        token,
        name: std::env::var("GIT_NAME").unwrap_or_else(|_| "xpander.ai".to_owned()),
        email: std::env::var("GIT_EMAIL").unwrap_or_else(|_| "agent@xpander.ai".to_owned()),
        home: PathBuf::from(home),
        git: OsString::from("git"),
    };
    let user = setup.user.clone();
    match configure(setup).await {
        Ok(()) => info!(user = %user, "git credentials configured for github.com"),
        Err(problem) => {
            warn!(%problem, "could not configure git credentials; continuing without them")
        }
    }
}

/// Runs the setup on the blocking pool: `git` processes and file writes block.
async fn configure(setup: Setup) -> Result<(), String> {
    tokio::task::spawn_blocking(move || configure_blocking(&setup))
        .await
        .map_err(|e| format!("the git setup did not finish: {e}"))?
}

fn configure_blocking(setup: &Setup) -> Result<(), String> {
    for args in [
        ["config", "--global", "user.name", &setup.name],
        ["config", "--global", "user.email", &setup.email],
        ["config", "--global", "credential.helper", "store"],
    ] {
        let status = Command::new(&setup.git)
            .args(args)
            .env("HOME", &setup.home)
            .status()
            .map_err(|e| format!("git: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`git {}` failed with {status}",
                args[..3].join(" ")
            ));
        }
    }
    let path = setup.home.join(".git-credentials");
    store_credentials(&path, &credentials_line(&setup.user, &setup.token))
        .map_err(|e| format!("writing {}: {}", path.display(), e.kind()))
}

/// `https://user:token@github.com`, both percent-encoded as URL user information.
fn credentials_line(user: &str, token: &str) -> String {
    format!("https://{}:{}@github.com", encode(user), encode(token))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether a credentials line is for github.com (any user, any scheme).
fn is_github_line(line: &str) -> bool {
    let Some((_, rest)) = line.trim().split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host.split(':').next().unwrap_or_default();
    host.eq_ignore_ascii_case("github.com")
}

/// The file's lines with the github.com line replaced by `line` (appended when there was none).
fn merged(existing: &str, line: &str) -> String {
    let mut out = String::with_capacity(existing.len() + line.len() + 1);
    for kept in existing
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_github_line(l))
    {
        out.push_str(kept);
        out.push('\n');
    }
    out.push_str(line);
    out.push('\n');
    out
}

/// Writes the merged credentials to a new file with mode 0600 beside `path` and renames it
/// over `path`, so the file is never readable by others, nor half-written.
fn store_credentials(path: &Path, line: &str) -> std::io::Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let written = write_private(&temporary, &merged(&existing, line))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // The mode above applies only to a new file; a leftover one is narrowed here.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use super::{Setup, configure, credentials_line, merged, store_credentials};

    /// A fresh directory under the system's temporary directory.
    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xpander-git-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn user_and_token_are_percent_encoded() {
        assert_eq!(
            credentials_line("me@corp.com", "ghp_a:b/c@d%e f"),
            "https://me%40corp.com:ghp_a%3Ab%2Fc%40d%25e%20f@github.com"
        );
        assert_eq!(
            credentials_line("bot-1", "ghp_Az09._~"),
            "https://bot-1:ghp_Az09._~@github.com"
        );
    }

    #[test]
    fn only_the_github_line_is_replaced() {
        let existing = "https://me:old@github.com\n\
                        https://me:keep@gitlab.com\n\
                        http://x:y@GitHub.com:443/\n\
                        https://github.com.evil.example\n";
        assert_eq!(
            merged(existing, "https://me:new@github.com"),
            "https://me:keep@gitlab.com\n\
             https://github.com.evil.example\n\
             https://me:new@github.com\n"
        );
        assert_eq!(merged("", "L"), "L\n");
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_file_keeps_its_other_lines_and_becomes_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch();
        let path = dir.join(".git-credentials");
        std::fs::write(
            &path,
            "https://me:keep@gitlab.com\nhttps://me:old@github.com\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        store_credentials(&path, "https://me:new@github.com").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "https://me:keep@gitlab.com\nhttps://me:new@github.com\n"
        );
        assert_eq!(mode(&path), 0o600);

        let fresh = dir.join("fresh");
        store_credentials(&fresh, "https://me:new@github.com").unwrap();
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "no leftover");
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A stand-in for git that takes 200 ms per call and records its arguments.
    #[cfg(unix)]
    fn slow_git(dir: &Path) -> PathBuf {
        use std::os::unix::fs::OpenOptionsExt;
        let path = dir.join("git");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o755)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(
            &mut file,
            b"#!/bin/sh\nsleep 0.2\necho \"$*\" >> \"$HOME/git-calls\"\n",
        )
        .unwrap();
        drop(file);
        // Another test's fork may briefly hold the file open for writing (ETXTBSY).
        while let Err(e) = std::process::Command::new(&path)
            .arg("warm-up")
            .env("HOME", dir)
            .status()
        {
            assert_eq!(e.raw_os_error(), Some(26), "{e}");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::fs::remove_file(dir.join("git-calls")).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn the_setup_runs_off_the_async_threads() {
        let home = scratch();
        let setup = Setup {
            user: "me".into(),
            token: "ghp_t@k".into(),
            name: "Agent".into(),
            email: "agent@example.com".into(),
            home: home.clone(),
            git: slow_git(&home).into(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let started = Instant::now();
        let (configured, ticked) = runtime.block_on(async {
            let ticker = async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                started.elapsed()
            };
            tokio::join!(configure(setup), ticker)
        });
        configured.unwrap();
        assert!(
            ticked < Duration::from_millis(400),
            "the only async thread was blocked for {ticked:?}"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(600),
            "three calls"
        );
        assert_eq!(
            std::fs::read_to_string(home.join("git-calls")).unwrap(),
            "config --global user.name Agent\n\
             config --global user.email agent@example.com\n\
             config --global credential.helper store\n"
        );
        assert_eq!(
            std::fs::read_to_string(home.join(".git-credentials")).unwrap(),
            "https://me:ghp_t%40k@github.com\n"
        );
        assert_eq!(mode(&home.join(".git-credentials")), 0o600);
        std::fs::remove_dir_all(home).unwrap();
    }
}
