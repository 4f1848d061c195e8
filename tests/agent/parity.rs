//! Held to Python: the official Python worker (`xpander-sdk[agno]==2.0.537`) runs
//! `Agent(**await Backend().aget_args(task=task)).arun(...)` with Agno, and our Rust worker runs
//! `aget_agent().run()`, on the same agent, task and script against one devserver. Both must
//! send the LLM the same model id and temperature, the same tools with the same schemas, and
//! the same agent-derived system prompt (Python then adds prose blocks of its own, as
//! tests/backend_parity.rs allows).

use std::time::Duration;

use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, LlmRequestRecord, LlmTurn};
use xpander_runtime::model::{AgentExecutionStatus, CreateTaskRequest};

use crate::common::{agent, run_task, serve};

/// The venv's python; `None` when the environment skips the interop tests.
fn python() -> Option<std::path::PathBuf> {
    match xpander_devserver::python::sdk_python() {
        Ok(found) => found,
        Err(problem) => panic!("{problem}"),
    }
}

/// The LLM request number `since` (from 0).
async fn first_request(ds: &DevServerHandle, since: usize) -> LlmRequestRecord {
    ds.llm_requests().await.remove(since)
}

#[tokio::test(flavor = "multi_thread")]
async fn python_and_rust_send_the_llm_the_same_model_tools_and_prompt() {
    let Some(python) = python() else { return };
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    ds.upsert_agent(agent(&ds, "parity", None)).await.unwrap();
    let script = vec![
        LlmTurn::call("weather_lookup", json!({"body_params": {"city": "Oslo"}})),
        LlmTurn::answer("Sunny in Oslo."),
    ];
    ds.set_llm_script(Some("parity"), script).await.unwrap();

    let mut worker = xpander_devserver::python::sdk_worker_command(&python, &ds);
    let script_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/agent_worker.py");
    worker
        .arg(script_path)
        .env("XPANDER_AGENT_ID", "parity")
        .env("LOGURU_LEVEL", "WARNING")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = tokio::process::Command::from(worker)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    ds.wait_for_workers(Duration::from_secs(60), |w| !w.is_empty())
        .await
        .expect("the Python worker registers");
    let python_done = run_task(&ds, "parity", CreateTaskRequest::new("Weather in Oslo?")).await;
    child.kill().await.unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert_eq!(
        python_done.status,
        AgentExecutionStatus::Completed,
        "{:?}\n{}",
        python_done.result,
        String::from_utf8_lossy(&output.stderr)
    );
    let python_request = first_request(&ds, 0).await;
    let seen = ds.llm_requests().await.len();

    let rust = serve(&ds, "parity");
    let rust_done = run_task(&ds, "parity", CreateTaskRequest::new("Weather in Oslo?")).await;
    rust.stop().await.unwrap();
    assert_eq!(rust_done.result.as_deref(), Some("Sunny in Oslo."));
    let rust_request = first_request(&ds, seen).await;

    compare(&python_request, &rust_request);
}

/// The tools' schemas as structure: descriptions and titles dropped (each SDK words its own),
/// an optional value's `anyOf [X, null]` read as `X`, and `additionalProperties` left out.
fn shape(schema: &Value) -> Value {
    match schema {
        Value::Object(fields) => {
            if let Some(Value::Array(options)) = fields.get("anyOf") {
                let real: Vec<&Value> = options.iter().filter(|o| o["type"] != "null").collect();
                if let [only] = real[..] {
                    let mut merged = fields.clone();
                    merged.remove("anyOf");
                    if let Value::Object(inner) = only {
                        merged.extend(inner.clone());
                    }
                    return shape(&Value::Object(merged));
                }
            }
            Value::Object(
                fields
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "description" | "title" | "additionalProperties")
                    })
                    .map(|(k, v)| (k.clone(), shape(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// Python's platform-tool payload field for its workspace offload harness, not ported.
const PYTHON_HARNESS_FIELDS: [&str; 1] = ["workspace_path"];

fn compare(python: &LlmRequestRecord, rust: &LlmRequestRecord) {
    assert_eq!(rust.model, python.model, "model id");
    assert_eq!(rust.temperature, python.temperature, "temperature");
    for field in ["user", "prompt_cache_key"] {
        assert_eq!(rust.other.get(field), python.other.get(field), "{field}");
    }

    let names = |r: &LlmRequestRecord| r.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(rust), names(python), "tool names");
    for (ours, theirs) in rust.tools.iter().zip(&python.tools) {
        let (ours_shape, mut theirs_shape) = (
            shape(ours.parameters.as_ref().unwrap()),
            shape(theirs.parameters.as_ref().unwrap()),
        );
        if theirs_shape["properties"]["payload"].is_null() {
            assert_eq!(ours_shape, theirs_shape, "the schema of {}", ours.name);
            continue;
        }
        // A platform tool: the same `payload` wrapper around the same containers. Ours keeps
        // each container's own schema where Python offers a free-form object; what Python
        // says of a container must hold of ours.
        let payload = theirs_shape["properties"]["payload"]["properties"]
            .as_object_mut()
            .unwrap();
        for field in PYTHON_HARNESS_FIELDS {
            payload.remove(field);
        }
        let ours_payload = ours_shape["properties"]["payload"]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{ours_shape}"));
        let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(ours_payload),
            keys(payload),
            "the payload fields of {}",
            ours.name
        );
        for (field, theirs) in payload.iter() {
            for (key, value) in theirs.as_object().unwrap() {
                assert_eq!(
                    &ours_payload[field][key], value,
                    "{}: payload.{field}.{key}",
                    ours.name
                );
            }
        }
        assert_eq!(
            ours_shape["required"], theirs_shape["required"],
            "{}",
            ours.name
        );
        assert_eq!(ours_shape["type"], theirs_shape["type"], "{}", ours.name);
    }

    // The agent-derived system prompt: each of our blocks, in order, in Python's (which adds
    // its own prose blocks between them).
    let (ours, theirs) = (
        rust.system.clone().unwrap_or_default(),
        python.system.clone().unwrap_or_default(),
    );
    let mut blocks = vec![ours.as_str()];
    for marker in ["<additional_information>", "<expected_output>"] {
        let last = blocks.pop().unwrap();
        match last.find(marker) {
            Some(at) => blocks.extend([&last[..at], &last[at..]]),
            None => blocks.push(last),
        }
    }
    let mut from = 0;
    for block in blocks.iter().map(|b| b.trim()).filter(|b| !b.is_empty()) {
        let at = theirs[from..].find(block).unwrap_or_else(|| {
            panic!("Python's system prompt lacks, in order, our block:\n{block}\n--- Python's:\n{theirs}")
        });
        from += at + block.len();
    }
    assert_eq!(
        blocks.len(),
        3,
        "description and instructions, information, expected output"
    );
    assert!(ours.contains("<expected_output>\nOne sentence.\n</expected_output>"));

    // The user's message, up to the timestamp line both append (each task has its own time).
    let text = |r: &LlmRequestRecord| {
        let last = r
            .messages
            .iter()
            .rev()
            .find(|m| m["role"] == "user")
            .unwrap();
        let content = last["content"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                last["content"][0]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            });
        content
            .split("\n\nMessage timestamp (UTC): ")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(text(rust), text(python), "the user's message");
}
