//! [`Task::to_message`]: the prompt text an LLM receives for a task.

mod fetch;
mod guard;

use serde_json::json;

use crate::model::Task;
use crate::pyjson::dumps;

impl Task {
    /// The prompt for an LLM: the input text, a `Files:` line listing the input files, and the
    /// contents of the human-readable ones (`.txt`, `.json`, `.md`, source files, ...). A file
    /// that is not fetched is inlined as `Error: …` saying why. With
    /// `disable_attachment_injection`, only the URLs are listed and nothing is fetched. Images
    /// and PDFs are not inlined: see [`Task::images`] and [`Task::files`].
    ///
    /// The URLs come with the task, so each fetch is guarded:
    ///
    /// - at most 4 MiB is read (`XPANDER_MAX_FILE_BYTES` sets another cap, in bytes), and the
    ///   whole fetch takes at most 10 s;
    /// - only http(s) URLs; never link-local or metadata addresses (169.254.169.254,
    ///   `metadata.google.internal`, ...); loopback and private addresses only for a task from
    ///   a platform that is itself at such an address outside xpander cloud (the devserver, a
    ///   platform on the same network), or a task built in this process;
    /// - a name is checked again against every address it resolves to, and each redirect
    ///   (at most 5) is checked before it is followed.
    ///
    /// The text is byte-for-byte what the Python SDK builds with `with_timestamp=False`; see
    /// [`Task::to_message_with_timestamp`] for what 2.0.537 gives a model.
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
        self.message().await
    }

    /// [`Task::to_message`] with the line the Python SDK 2.0.537 appends for a model:
    /// `Message timestamp (UTC): YYYY-MM-DD HH:MM`, from `created_at`. A message that is a
    /// JSON object or array is machine input and stays as it is. The agent engine sends this.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use xpander_runtime::model::{Task, Timestamp};
    ///
    /// let mut task = Task::from_prompt("Summarise");
    /// task.created_at = Timestamp::from("2026-11-30T16:49:12.5Z".to_owned());
    /// assert_eq!(
    ///     task.to_message_with_timestamp().await,
    ///     "Summarise\n\nMessage timestamp (UTC): 2026-11-30 16:49"
    /// );
    /// task.input.text = r#"{"order": 7}"#.into();
    /// assert_eq!(task.to_message_with_timestamp().await, r#"{"order": 7}"#);
    /// # });
    /// ```
    pub async fn to_message_with_timestamp(&self) -> String {
        let mut message = self.message().await;
        let trimmed = message.trim_start();
        let machine_input = trimmed.starts_with(['{', '['])
            && serde_json::from_str::<serde_json::Value>(&message)
                .is_ok_and(|v| v.is_object() || v.is_array());
        if !machine_input {
            let sent = self
                .created_at
                .parse()
                .map_or_else(chrono::Utc::now, |at| at.with_timezone(&chrono::Utc));
            message.push_str(&format!(
                "\n\nMessage timestamp (UTC): {}",
                sent.format("%Y-%m-%d %H:%M")
            ));
        }
        message
    }

    async fn message(&self) -> String {
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
        let limits = fetch::Limits::new(guard::allows_local(
            self.context
                .platform
                .as_ref()
                .map(|p| (p.configuration().base_url(), p.configuration().is_cloud())),
        ));
        for url in readable {
            let entry = if self.disable_attachment_injection {
                json!({ "url": url })
            } else {
                json!({ "url": url, "content": fetch::text(url, limits).await })
            };
            message.push('\n');
            message.push_str(&dumps(&entry));
        }
        message
    }
}
