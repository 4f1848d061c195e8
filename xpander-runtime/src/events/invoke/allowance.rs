//! Whether a caller's API key may invoke an agent: asked of the platform
//! (`POST /metadata/api_key_allowance`) and remembered for five minutes under a hash of the
//! key, never the key itself.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tracing::warn;

use crate::Platform;
use crate::platform::routes::CheckApiKey;

/// How long an answer is trusted.
const TTL: Duration = Duration::from_secs(300);
/// Answers remembered at most: callers sending ever new keys cannot grow the cache unbounded.
const MAX_ENTRIES: usize = 10_000;

/// Why a key was not allowed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The platform says the key may not invoke the agent.
    NotAllowed,
    /// The platform could not be asked; nothing is remembered, the next call asks again.
    Unchecked(String),
}

/// Whose answer: the SHA-256 of the key, and the agent.
type Asked = ([u8; 32], String);
/// The answer, and when it was given.
type Answer = (bool, Instant);

/// Remembered answers.
#[derive(Default)]
pub(crate) struct Allowances {
    answers: Mutex<HashMap<Asked, Answer>>,
}

impl Allowances {
    /// Whether `api_key` may invoke `agent_id`, from a remembered answer or the platform's.
    pub(crate) async fn check(
        &self,
        platform: &Platform,
        api_key: &str,
        agent_id: &str,
    ) -> Result<(), Refusal> {
        let key = (
            Sha256::digest(api_key.as_bytes()).into(),
            agent_id.to_owned(),
        );
        let remembered = self.lock().get(&key).copied();
        let allowed = match remembered {
            Some((allowed, at)) if at.elapsed() < TTL => allowed,
            _ => {
                let allowed = ask(platform, api_key, agent_id).await?;
                self.remember(key, allowed);
                allowed
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(Refusal::NotAllowed)
        }
    }

    fn remember(&self, key: Asked, allowed: bool) {
        let mut answers = self.lock();
        if answers.len() >= MAX_ENTRIES {
            answers.retain(|_, (_, at)| at.elapsed() < TTL);
            if answers.len() >= MAX_ENTRIES {
                answers.clear();
            }
        }
        answers.insert(key, (allowed, Instant::now()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Asked, Answer>> {
        self.answers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn ask(platform: &Platform, api_key: &str, agent_id: &str) -> Result<bool, Refusal> {
    match platform.send(CheckApiKey { api_key }).await {
        Ok(answer) => Ok(answer.agent_ids.iter().any(|id| id == agent_id)),
        Err(e) => {
            // The answer may echo the caller's key: say only what kind of failure it was.
            let what = match e.status() {
                Some(status) => format!("the platform answered HTTP {status}"),
                None if e.is_transient() => "the platform could not be reached".to_owned(),
                None => "the platform's answer could not be read".to_owned(),
            };
            warn!(agent_id, %what, "could not check an /invoke caller's API key");
            Err(Refusal::Unchecked(what))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Configuration;

    fn unreachable() -> Platform {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let config = Configuration::builder()
            .api_key("worker-key")
            .organization_id("org")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        Platform::new(config)
    }

    #[tokio::test]
    async fn an_unreachable_platform_refuses_without_remembering_and_never_names_the_key() {
        let allowances = Allowances::default();
        let refusal = allowances
            .check(&unreachable(), "caller-secret", "agent-1")
            .await
            .unwrap_err();
        let Refusal::Unchecked(why) = refusal else {
            panic!("{refusal:?}")
        };
        assert!(!why.contains("caller-secret"), "{why}");
        assert!(
            allowances.lock().is_empty(),
            "a failure is asked again next time"
        );
    }

    #[test]
    fn remembered_answers_are_bounded() {
        let allowances = Allowances::default();
        for i in 0..MAX_ENTRIES + 5 {
            let key = (
                Sha256::digest(i.to_string().as_bytes()).into(),
                "a".to_owned(),
            );
            allowances.remember(key, false);
        }
        assert!(allowances.lock().len() <= MAX_ENTRIES);
    }
}
