//! The `xpander-devserver` binary: its first output lines, and that they work.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Kill, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xpander-devserver"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let guard = Kill(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines.len() < 2 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            lines.push(line);
        }
    }
    (guard, lines)
}

#[tokio::test]
async fn prints_the_listen_line_and_the_exports() {
    let (_child, lines) = spawn(&["--port", "0"]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let base = lines[0]
        .strip_prefix("xpander-devserver listening on ")
        .expect("the listen line")
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let exports = lines[1].strip_prefix("export ").expect("the export line");
    let vars: std::collections::HashMap<&str, &str> = exports
        .split(' ')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    assert_eq!(vars["XPANDER_BASE_URL"], base);
    assert_eq!(vars["XPANDER_ORGANIZATION_ID"], "local-org");
    assert_eq!(vars["XPANDER_AGENT_ID"], "demo-agent");
    let key = vars["XPANDER_API_KEY"];
    assert!(!key.is_empty());

    // reqwest is built without a TLS provider of its own (see common/mod.rs).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let agent = reqwest::Client::new()
        .get(format!("{base}/agents/demo-agent"))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(agent.status(), 200);
}

#[tokio::test]
async fn flags_set_the_org_key_and_agents() {
    let dir = std::env::temp_dir().join(format!("xpander-devserver-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let agents = dir.join("agents.json");
    std::fs::write(
        &agents,
        r#"[{"id": "a1", "name": "One"}, {"id": "a2", "name": "Two"}]"#,
    )
    .unwrap();
    let (_child, lines) = spawn(&[
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--org",
        "acme",
        "--api-key",
        "k1",
        "--agents",
        agents.to_str().unwrap(),
    ]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains("XPANDER_ORGANIZATION_ID=acme"));
    assert!(lines[1].contains("XPANDER_API_KEY=k1"));
    assert!(lines[1].ends_with("XPANDER_AGENT_ID=a1"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn llm_script_flag_sets_the_scripts() {
    let dir = std::env::temp_dir().join(format!("xpander-devserver-llm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.json");
    std::fs::write(
        &script,
        r#"{"default": [{"answer": "from the file"}], "agents": {"a1": [{"answer": "a1"}]}}"#,
    )
    .unwrap();
    let (_child, lines) = spawn(&["--port", "0", "--llm-script", script.to_str().unwrap()]);
    let base = lines[0]
        .strip_prefix("xpander-devserver listening on ")
        .expect("the listen line");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/_dev/llm/openai/v1/chat/completions"))
        .json(&serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["choices"][0]["message"]["content"], "from the file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_exit_non_zero() {
    let bad_script =
        std::env::temp_dir().join(format!("xpander-bad-llm-{}.json", std::process::id()));
    std::fs::write(&bad_script, r#"{"default": [{"anwser": "typo"}]}"#).unwrap();
    for args in [
        &["--port", "not-a-port"][..],
        &["--agents", "/definitely/missing.json", "--port", "0"][..],
        &["--llm-script", bad_script.to_str().unwrap(), "--port", "0"][..],
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_xpander-devserver"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "{args:?}");
    }
    let _ = std::fs::remove_file(&bad_script);
}
