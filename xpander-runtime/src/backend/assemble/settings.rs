//! The agent's settings as run settings: output format, session history, guardrails and the
//! tool-call limit.

use serde_json::Value;

use crate::backend::args::{DbSpec, Guardrail, OutputSpec, SessionSpec};
use crate::backend::env::Env;
use crate::backend::llm::{LlmProvider, ModelSpec};
use crate::model::{Agent, OutputFormat, Task};

/// The tool-call ceiling when neither the task nor the agent sets one.
const DEFAULT_TOOL_CALL_LIMIT: i64 = 800;

/// The output rules: the agent's format, then a different task format (root agent only).
pub(super) fn output(agent: &Agent, task: Option<&Task>, is_member: bool) -> OutputSpec {
    let mut spec = OutputSpec::default();
    if agent.output_format == OutputFormat::Voice {
        spec.json_mode = Some(false);
        spec.markdown = Some(false);
        return spec;
    }
    if agent.output_format == OutputFormat::Json {
        spec.json_mode = Some(true);
        spec.schema = agent.output_schema.clone().map(Value::Object);
    } else if agent.output_format == OutputFormat::Markdown {
        spec.markdown = Some(true);
    }
    if is_member {
        return spec;
    }
    if let Some(task) = task
        && task.output_format.as_ref() != Some(&agent.output_format)
    {
        match task.output_format {
            Some(OutputFormat::Json) => {
                spec.json_mode = Some(true);
                spec.markdown = Some(false);
                spec.schema = task.output_schema.clone();
            }
            Some(OutputFormat::Markdown) => spec.markdown = Some(true),
            // Text, voice, another value, or no format at all turn markdown off.
            _ => spec.markdown = Some(false),
        }
    }
    spec
}

/// Session history settings, when session storage is on; `db_uri` is the agent's database.
pub(super) fn session(
    agent: &Agent,
    task: Option<&Task>,
    db_uri: Option<String>,
) -> Option<SessionSpec> {
    let settings = &agent.agno_settings;
    settings.session_storage.then(|| SessionSpec {
        session_id: task.map(|t| {
            t.conversation_id
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| t.id.clone())
        }),
        user_id: task.and_then(|t| t.input.user.as_ref()?.id.clone()),
        summaries: settings.session_summaries,
        num_history_runs: settings.num_history_runs,
        // 0 means unset.
        max_tool_calls_from_history: settings.max_tool_calls_from_history.filter(|n| *n >= 1),
        db: db_uri.map(|uri| DbSpec {
            uri: uri.into(),
            schema: format!("ag_{}", agent.id.replace('-', "_")),
        }),
    })
}

/// The input guardrails the agent's settings turn on, in the order they run.
pub(super) fn guardrails(agent: &Agent, model: Option<&ModelSpec>) -> Vec<Guardrail> {
    let settings = &agent.agno_settings;
    let mut guardrails = Vec::new();
    if settings.pii_detection_enabled {
        guardrails.push(Guardrail::PiiDetection {
            mask: settings.pii_detection_mask,
        });
    }
    if settings.prompt_injection_detection_enabled {
        guardrails.push(Guardrail::PromptInjection);
    }
    if settings.openai_moderation_enabled {
        guardrails.push(Guardrail::OpenAiModeration {
            api_key: model
                .filter(|m| m.provider == LlmProvider::OpenAi)
                .and_then(|m| m.api_key.clone()),
            categories: settings
                .openai_moderation_categories
                .clone()
                .filter(|c| !c.is_empty()),
        });
    }
    guardrails
}

/// The task's limit (root agent only), else the agent's, else `XPANDER_TOOL_CALL_LIMIT`
/// (800); 0 counts as unset.
pub(super) fn tool_call_limit(
    env: &Env,
    agent: &Agent,
    task: Option<&Task>,
    is_member: bool,
) -> i64 {
    let from_task = if is_member {
        None
    } else {
        task.and_then(|t| t.tool_call_limit)
    };
    from_task
        .filter(|n| *n != 0)
        .or(agent.agno_settings.tool_call_limit.filter(|n| *n != 0))
        .unwrap_or_else(|| env.int("XPANDER_TOOL_CALL_LIMIT", DEFAULT_TOOL_CALL_LIMIT))
}
