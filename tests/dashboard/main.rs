//! The devserver's dashboard in a real browser: headless Chromium, driven over WebDriver,
//! against a devserver with a Rust worker in this process. The page loads without console
//! errors; a task created through the form appears and completes without a reload; its detail
//! shows the result and a pushed event; approving (and denying) an MCP login through the
//! buttons ends a waiting `aget_args`; a task stops from its page; faults set through the page
//! are in `/_dev/faults`.
//! Screenshots are saved under `target/dashboard/`.
//!
//! These tests live here, not in the devserver's own tests, because they need a worker and
//! the Backend (the runtime), which the devserver's tests do not depend on.

mod browser;
mod scale;
mod webdriver;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use serde_json::{Value, json};
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions};
use xpander_runtime::backend::{AuthPolling, BackendError, ToolSpec};
use xpander_runtime::model::{CreateTaskRequest, OutputFormat, TaskUpdateEvent, Tokens, User};
use xpander_runtime::{AgentArgs, Backend, Events, EventsHandle, Handler, Task};

use webdriver::{Chromedriver, Session, screenshot_dir};

const WAIT: Duration = Duration::from_secs(15);
const CHUNK: &str = "hello from the Rust handler";
/// An LLM key of a seeded agent: it must never reach the page.
const LLM_SECRET: &str = "sk-dashboard-test-secret";
const MCP_URL: &str = "https://mcp.example.com/mcp";

/// Opens a browser session, runs `body`, and closes the session and chromedriver whether the
/// body passed or panicked. Returns without running when no browser is installed (outside CI).
async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Arc<Session>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(browser) = browser::find() else {
        return;
    };
    // reqwest (the WebDriver client's and the tests' own) needs a TLS provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let driver = Chromedriver::start(&browser.chromedriver).await;
    let session = Arc::new(Session::new(&driver, &browser.chromium).await);
    let outcome = AssertUnwindSafe(body(session.clone())).catch_unwind().await;
    if let Ok(session) = Arc::try_unwrap(session) {
        session.close().await;
    }
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A devserver with the demo agent and an agent with an OAuth MCP server.
async fn devserver() -> DevServerHandle {
    let server = DevServer::start(DevServerOptions::default()).await.unwrap();
    server
        .upsert_agent(json!({
            "id": "mcp-agent", "name": "GitHub helper", "model_provider": "openai",
            "model_name": "gpt-4.1", "agno_settings": {"session_storage": false},
            "llm_credentials": {"name": "key", "value": LLM_SECRET},
            "graph": [{
                "id": "node-github", "item_id": "mcp-github", "type": "mcp", "targets": [],
                "settings": {"mcp_settings": {"name": "GitHub", "url": MCP_URL, "auth_type": "oauth2"}},
            }],
        }))
        .await
        .unwrap();
    server
}

/// A worker for the demo agent, with `handler`, running up to `slots` tasks at once.
fn worker(server: &DevServerHandle, handler: Handler, slots: usize) -> EventsHandle {
    let config = server
        .configuration()
        .agent_id(server.agent_id())
        .build()
        .unwrap();
    Events::new()
        .invoke_server(false)
        .max_sync_workers(slots)
        .configuration(config)
        .register_agent_worker(server.agent_id(), handler)
        .spawn()
        .unwrap()
}

/// A handler that pushes a chunk, then answers the prompt (as JSON when the task asks for
/// JSON) with token counts.
fn chatty() -> Handler {
    Handler::new(|mut task: Task| async move {
        let chunk = TaskUpdateEvent::chunk(&task, CHUNK);
        task.push_event(&chunk).await.map_err(|e| e.to_string())?;
        let prompt = task.input.text.clone();
        if task.output_format == Some(OutputFormat::Json) {
            task.set_result_json(&json!({"echo": prompt, "words": prompt.split(' ').count()}));
        } else {
            task.result = Some(format!("You said: {prompt}"));
        }
        // Tokens make the worker report the run's metrics.
        task.tokens = Some(Tokens::new(42, 7));
        Ok::<_, String>(task)
    })
}

/// `aget_args` for the MCP agent on a new task of `user`, polling fast; runs until the login
/// is approved or denied. The task's id (no worker serves that agent: it stays pending) too.
async fn resolve_args(
    server: &DevServerHandle,
    user: &str,
) -> (
    String,
    tokio::task::JoinHandle<Result<AgentArgs, BackendError>>,
) {
    let backend = Backend::builder()
        .configuration(server.configuration().build().unwrap())
        .auth_polling(AuthPolling {
            interval: Duration::from_millis(50),
            timeout: WAIT,
        })
        .build();
    let request = CreateTaskRequest::new("list my repositories")
        .user(User::new(format!("{user}@example.com")).with_id(user));
    let task = server.create_task("mcp-agent", request).await.unwrap();
    let id = task.id.clone();
    let args =
        tokio::spawn(async move { backend.aget_args().agent_id("mcp-agent").task(&task).await });
    (id, args)
}

fn bearer(args: &AgentArgs) -> Option<String> {
    args.tools.iter().find_map(|tool| match tool {
        ToolSpec::Mcp(mcp) => match &mcp.connection {
            xpander_runtime::backend::McpConnection::Http { headers, .. } => {
                headers.get("Authorization").map(|v| v.expose().to_owned())
            }
            _ => None,
        },
        _ => None,
    })
}

async fn faults(server: &DevServerHandle) -> Value {
    reqwest::get(format!("{}/_dev/faults", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// No secret in what the page shows.
async fn assert_no_secrets(session: &Session, server: &DevServerHandle) {
    let html = session
        .run("return document.documentElement.outerHTML", json!([]))
        .await;
    let html = html.as_str().unwrap();
    assert!(
        !html.contains(server.api_key()),
        "the API key is on the page"
    );
    assert!(!html.contains(LLM_SECRET), "an LLM key is on the page");
}

async fn assert_no_console_errors(session: &Session, when: &str) {
    let errors = session.console_errors().await;
    assert!(errors.is_empty(), "console errors {when}: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_in_chromium() {
    with_browser(|session| async move {
        let server = devserver().await;
        let worker = worker(&server, chatty(), 4);
        server
            .wait_for_workers(WAIT, |w| !w.is_empty())
            .await
            .expect("the worker connected");
        let shots = screenshot_dir();
        let base = server.base_url().to_owned();

        // The page loads, goes live, and logs no error.
        session.goto(&format!("{base}/")).await;
        session
            .wait_for("the live stream", WAIT, "return document.querySelector('#live.on') !== null")
            .await;
        assert_no_console_errors(&session, "on load").await;

        // A task created through the form appears, then completes, with no reload.
        session.run("window.notReloaded = true", json!([])).await;
        // The form is open while there are no tasks; otherwise its summary opens it.
        let open = session.run("return document.querySelector('#create-box').open", json!([])).await;
        if open != true {
            session.click_css("#create-box > summary").await;
        }
        session.click_css("#create-agent option[value='demo-agent']").await;
        let prompt = "Summarise the quarterly report in three bullet points";
        session.type_into(&session.find("#create-prompt").await, prompt).await;
        session.click_css("#create-format option[value='json']").await;
        session
            .type_into(&session.find("#create-schema").await, r#"{"type": "object"}"#)
            .await;
        session.type_into(&session.find("#create-email").await, "ada@example.com").await;
        session.click_css("#create-task button[type=submit]").await;
        let row_js = format!(
            "const row = [...document.querySelectorAll('tr[data-task]')]
               .find(r => r.querySelector('.prompt').textContent === {prompt:?});
             const info = row && {{id: row.dataset.task, status: row.querySelector('.badge').textContent}};"
        );
        let row = session
            .wait_for("the new row", WAIT, &format!("{row_js} return info;"))
            .await;
        let task_id = row["id"].as_str().unwrap().to_owned();
        let completed = format!("{row_js} return info && info.status === 'completed';");
        session.wait_for("the row to turn completed", WAIT, &completed).await;
        let reloaded = session.run("return window.notReloaded === true", json!([])).await;
        assert_eq!(reloaded, true, "the page was reloaded");
        let task = server.task(&task_id).await.unwrap();
        assert_eq!(task.output_format, Some(OutputFormat::Json));
        assert_eq!(task.output_schema, Some(json!({"type": "object"})));
        assert_eq!(task.input.user.as_ref().unwrap().email, "ada@example.com");
        session.screenshot(&shots.join("tasks.png")).await;

        // The detail shows the result (pretty JSON) and the pushed chunk.
        session.click_css(&format!("tr[data-task='{task_id}'] a")).await;
        let detail = session
            .wait_for(
                "the task's detail",
                WAIT,
                "const d = document.querySelector('#part-task'); \
                 return d && d.textContent.includes('\"echo\"') ? d.innerText : null",
            )
            .await;
        let detail = detail.as_str().unwrap();
        assert!(detail.contains(&format!("\"echo\": \"{prompt}\"")), "{detail}");
        // Read in one script: the detail re-renders live (the metrics arrive after the save).
        let chunk = session
            .run(
                "const li = document.querySelector(\"li[data-event='chunk']\"); \
                 return li ? li.innerText : ''",
                json!([]),
            )
            .await;
        let chunk = chunk.as_str().unwrap_or_default();
        assert!(chunk.contains(CHUNK), "{chunk}");
        // The metrics come after the final save: the open detail shows them when they do.
        session
            .wait_for(
                "status changes, the event and the metrics in the detail",
                WAIT,
                "const text = document.querySelector('#part-task').innerText.toLowerCase();
                 return ['status changes (3)', 'pushed events (1)', 'metrics (1)']
                   .every(s => text.includes(s));",
            )
            .await;
        session.screenshot(&shots.join("task.png")).await;

        // Approving a login through its button lets the waiting aget_args finish.
        session.goto(&format!("{base}/?view=agents")).await;
        let (_, approved) = resolve_args(&server, "user-approve").await;
        let approve = "return document.querySelector(\"button[data-action='approve']\")";
        session.wait_for("a waiting login", WAIT, approve).await;
        session.screenshot(&shots.join("agents.png")).await;
        session.click_css("button[data-action='approve']").await;
        let args = tokio::time::timeout(WAIT, approved)
            .await
            .expect("aget_args finished after the approval")
            .unwrap()
            .expect("aget_args succeeded");
        let token = bearer(&args).expect("the MCP server got a token");
        assert!(token.starts_with("Bearer devserver-mcp-"), "{token}");
        assert_no_secrets(&session, &server).await;

        // Denying one ends the wait with a refusal.
        let (pending, denied) = resolve_args(&server, "user-deny").await;
        session.wait_for("a second waiting login", WAIT, approve).await;
        session.click_css("button[data-action='deny']").await;
        let refused = tokio::time::timeout(WAIT, denied).await.unwrap().unwrap();
        match refused {
            Err(BackendError::McpAuthFailed { message, .. }) => {
                assert!(message.contains("denied"), "{message}")
            }
            other => panic!("expected McpAuthFailed, got {other:?}"),
        }

        // Its task is still pending (no worker serves that agent): stop it from its page.
        session.goto(&format!("{base}/?task={pending}")).await;
        session.click_css("button[data-action='stop']").await;
        session
            .wait_for(
                "the task's badge to say stopped",
                WAIT,
                "const b = document.querySelector('.detail-head .badge'); return b && b.textContent === 'stopped'",
            )
            .await;
        let stopped = server.task(&pending).await.unwrap();
        assert_eq!(stopped.status.as_str(), "stopped");
        assert!(stopped.is_manually_stopped);

        // Faults set through the page are the server's faults; clearing them clears them.
        session.goto(&format!("{base}/?view=faults")).await;
        let fill = [
            ("#f-error_pattern", "/agents/*/db"),
            ("#f-error_status", "503"),
            ("#f-error_rate", "0.5"),
            ("#f-drop_task_events_every", "3"),
        ];
        for (field, value) in fill {
            let input = session.find(field).await;
            session.clear(&input).await;
            session.type_into(&input, value).await;
        }
        session.click_css("#faults-form button[type=submit]").await;
        session
            .wait_for(
                "the faults in force on the page",
                WAIT,
                "return document.querySelector('#part-faults').textContent.includes('/agents/*/db')",
            )
            .await;
        let set = faults(&server).await;
        assert_eq!(
            set["faults"]["errors"],
            json!([{"pattern": "/agents/*/db", "method": null, "status": 503, "rate": 0.5}])
        );
        assert_eq!(set["faults"]["drop_task_events_every"], 3);
        session.screenshot(&shots.join("faults.png")).await;
        session.click_css("button[data-action='clear-faults']").await;
        session
            .wait_for(
                "the faults cleared on the page",
                WAIT,
                "return !document.querySelector('#part-faults').textContent.includes('/agents/*/db')",
            )
            .await;
        assert_eq!(faults(&server).await["faults"]["errors"], json!([]));

        // The other views, at 1280×800 and in a narrow window.
        for view in ["workers", "requests"] {
            session.goto(&format!("{base}/?view={view}")).await;
            session.screenshot(&shots.join(format!("{view}.png"))).await;
            assert_no_secrets(&session, &server).await;
        }
        session.goto(&format!("{base}/")).await;
        session.screenshot(&shots.join("overview.png")).await;
        session.resize(420, 860).await;
        session.screenshot(&shots.join("narrow.png")).await;
        assert_no_console_errors(&session, "after every step").await;
        eprintln!("screenshots in {}", shots.display());
        worker.stop().await.unwrap();
    })
    .await;
}
