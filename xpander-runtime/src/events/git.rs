//! Git credentials for workers that clone private repositories, as the Python worker sets them
//! up: with `GIT_USERNAME` and `GIT_TOKEN` set, configure the global git identity and a
//! credential store for github.com. A failure is a warning; the token is never logged.

use std::process::Command;

use tracing::{info, warn};

pub(crate) fn configure_from_env() {
    let (Ok(user), Ok(token)) = (std::env::var("GIT_USERNAME"), std::env::var("GIT_TOKEN")) else {
        return;
    };
    if user.is_empty() || token.is_empty() {
        return;
    }
    let name = std::env::var("GIT_NAME").unwrap_or_else(|_| "xpander.ai".to_owned());
    let email = std::env::var("GIT_EMAIL").unwrap_or_else(|_| "agent@xpander.ai".to_owned());
    match configure(&user, &token, &name, &email) {
        Ok(()) => info!(user = %user, "git credentials configured for github.com"),
        Err(problem) => {
            warn!(%problem, "could not configure git credentials; continuing without them")
        }
    }
}

fn configure(user: &str, token: &str, name: &str, email: &str) -> Result<(), String> {
    for args in [
        ["config", "--global", "user.name", name],
        ["config", "--global", "user.email", email],
        ["config", "--global", "credential.helper", "store"],
    ] {
        let status = Command::new("git")
            .args(args)
            .status()
            .map_err(|e| format!("git: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`git {}` failed with {status}",
                args[..3].join(" ")
            ));
        }
    }
    let home = std::env::var("HOME").map_err(|_| "HOME is not set".to_owned())?;
    let path = std::path::Path::new(&home).join(".git-credentials");
    write_private(&path, &format!("https://{user}:{token}@github.com\n"))
        .map_err(|e| format!("writing {}: {}", path.display(), e.kind()))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
