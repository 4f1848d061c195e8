//! The agent engine at TRACE: the model's key and its secret header go out on every LLM call
//! and come back in a provider's error, and appear in no log line, error or saved result.

use serde_json::json;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, LlmTurn};
use xpander_runtime::backend::BackendError;
use xpander_runtime::model::{AgentExecutionStatus, CreateTaskRequest};
use xpander_runtime::{Backend, Events, Handler, Task};

use crate::{all_terminal, config, logs, secrets};

/// An agent on the scripted LLM holding the chaos LLM key and header, with one platform tool.
fn agent(ds: &DevServerHandle, id: &str) -> serde_json::Value {
    json!({
        "id": id, "name": "Chaos LLM Agent", "model_provider": "openai", "model_name": "gpt-4.1",
        "llm_api_base": format!("{}/_dev/llm/agents/{id}/openai/v1", ds.base_url()),
        "llm_credentials": {"name": "openai", "value": secrets::LLM_KEY},
        "llm_extra_headers": {"x-llm-key": secrets::LLM_HEADER},
        "agno_settings": {"session_storage": false},
        "tools": [{"id": "lookup", "name": "Lookup", "method": "POST", "path": "/tools/lookup",
                   "description": "Looks things up.", "parameters": {"type": "object"}}],
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_run_logs_neither_the_model_key_nor_its_header() {
    logs::capture();
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    ds.upsert_agent(agent(&ds, "chaos-llm")).await.unwrap();
    ds.upsert_agent(agent(&ds, "chaos-llm-refused"))
        .await
        .unwrap();
    let answers = vec![
        LlmTurn::call("lookup", json!({"q": "x"})),
        LlmTurn::answer("found"),
    ];
    ds.set_llm_script(Some("chaos-llm"), answers).await.unwrap();
    // A provider that echoes the key it refuses, as OpenAI's 401 does.
    let echo = format!("Incorrect API key provided: {}", secrets::LLM_KEY);
    ds.set_llm_script(Some("chaos-llm-refused"), vec![LlmTurn::fail(401, echo)])
        .await
        .unwrap();
    let backend = Backend::new(config(&ds));
    let handler = Handler::new(move |mut task: Task| {
        let backend = backend.clone();
        async move {
            let agent = backend.aget_agent().for_task(&mut task).await?;
            tracing::trace!(?agent, "chaos agent run: the runnable agent");
            agent.run(&mut task).await?;
            Ok::<_, BackendError>(task)
        }
    });
    let worker = Events::new()
        .invoke_server(false)
        .configuration(config(&ds))
        .register_agent_worker("chaos-llm", handler.clone())
        .register_agent_worker("chaos-llm-refused", handler)
        .spawn()
        .unwrap();
    for i in 0..5 {
        let request = CreateTaskRequest::new(format!("look {i}"));
        ds.create_task("chaos-llm", request).await.unwrap();
    }
    let refused = ds
        .create_task("chaos-llm-refused", CreateTaskRequest::new("refused"))
        .await
        .unwrap();
    all_terminal(&ds, &worker, 6, std::time::Duration::from_secs(60)).await;
    worker.stop().await.unwrap();

    let completed = ds
        .count_tasks(|t| t.task.status == AgentExecutionStatus::Completed)
        .await;
    assert_eq!(completed, 5, "the runs that were answered completed");
    let refused = ds.task(&refused.id).await.unwrap();
    assert_eq!(refused.status, AgentExecutionStatus::Error);
    let result = refused.result.unwrap_or_default();
    assert!(
        result.contains("HTTP 401") && result.contains("Incorrect API key"),
        "{result}"
    );

    let text = logs::text();
    assert!(
        text.contains("chaos agent run: the runnable agent"),
        "TRACE lines were captured"
    );
    let mut shown = vec![result, text];
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tasks = reqwest::get(format!("{}/_dev/tasks", ds.base_url()))
        .await
        .unwrap();
    shown.push(tasks.text().await.unwrap());
    // What the LLM was sent. A record also holds the answer given, here the script's refusal
    // with the key in it: that text is the script's own, not a leak, so it is left out.
    for mut record in ds.llm_requests().await {
        record.error = None;
        shown.push(serde_json::to_string(&record).unwrap());
    }
    for (what, secret) in [
        ("the model's key", secrets::LLM_KEY),
        ("the LLM header", secrets::LLM_HEADER),
    ] {
        for (i, text) in shown.iter().enumerate() {
            let at = text
                .find(secret)
                .map(|at| &text[at.saturating_sub(300)..(at + 60).min(text.len())]);
            assert!(
                at.is_none(),
                "{what} leaked in text {i}: ...{}...",
                at.unwrap_or_default()
            );
        }
    }
}
