//! Scripts: what the scripted LLM answers, turn by turn ([`LlmTurn`]), and the scripts a server
//! holds ([`LlmScripts`]: a default one and one per agent).
//!
//! In JSON a turn is an object with exactly one action key (`call`, `answer`, `answer_json`,
//! `fail`) and optional `usage` and `latency_ms`. It is read through a flat helper struct
//! rather than serde's enum tagging so that a typo, a missing action or two actions in one turn
//! are errors that name the turn, not silently ignored keys.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One answer of the scripted LLM: an action, plus the usage it reports and how long it takes.
///
/// The turn answered is the one whose index is the number of assistant messages in the
/// request, so a conversation walks through its script whatever else runs at the same time.
///
/// ```
/// use std::time::Duration;
/// use serde_json::json;
/// use xpander_devserver::LlmTurn;
///
/// let turns = vec![
///     LlmTurn::call("weather_lookup", json!({"city": "Oslo"})).usage(120, 15, 100),
///     LlmTurn::answer("Sunny in Oslo.").latency(Duration::from_millis(20)),
/// ];
/// // The same turns as the JSON of a script file:
/// assert_eq!(serde_json::to_value(&turns).unwrap(), json!([
///     {"call": [{"name": "weather_lookup", "arguments": {"city": "Oslo"}}],
///      "usage": {"prompt": 120, "completion": 15, "cached": 100}},
///     {"answer": "Sunny in Oslo.", "latency_ms": 20},
/// ]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawTurn", into = "RawTurn")]
pub struct LlmTurn {
    /// What the model does.
    pub action: LlmAction,
    /// The token figures reported; a missing figure is estimated from the sizes (about four
    /// bytes a token), and `cached` is 0.
    pub usage: Option<LlmUsage>,
    /// How long the server waits before it answers (before the first byte of a stream too).
    pub latency: Option<Duration>,
}

/// What a turn does.
///
/// ```
/// use xpander_devserver::{LlmAction, LlmTurn};
///
/// assert!(matches!(LlmTurn::answer("hi").action, LlmAction::Answer(ref t) if t == "hi"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum LlmAction {
    /// Calls these tools, in one assistant message (`finish_reason: "tool_calls"`,
    /// `stop_reason: "tool_use"`).
    Call(Vec<LlmToolCall>),
    /// Answers with this text.
    Answer(String),
    /// Answers with this JSON value, serialized as the text (structured output).
    AnswerJson(Value),
    /// Fails with an HTTP status and the provider's error body.
    Fail(LlmFailure),
}

/// One tool call of a [`LlmAction::Call`] turn. The server gives each call a fresh id.
///
/// ```
/// use serde_json::json;
/// use xpander_devserver::{LlmToolCall, LlmTurn};
///
/// let both = LlmTurn::calls([
///     LlmToolCall::new("search", json!({"q": "rust"})),
///     LlmToolCall::new("clock", json!({})),
/// ]);
/// assert!(both.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmToolCall {
    /// The tool's name.
    pub name: String,
    /// Its arguments: a JSON object (`{}` when absent).
    #[serde(default = "empty_object")]
    pub arguments: Value,
}

/// The token figures a turn reports. `prompt` counts the cached tokens too (as OpenAI's
/// `prompt_tokens` does); Anthropic's `input_tokens` is `prompt - cached`.
///
/// ```
/// use xpander_devserver::LlmUsage;
///
/// let usage: LlmUsage = serde_json::from_str(r#"{"prompt": 100, "cached": 80}"#).unwrap();
/// assert_eq!((usage.prompt, usage.completion, usage.cached), (Some(100), None, Some(80)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmUsage {
    /// Prompt (input) tokens, cached ones included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<u64>,
    /// Completion (output) tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<u64>,
    /// Prompt tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached: Option<u64>,
}

/// A failing turn: the HTTP status (400 to 599) and the message of the provider-shaped error.
///
/// ```
/// use xpander_devserver::LlmTurn;
///
/// assert!(LlmTurn::fail(429, "slow down").check().is_ok());
/// assert!(LlmTurn::fail(200, "not an error").check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmFailure {
    /// The HTTP status answered.
    pub status: u16,
    /// The error message.
    pub message: String,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl LlmToolCall {
    /// A call of `name` with `arguments` (a JSON object).
    pub fn new(name: impl Into<String>, arguments: Value) -> Self {
        Self {
            name: name.into(),
            arguments,
        }
    }
}

impl LlmTurn {
    fn of(action: LlmAction) -> Self {
        Self {
            action,
            usage: None,
            latency: None,
        }
    }

    /// Calls one tool with `arguments` (a JSON object).
    pub fn call(name: impl Into<String>, arguments: Value) -> Self {
        Self::calls([LlmToolCall::new(name, arguments)])
    }

    /// Calls several tools in one assistant message.
    pub fn calls(calls: impl IntoIterator<Item = LlmToolCall>) -> Self {
        Self::of(LlmAction::Call(calls.into_iter().collect()))
    }

    /// Answers with text.
    pub fn answer(text: impl Into<String>) -> Self {
        Self::of(LlmAction::Answer(text.into()))
    }

    /// Answers with a JSON value, sent serialized as the text content.
    pub fn answer_json(value: Value) -> Self {
        Self::of(LlmAction::AnswerJson(value))
    }

    /// Fails with `status` (400 to 599) and the provider's error body carrying `message`.
    pub fn fail(status: u16, message: impl Into<String>) -> Self {
        Self::of(LlmAction::Fail(LlmFailure {
            status,
            message: message.into(),
        }))
    }

    /// Reports these token figures (`cached` is part of `prompt`).
    pub fn usage(mut self, prompt: u64, completion: u64, cached: u64) -> Self {
        self.usage = Some(LlmUsage {
            prompt: Some(prompt),
            completion: Some(completion),
            cached: Some(cached),
        });
        self
    }

    /// Waits this long before answering.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// Whether the turn can be answered: a failure's status is 400 to 599, a call turn has
    /// calls with names and object arguments, and cached tokens do not exceed prompt tokens.
    pub fn check(&self) -> Result<(), String> {
        match &self.action {
            LlmAction::Fail(f) if !(400..=599).contains(&f.status) => {
                return Err(format!("fail.status: {} is not 400 to 599", f.status));
            }
            LlmAction::Call(calls) if calls.is_empty() => {
                return Err("call: at least one call is required".into());
            }
            LlmAction::Call(calls) => {
                for (i, call) in calls.iter().enumerate() {
                    if call.name.is_empty() {
                        return Err(format!("call[{i}].name: empty"));
                    }
                    if !call.arguments.is_object() {
                        return Err(format!("call[{i}].arguments: not a JSON object"));
                    }
                }
            }
            _ => {}
        }
        if let Some(LlmUsage {
            prompt: Some(prompt),
            cached: Some(cached),
            ..
        }) = self.usage
            && cached > prompt
        {
            return Err(format!(
                "usage: cached ({cached}) exceeds prompt ({prompt}), which includes it"
            ));
        }
        Ok(())
    }
}

/// The JSON shape of a turn, every key optional, so that [`LlmTurn::check`] and the one-action
/// rule can name what is wrong.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTurn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call: Option<Vec<LlmToolCall>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<String>,
    // `null` is a JSON answer too, so presence is what counts.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    answer_json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fail: Option<LlmFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage: Option<LlmUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    latency_ms: Option<u64>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl TryFrom<RawTurn> for LlmTurn {
    type Error = String;

    fn try_from(raw: RawTurn) -> Result<Self, String> {
        let actions = [
            raw.call.map(LlmAction::Call),
            raw.answer.map(LlmAction::Answer),
            raw.answer_json.map(LlmAction::AnswerJson),
            raw.fail.map(LlmAction::Fail),
        ];
        let mut actions = actions.into_iter().flatten();
        let (Some(action), None) = (actions.next(), actions.next()) else {
            return Err(
                "a turn has exactly one of `call`, `answer`, `answer_json` and `fail`".into(),
            );
        };
        let turn = LlmTurn {
            action,
            usage: raw.usage,
            latency: raw.latency_ms.map(Duration::from_millis),
        };
        turn.check()?;
        Ok(turn)
    }
}

impl From<LlmTurn> for RawTurn {
    fn from(turn: LlmTurn) -> Self {
        let mut raw = RawTurn {
            call: None,
            answer: None,
            answer_json: None,
            fail: None,
            usage: turn.usage,
            latency_ms: turn
                .latency
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        };
        match turn.action {
            LlmAction::Call(calls) => raw.call = Some(calls),
            LlmAction::Answer(text) => raw.answer = Some(text),
            LlmAction::AnswerJson(value) => raw.answer_json = Some(value),
            LlmAction::Fail(failure) => raw.fail = Some(failure),
        }
        raw
    }
}

/// Scripts for the scripted LLM: the JSON of `--llm-script FILE` and `POST /_dev/llm/scripts`.
///
/// `default` answers `/_dev/llm/{openai,anthropic}/...` and the per-agent routes of agents
/// without a script of their own; `agents` maps an agent id to the script of
/// `/_dev/llm/agents/{agent_id}/...`. Posted scripts replace only the ones given: an absent
/// `default` keeps the current one, and an agent given an empty list loses its script.
///
/// ```
/// use serde_json::json;
/// use xpander_devserver::{LlmScripts, LlmTurn};
///
/// let scripts: LlmScripts = serde_json::from_value(json!({
///     "default": [{"answer": "hello"}],
///     "agents": {"support-bot": [
///         {"call": [{"name": "lookup_order", "arguments": {"id": 7}}]},
///         {"answer_json": {"status": "shipped"}},
///     ]},
/// })).unwrap();
/// let built = LlmScripts::new()
///     .default_script(vec![LlmTurn::answer("hello")])
///     .agent("support-bot", vec![
///         LlmTurn::call("lookup_order", json!({"id": 7})),
///         LlmTurn::answer_json(json!({"status": "shipped"})),
///     ]);
/// assert_eq!(scripts, built);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmScripts {
    /// The default script; `None` leaves the current one as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<LlmTurn>>,
    /// Scripts by agent id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agents: BTreeMap<String, Vec<LlmTurn>>,
}

impl LlmScripts {
    /// No scripts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the default script.
    pub fn default_script(mut self, turns: Vec<LlmTurn>) -> Self {
        self.default = Some(turns);
        self
    }

    /// Sets an agent's script.
    pub fn agent(mut self, agent_id: impl Into<String>, turns: Vec<LlmTurn>) -> Self {
        self.agents.insert(agent_id.into(), turns);
        self
    }

    /// Checks every turn (see [`LlmTurn::check`]); the problem names the script and the turn.
    pub fn check(&self) -> Result<(), String> {
        let named = self
            .default
            .iter()
            .map(|turns| (DEFAULT.to_owned(), turns))
            .chain(self.agents.iter().map(|(id, t)| (agent_script(id), t)));
        for (name, turns) in named {
            for (i, turn) in turns.iter().enumerate() {
                turn.check().map_err(|e| format!("{name}[{i}]: {e}"))?;
            }
        }
        Ok(())
    }
}

/// The name of the default script in messages and records.
pub(crate) const DEFAULT: &str = "default";

/// The name of an agent's script in messages and records: its path in the scripts JSON.
pub(crate) fn agent_script(agent_id: &str) -> String {
    format!("agents.{agent_id}")
}

/// The scripts a server holds.
#[derive(Debug, Default)]
pub(crate) struct ScriptStore {
    default: Vec<LlmTurn>,
    agents: BTreeMap<String, Vec<LlmTurn>>,
}

impl ScriptStore {
    /// Replaces the scripts `scripts` gives (already checked).
    pub fn apply(&mut self, scripts: LlmScripts) {
        if let Some(turns) = scripts.default {
            self.default = turns;
        }
        for (agent, turns) in scripts.agents {
            if turns.is_empty() {
                self.agents.remove(&agent);
            } else {
                self.agents.insert(agent, turns);
            }
        }
    }

    /// The script serving `agent` (the default one without an agent or a script of its own):
    /// its name and turns.
    pub fn script(&self, agent: Option<&str>) -> (String, &[LlmTurn]) {
        match agent.and_then(|id| Some((id, self.agents.get(id)?))) {
            Some((id, turns)) => (agent_script(id), turns),
            None => (DEFAULT.to_owned(), &self.default),
        }
    }

    /// Every script, as JSON would show them.
    pub fn snapshot(&self) -> LlmScripts {
        LlmScripts {
            default: Some(self.default.clone()),
            agents: self.agents.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn turn(value: Value) -> Result<LlmTurn, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn one_action_per_turn() {
        assert!(turn(json!({"answer": "a", "fail": {"status": 500, "message": "m"}})).is_err());
        assert!(turn(json!({"usage": {"prompt": 1}})).is_err());
        assert!(turn(json!({"anwser": "typo"})).is_err());
        assert_eq!(
            turn(json!({"answer_json": null})).unwrap().action,
            LlmAction::AnswerJson(Value::Null)
        );
        let call = turn(json!({"call": [{"name": "t"}]})).unwrap();
        assert_eq!(call, LlmTurn::call("t", json!({})));
    }

    #[test]
    fn checks_name_the_problem() {
        let bad = |v| turn(v).unwrap_err();
        assert!(bad(json!({"fail": {"status": 302, "message": "m"}})).contains("fail.status"));
        assert!(bad(json!({"call": []})).contains("at least one"));
        assert!(bad(json!({"call": [{"name": "t", "arguments": [1]}]})).contains("arguments"));
        assert!(
            bad(json!({"answer": "a", "usage": {"prompt": 1, "cached": 2}})).contains("cached")
        );
        let scripts =
            LlmScripts::new().agent("a", vec![LlmTurn::answer("x"), LlmTurn::fail(99, "")]);
        assert_eq!(
            scripts.check().unwrap_err(),
            "agents.a[1]: fail.status: 99 is not 400 to 599"
        );
    }

    #[test]
    fn store_replaces_given_scripts_and_falls_back_to_the_default() {
        let mut store = ScriptStore::default();
        store.apply(
            LlmScripts::new()
                .default_script(vec![LlmTurn::answer("d")])
                .agent("a", vec![LlmTurn::answer("a")]),
        );
        assert_eq!(store.script(Some("a")).0, "agents.a");
        assert_eq!(store.script(Some("b")).0, "default");
        assert_eq!(store.script(None).1.len(), 1);
        store.apply(LlmScripts::new().agent("a", vec![]));
        assert_eq!(
            store.script(Some("a")).0,
            "default",
            "an empty list removes it"
        );
        assert_eq!(store.snapshot().default.unwrap().len(), 1, "default kept");
    }
}
