//! A minimal WebDriver client: W3C WebDriver is JSON over HTTP, and these tests need a dozen
//! of its commands, so they are written here on the reqwest the tests already use rather than
//! taken from a crate that brings its own HTTP stack.
//!
//! [`Chromedriver::start`] runs `chromedriver` on a port the OS chooses and stops it when
//! dropped; [`Session`] is one headless Chromium window.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver; killed when dropped.
pub struct Chromedriver {
    _process: Child,
    url: String,
}

impl Chromedriver {
    /// Starts `chromedriver --port=0` and reads the port it chose.
    pub async fn start(chromedriver: &Path) -> Chromedriver {
        let mut process = Command::new(chromedriver)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", chromedriver.display()));
        let stdout = process.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                // "ChromeDriver was started successfully on port 39973."
                if let Some(rest) = line.split("successfully on port ").nth(1) {
                    return rest.trim_end_matches('.').trim().to_owned();
                }
            }
            panic!("chromedriver ended before saying its port")
        })
        .await
        .expect("chromedriver said its port within 20 s");
        // Keep reading its output so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Chromedriver {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// An element found on the page.
#[derive(Debug, Clone)]
pub struct Element(String);

/// One headless browser window.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    /// Opens headless Chromium at 1280×800, recording the console.
    pub async fn new(driver: &Chromedriver, chromium: &Path) -> Session {
        let http = reqwest::Client::new();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let answer = call(
            &http,
            "POST",
            &format!("{}/session", driver.url),
            Some(capabilities),
        )
        .await;
        let id = answer["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session {
            http,
            base: format!("{}/session/{id}", driver.url),
        }
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    /// Loads `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// The first element matching a CSS selector; panics when there is none.
    pub async fn find(&self, css: &str) -> Element {
        let answer = self
            .cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        Element(
            answer[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no {css}: {answer}"))
                .to_owned(),
        )
    }

    /// Finds the element matching `css` and clicks it. The page re-renders parts of itself live,
    /// so an element found may be replaced before the click lands ("stale element reference"):
    /// then it is found again, a few times.
    pub async fn click_css(&self, css: &str) {
        for _ in 0..20 {
            let element = self.find(css).await;
            let path = format!("{}/element/{}/click", self.base, element.0);
            match try_call(&self.http, "POST", &path, Some(json!({}))).await {
                Ok(_) => return,
                Err(answer) if answer["value"]["error"] == "stale element reference" => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(answer) => panic!("POST {path}: {answer}"),
            }
        }
        panic!("{css} kept going stale: the page never settled");
    }

    /// Empties an input or textarea.
    pub async fn clear(&self, element: &Element) {
        self.cmd(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Types `text` into an element.
    pub async fn type_into(&self, element: &Element, text: &str) {
        let body = json!({ "text": text });
        self.cmd("POST", &format!("/element/{}/value", element.0), Some(body))
            .await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        let body = json!({ "script": script, "args": args });
        self.cmd("POST", "/execute/sync", Some(body)).await
    }

    /// Runs `script` every 50 ms until it returns something other than `null` or `false`, up
    /// to `timeout`; that value.
    pub async fn wait_for(&self, what: &str, timeout: Duration, script: &str) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.run(script, json!([])).await;
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return value;
            }
            if Instant::now() > deadline {
                panic!("waited {timeout:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resizes the window.
    pub async fn resize(&self, width: u32, height: u32) {
        let body = json!({ "width": width, "height": height });
        self.cmd("POST", "/window/rect", Some(body)).await;
    }

    /// Saves a PNG of the window.
    pub async fn screenshot(&self, path: &Path) {
        let answer = self.cmd("GET", "/screenshot", None).await;
        let png = base64_decode(answer.as_str().expect("base64 PNG"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Console messages of level SEVERE since the last call (errors, failed loads).
    pub async fn console_errors(&self) -> Vec<String> {
        let answer = self
            .cmd("POST", "/se/log", Some(json!({"type": "browser"})))
            .await;
        answer
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Closes the window and ends the session.
    pub async fn close(self) {
        self.cmd("DELETE", "", None).await;
    }
}

/// One WebDriver command; its `value`. A WebDriver error is a panic naming the command.
async fn call(http: &reqwest::Client, method: &str, url: &str, body: Option<Value>) -> Value {
    try_call(http, method, url, body)
        .await
        .unwrap_or_else(|answer| panic!("{method} {url}: {answer}"))
}

/// One WebDriver command: its `value`, or the whole error answer.
async fn try_call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, Value> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http
        .request(method.clone(), url)
        .timeout(Duration::from_secs(60));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = answer.status();
    let json: Value = answer.json().await.unwrap_or_default();
    if status.is_success() {
        Ok(json["value"].clone())
    } else {
        Err(json!({"status": status.as_u16(), "value": json["value"]}))
    }
}

/// Standard base64 (chromedriver's screenshots), without a crate for it.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, c)| n | u32::from(value(*c)) << (18 - 6 * i));
        let take = chunk.len() - 1;
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    out
}

/// Where the screenshots go: `target/dashboard/` (the target directory of this test binary).
pub fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test binary>
    exe.ancestors().nth(3).unwrap().join("dashboard")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8="), b"hello");
        assert_eq!(base64_decode("aGk="), b"hi");
        assert_eq!(base64_decode("YWJj"), b"abc");
    }
}
