//! [`Task::to_message`]: the prompt text an LLM receives for a task.

use std::time::Duration;

use serde_json::json;

use crate::model::Task;
use crate::pyjson::dumps;

/// How long one attached file may take to fetch.
const FILE_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

impl Task {
    /// The prompt for an LLM: the input text, a `Files:` line listing the input files, and the
    /// contents of the human-readable ones (`.txt`, `.json`, `.md`, source files, ...), each
    /// fetched with a 10 s timeout. A file that cannot be fetched is inlined as `Error: …`.
    /// With `disable_attachment_injection`, only the URLs are listed and nothing is fetched.
    /// Images and PDFs are not inlined: see [`Task::images`] and [`Task::files`].
    ///
    /// The text is byte-for-byte what the Python SDK builds.
    ///
    /// ```
    /// # tokio_test_block_on(async {
    /// use xpander_runtime::model::Task;
    ///
    /// let mut task = Task::from_prompt("Summarise");
    /// task.input.files = vec!["https://x/a.png".into()];
    /// assert_eq!(task.to_message().await, "Summarise\nFiles: https://x/a.png");
    /// # });
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    /// # }
    /// ```
    pub async fn to_message(&self) -> String {
        let files: Vec<&str> = self.input_files().collect();
        let mut message = self.input.text.clone();
        if !files.is_empty() {
            if !message.is_empty() {
                message.push('\n');
            }
            message.push_str("Files: ");
            message.push_str(&files.join(", "));
        }
        let readable = self.readable_files();
        if readable.is_empty() {
            return message;
        }
        message.push_str("\nFiles contents:");
        for url in readable {
            let entry = if self.disable_attachment_injection {
                json!({ "url": url })
            } else {
                json!({ "url": url, "content": self.fetch_text(url).await })
            };
            message.push('\n');
            message.push_str(&dumps(&entry));
        }
        message
    }

    async fn fetch_text(&self, url: &str) -> String {
        // File URLs are not platform routes: fetch them without the API key.
        let client = match &self.context.platform {
            Some(platform) => platform.http(),
            None => crate::platform::http_client(crate::config::DEFAULT_CONNECT_TIMEOUT),
        };
        let response = client.get(url).timeout(FILE_FETCH_TIMEOUT).send().await;
        let text = match response.and_then(|r| r.error_for_status()) {
            Ok(response) => response.text().await,
            Err(e) => Err(e),
        };
        text.unwrap_or_else(|e| format!("Error: {}", crate::platform::error_text::error_chain(&e)))
    }
}
