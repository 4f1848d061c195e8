//! The Rust Agno rendering held to the official Python SDK: `xpander-sdk[agno]==2.0.537`'s
//! `Backend().aget_args(agent_id=..., task=...)` runs against a devserver, and its arguments
//! are compared key by key with `AgentArgs::render_with_secrets()` for the same agent and task.
//!
//! Compared: the keys present; every JSON value (flags, numbers, ids, session keys,
//! `additional_context`, …); the model's class and every constructor argument we render (id,
//! temperature, key, headers, user, cache key, …); the agent-derived start of `instructions`
//! (Python then appends its own prose blocks, which the port leaves out); the output schema's
//! fields; tool, guardrail and database classes; team members attribute by attribute.
//!
//! Left out on purpose (see docs/backend.md): `compression_manager` and `tool_hooks` (the Python
//! runtime's harness) and `_xpander_hidden_mcp_toolkits` (Python-private; Agno rejects it).
//!
//! The virtualenv comes from `xpander_devserver::python::sdk_python()` (built once, cached in
//! `${XDG_CACHE_HOME:-$HOME/.cache}/xpander-rs/`). The test fails when `python3` is missing,
//! unless `XPANDER_SKIP_PYTHON_INTEROP=1` is set.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Map, Value, json};
use xpander_devserver::{DevServer, DevServerOptions, KnowledgeBase};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, User};
use xpander_runtime::{Backend, Tasks};

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Keys of the Python args with no counterpart in the port, and why.
const PYTHON_ONLY_KEYS: [(&str, &str); 3] = [
    (
        "compression_manager",
        "the Python harness's context optimizer",
    ),
    ("tool_hooks", "the Python harness's tool middleware"),
    (
        "_xpander_hidden_mcp_toolkits",
        "Python-private; Agno itself rejects it",
    ),
];

/// How Python's prose blocks start: what may follow the agent-derived instructions.
const PROSE_OPENERS: [&str; 2] = ["\n<grounding>", "\n\n            <workspace_access_rules>"];

/// LLM keys both sides see.
const LLM_KEYS: [(&str, &str); 2] = [
    ("OPENAI_API_KEY", "sk-parity-openai"),
    ("ANTHROPIC_API_KEY", "sk-parity-anthropic"),
];

// ---------------------------------------------------------------------------------------------
// The Python environment: the devserver's shared provisioner.

/// The venv's python; `None` when skipped by the environment. Fails (never skips) when
/// `python3` is missing.
fn python() -> Option<PathBuf> {
    match xpander_devserver::python::sdk_python() {
        Ok(Some(python)) => Some(python),
        Ok(None) => {
            println!(
                "note: XPANDER_SKIP_PYTHON_INTEROP=1, so the Python SDK parity test is skipped"
            );
            None
        }
        Err(problem) => panic!("{problem}"),
    }
}

/// Where the Python SDK finds the devserver.
#[derive(Clone)]
struct Platform {
    base_url: String,
    org: String,
    api_key: String,
}

/// Runs the dump script for one agent and task; its JSON output.
async fn python_args(
    python: PathBuf,
    platform: Platform,
    agent_id: String,
    task_id: String,
) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/backend_args.py");
    let mut command = tokio::process::Command::new(python);
    command
        .arg(&script)
        .arg(&agent_id)
        .arg(&task_id)
        // A clean environment: only what both sides are given.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .env("XPANDER_BASE_URL", &platform.base_url)
        .env("XPANDER_ORGANIZATION_ID", &platform.org)
        .env("XPANDER_API_KEY", &platform.api_key)
        .env("LOGURU_LEVEL", "WARNING")
        .envs(LLM_KEYS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().expect("the venv's python runs");
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .expect("the Python SDK answers within the script timeout")
        .expect("the script's output is readable");
    assert!(
        output.status.success(),
        "backend_args.py {agent_id} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "backend_args.py printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

// ---------------------------------------------------------------------------------------------
// The comparison.

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/agents")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn is_described(value: &Value) -> bool {
    value.get("__type__").is_some()
}

/// Whether two JSON values are equal, numbers compared by value (Python's 0.0 and 0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

struct Diff {
    problems: Vec<String>,
}

impl Diff {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(what());
        }
    }
}

/// The agent-derived part of Python's instructions must be ours, followed by Python's prose.
fn compare_instructions(diff: &mut Diff, path: &str, python: &Value, ours: &Value) {
    let (Some(python), Some(ours)) = (python.as_str(), ours.as_str()) else {
        diff.check(false, || format!("{path}: not strings: {python} / {ours}"));
        return;
    };
    let rest = python.strip_prefix(ours);
    diff.check(
        rest.is_some_and(|rest| rest.is_empty() || PROSE_OPENERS.iter().any(|o| rest.starts_with(o))),
        || format!("{path}: Python's instructions do not start with ours followed by a prose block:\n  python: {python:?}\n  ours:   {ours:?}"),
    );
}

fn compare_model(diff: &mut Diff, path: &str, python: &Value, ours: &Value) {
    let class = ours["class"].as_str().unwrap_or_default();
    let mro: Vec<&str> = python["__mro__"]
        .as_array()
        .map_or(Vec::new(), |m| m.iter().filter_map(Value::as_str).collect());
    diff.check(mro.contains(&class), || {
        format!("{path}.class: ours {class}, Python's chain {mro:?}")
    });
    for (key, value) in ours.as_object().unwrap() {
        if key == "class" || key == "provider" {
            continue;
        }
        let theirs = python.get(key).unwrap_or(&Value::Null);
        diff.check(same(theirs, value), || {
            format!("{path}.{key}: Python {theirs}, ours {value}")
        });
    }
    // What Python sets that we do not render must be unset there.
    for key in [
        "temperature",
        "reasoning_effort",
        "max_tokens",
        "base_url",
        "user",
    ] {
        if ours.get(key).is_none() {
            let theirs = python.get(key).unwrap_or(&Value::Null);
            diff.check(theirs.is_null(), || {
                format!("{path}.{key}: Python sets {theirs}, ours leaves it out")
            });
        }
    }
}

fn class_of(value: &Value) -> Option<&str> {
    value.get("class").and_then(Value::as_str)
}

fn python_classes(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["__type__"].as_str().unwrap_or("json").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn compare_members(diff: &mut Diff, python: &Value, ours: &Value, leader_model: &Value) {
    let (Some(python), Some(ours)) = (python.as_array(), ours.as_array()) else {
        diff.check(false, || "members: not lists".into());
        return;
    };
    diff.check(python.len() == ours.len(), || {
        format!("members: Python has {}, ours {}", python.len(), ours.len())
    });
    for (i, (theirs, mine)) in python.iter().zip(ours).enumerate() {
        let path = format!("members[{i}]");
        diff.check(theirs["__type__"] == mine["class"], || {
            format!("{path}: class {} / {}", theirs["__type__"], mine["class"])
        });
        diff.check(theirs["__model_is_leader__"] == json!(true), || {
            format!("{path}: Python's member does not share the leader's model")
        });
        diff.check(same(&mine["args"]["model"], leader_model), || {
            format!("{path}: our member's model is not the leader's")
        });
        let args = mine["args"].as_object().unwrap();
        for (key, value) in theirs.as_object().unwrap() {
            if key.starts_with("__") {
                continue;
            }
            match args.get(key) {
                Some(our) if key == "instructions" => {
                    compare_instructions(diff, &format!("{path}.{key}"), value, our)
                }
                Some(our) => diff.check(same(value, our), || {
                    format!("{path}.{key}: Python {value}, ours {our}")
                }),
                // Not rendered by us: the class's default must hold on the Python side.
                None => {
                    let default = &theirs["__defaults__"][key];
                    diff.check(same(value, default), || {
                        format!("{path}.{key}: Python sets {value} (default {default}), ours leaves it out")
                    })
                }
            }
        }
    }
}

fn compare(python: &Value, ours: &Map<String, Value>) -> Vec<String> {
    let mut diff = Diff {
        problems: Vec::new(),
    };
    let python = python.as_object().expect("Python printed an object");
    let python_only: Vec<&str> = PYTHON_ONLY_KEYS.iter().map(|(k, _)| *k).collect();
    for key in python.keys().filter(|k| !python_only.contains(&k.as_str())) {
        diff.check(ours.contains_key(key), || {
            format!("key {key}: Python has it, ours does not")
        });
    }
    for key in ours.keys() {
        diff.check(python.contains_key(key), || {
            format!("key {key}: ours has it, Python does not")
        });
    }
    for (key, theirs) in python {
        let Some(mine) = ours.get(key) else { continue };
        match key.as_str() {
            "instructions" => compare_instructions(&mut diff, key, theirs, mine),
            "model" => compare_model(&mut diff, key, theirs, mine),
            "members" => compare_members(&mut diff, theirs, mine, &ours["model"]),
            "output_schema" => {
                let schema = &theirs["schema"];
                let props = |v: &Value| -> Vec<String> {
                    v["properties"]
                        .as_object()
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default()
                };
                diff.check(
                    props(schema) == props(&mine["schema"])
                        && same(&schema["required"], &mine["schema"]["required"]),
                    || format!("output_schema: Python {schema}, ours {mine}"),
                );
                diff.check(
                    schema["title"] == json!("StructuredOutput")
                        && class_of(mine) == Some("StructuredOutput"),
                    || "output_schema: not named StructuredOutput".into(),
                );
            }
            "tools" | "pre_hooks" => {
                let ours_classes: Vec<String> = mine
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| class_of(t).unwrap_or_default().to_owned())
                    .collect();
                let theirs_classes: Vec<String> = python_classes(theirs)
                    .into_iter()
                    // Python's platform tools are plain functions; ours are described as Agno's `Function`.
                    .map(|c| {
                        if c == "function" {
                            "Function".to_owned()
                        } else {
                            c
                        }
                    })
                    .collect();
                diff.check(ours_classes == theirs_classes, || {
                    format!("{key}: Python {theirs_classes:?}, ours {ours_classes:?}")
                });
            }
            "db" => diff.check(theirs["__type__"].as_str() == class_of(mine), || {
                format!("db: Python {}, ours {mine}", theirs["__type__"])
            }),
            "knowledge_retriever" => diff
                .check(is_described(theirs) && class_of(mine).is_some(), || {
                    format!("knowledge_retriever: {theirs} / {mine}")
                }),
            _ if is_described(theirs) => diff.check(false, || {
                format!("{key}: Python holds an object ({theirs}) the comparison does not know")
            }),
            _ => diff.check(same(theirs, mine), || {
                format!("{key}: Python {theirs}, ours {mine}")
            }),
        }
    }
    diff.problems
}

// ---------------------------------------------------------------------------------------------

struct Case {
    agent_id: &'static str,
    request: CreateTaskRequest,
}

fn user() -> User {
    User {
        first_name: Some("Ada".into()),
        timezone: Some("Europe/London".into()),
        additional_attributes: Some(
            json!({"plan": "pro", "seats": 3})
                .as_object()
                .unwrap()
                .clone(),
        ),
        ..User::new("ada@example.com").with_id("user-1")
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            agent_id: "fixture-openai",
            request: CreateTaskRequest::new("Summarise the latest papers")
                .user(user())
                .additional_context("Prefer papers from 2025."),
        },
        Case {
            agent_id: "fixture-anthropic",
            request: CreateTaskRequest::new("My order is late")
                .output_format(OutputFormat::Markdown),
        },
        Case {
            agent_id: "fixture-json",
            // The agent answers JSON; a text task keeps JSON mode on (the SDK's rule).
            request: CreateTaskRequest::new("What is 6 x 7?")
                .output_format(OutputFormat::Text)
                .user(User::new("bob@example.com")),
        },
        Case {
            agent_id: "fixture-team",
            request: CreateTaskRequest::new("Write a report")
                .user(user())
                .additional_context("Two pages at most.")
                .tool_call_limit(40),
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_rendering_matches_the_python_sdk() {
    let Some(python) = tokio::task::spawn_blocking(python).await.unwrap() else {
        return;
    };
    let mut agents = vec![
        fixture("openai.json"),
        fixture("anthropic_headers.json"),
        fixture("json_output.json"),
    ];
    agents.extend(fixture("team.json").as_array().unwrap().iter().cloned());
    let mut options = DevServerOptions::default()
        .db_uri("postgresql://parity:secret@127.0.0.1:1/agents")
        .llm_extra_headers(
            json!({"x-org-default": "org-value", "x-shared": "from-org", "x-empty": "", "x-number": 7})
                .as_object()
                .unwrap()
                .clone(),
        )
        .knowledge_base(KnowledgeBase::new("kb-handbook", "Handbook").document("Refunds take 14 days."));
    for agent in agents {
        options = options.agent(agent);
    }
    let server = DevServer::start(options).await.unwrap();
    let config = server.configuration().build().unwrap();
    let backend = Backend::builder()
        .configuration(config.clone())
        .env_lookup(|name| {
            LLM_KEYS
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .build();

    // The Python processes are slow to start: run them side by side.
    let platform = Platform {
        base_url: server.base_url().to_owned(),
        org: server.org().to_owned(),
        api_key: server.api_key().to_owned(),
    };
    let mut runs = Vec::new();
    for case in cases() {
        let created = server
            .create_task(case.agent_id, case.request)
            .await
            .unwrap();
        let task = Tasks::new(config.clone()).aget(&created.id).await.unwrap();
        let theirs = tokio::spawn(python_args(
            python.clone(),
            platform.clone(),
            case.agent_id.to_owned(),
            task.id.clone(),
        ));
        runs.push((case.agent_id, task, theirs));
    }
    let mut report = Vec::new();
    for (agent_id, task, theirs) in runs {
        let theirs = theirs.await.unwrap();
        let ours = backend
            .aget_args()
            .agent_id(agent_id)
            .task(&task)
            .await
            .unwrap_or_else(|e| panic!("{agent_id}: {e}"))
            .render_with_secrets();
        let problems = compare(&theirs, &ours);
        println!(
            "{agent_id}: {} keys compared, {} differences",
            ours.len(),
            problems.len()
        );
        report.extend(problems.into_iter().map(|p| format!("{agent_id}: {p}")));
    }
    assert!(
        report.is_empty(),
        "the Rust rendering differs from the Python SDK:\n{}",
        report.join("\n")
    );
}
