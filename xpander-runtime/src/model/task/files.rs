//! The files of a task's input, by kind: images, PDFs and readable text.

use super::Task;

impl Task {
    /// The input files whose URL path ends in an image extension.
    ///
    /// ```
    /// use xpander_runtime::model::Task;
    ///
    /// let mut task = Task::from_prompt("look");
    /// task.input.files = vec!["https://x/a.PNG?sig=1".into(), "https://x/b.pdf".into()];
    /// assert_eq!(task.images(), vec!["https://x/a.PNG?sig=1"]);
    /// assert_eq!(task.files(), vec!["https://x/b.pdf"]);
    /// ```
    pub fn images(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, IMAGE_EXTENSIONS))
            .collect()
    }

    /// The input files that are PDFs (the files an LLM receives as documents, not inline text).
    pub fn files(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, &[".pdf"]))
            .collect()
    }

    /// The input files whose contents are readable text and are inlined by
    /// [`Task::to_message`](crate::model::Task::to_message).
    pub fn readable_files(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, READABLE_EXTENSIONS))
            .collect()
    }

    /// The input's file URLs: from `attachments` when present, else `files`.
    pub fn input_files(&self) -> impl Iterator<Item = &str> {
        let attachments = &self.input.attachments;
        let (from_attachments, from_files) = if attachments.is_empty() {
            (&[][..], self.input.files.as_slice())
        } else {
            (attachments.as_slice(), &[][..])
        };
        from_attachments
            .iter()
            .map(|a| a.url.as_str())
            .chain(from_files.iter().map(String::as_str))
    }
}

const READABLE_EXTENSIONS: &[&str] = &[
    ".txt", ".csv", ".json", ".xml", ".html", ".htm", ".md", ".rst", ".yaml", ".yml", ".py", ".js",
    ".ts", ".java", ".c", ".cpp", ".h", ".cs", ".go", ".rb", ".php", ".sh",
];

const IMAGE_EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tiff", ".webp", ".svg",
];

/// Whether the URL's path (query and fragment aside) ends in one of `extensions`, any case.
fn has_extension(url: &str, extensions: &[&str]) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    extensions.iter().any(|ext| path.ends_with(ext))
}
