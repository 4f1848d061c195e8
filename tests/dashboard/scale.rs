//! The dashboard with 10,000 tasks, run by a Rust worker while the page is open: how often the
//! page read the server meanwhile, what a page of tasks costs the server, and how fast the
//! browser loads it, shows a new task, turns a page and filters. The figures are printed; the
//! bounds asserted are loose (a debug build on a shared machine).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use xpander_devserver::RequestRecord;
use xpander_runtime::model::CreateTaskRequest;

use super::*;

const TASKS: usize = 10_000;

/// The median time and the size of `GET path` (`samples` times).
async fn timed(http: &reqwest::Client, url: &str, samples: usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..samples {
        let started = Instant::now();
        let answer = http.get(url).send().await.unwrap();
        assert!(answer.status().is_success(), "{url}");
        size = answer.bytes().await.unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], size)
}

fn parts_reads(requests: &[RequestRecord]) -> usize {
    requests
        .iter()
        .filter(|r| r.path == "/_dev/dashboard/parts")
        .count()
}

/// Milliseconds a page action took, measured in the page: `action` runs, then the time until
/// `done` (a function body) is true, checked on every DOM change.
async fn in_page(session: &Session, action: &str, done: &str) -> f64 {
    let script = format!(
        "window.__took = null;
         const done = () => {{ {done} }};
         const started = performance.now();
         const observer = new MutationObserver(() => {{
           if (done()) {{ window.__took = performance.now() - started; observer.disconnect(); }}
         }});
         observer.observe(document.body, {{childList: true, subtree: true, characterData: true}});
         {action}"
    );
    session.run(&script, json!([])).await;
    let took = session
        .wait_for("the page to follow", WAIT, "return window.__took")
        .await;
    took.as_f64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_with_10_000_tasks() {
    with_browser(|session| async move {
        // Room in the request log for every request of the run (a few per task).
        let options = DevServerOptions {
            request_log_capacity: 200_000,
            ..DevServerOptions::default()
        };
        let server = DevServer::start(options).await.unwrap();
        // A plain handler: the run's own requests are what the devserver serves.
        let quick = Handler::new(|mut task: Task| async move {
            task.result = Some(format!("done: {}", task.input.text));
            task
        });
        let worker = worker(&server, quick, 64);
        server
            .wait_for_workers(WAIT, |w| !w.is_empty())
            .await
            .unwrap();
        let base = server.base_url().to_owned();
        let http = reqwest::Client::new();
        session.goto(&format!("{base}/")).await;
        session
            .wait_for("the live stream", WAIT, "return document.querySelector('#live.on') !== null")
            .await;

        // 10,000 tasks run while the page watches.
        let started = Instant::now();
        for i in 0..TASKS {
            let prompt = format!("task {i}: {}", ["weather", "report", "invoice", "search"][i % 4]);
            server
                .create_task(server.agent_id(), CreateTaskRequest::new(prompt))
                .await
                .unwrap();
        }
        let created = started.elapsed();
        server
            .wait_for_tasks(TASKS, Duration::from_secs(300), |t| t.task.status.is_terminal())
            .await
            .expect("every task finished");
        let ran = started.elapsed();
        let reads = parts_reads(&server.requests().await);
        session
            .wait_for(
                "the page to show them all",
                WAIT,
                "return document.querySelector('#counts').textContent.startsWith('10,000 tasks · 0 active')",
            )
            .await;

        // What a page of tasks costs the server.
        let mut server_figures = Vec::new();
        for (what, query) in [
            ("whole page, newest 50", "/"),
            ("parts, newest 50", "/_dev/dashboard/parts"),
            ("parts, last page", "/_dev/dashboard/parts?page=200"),
            ("parts, status filter", "/_dev/dashboard/parts?status=completed&page=50"),
            ("parts, search in prompts", "/_dev/dashboard/parts?q=invoice"),
            ("parts, search, no match", "/_dev/dashboard/parts?q=nothing-matches"),
        ] {
            let (took, size) = timed(&http, &format!("{base}{query}"), 15).await;
            server_figures.push((what, took, size));
        }

        // What the browser takes: a load, a new task, a page turn, a filter.
        session.goto(&format!("{base}/")).await;
        let navigation: Value = session
            .run(
                "const n = performance.getEntriesByType('navigation')[0];
                 return {response: n.responseEnd - n.requestStart,
                         dom: n.domContentLoadedEventEnd - n.startTime,
                         load: n.loadEventEnd - n.startTime};",
                json!([]),
            )
            .await;
        session
            .wait_for("the live stream", WAIT, "return document.querySelector('#live.on') !== null")
            .await;
        let marker = "the ten-thousand-and-first task";
        session.run(
            "window.__started = performance.now(); window.__seen = null;
             new MutationObserver((_, o) => {
               if ([...document.querySelectorAll('td.task .prompt')].some(p => p.textContent === arguments[0])) {
                 window.__seen = performance.now(); o.disconnect();
               }
             }).observe(document.body, {childList: true, subtree: true});",
            json!([marker]),
        )
        .await;
        server
            .create_task(server.agent_id(), CreateTaskRequest::new(marker))
            .await
            .unwrap();
        let live = session
            .wait_for("the new task's row", WAIT, "return window.__seen && window.__seen - window.__started")
            .await
            .as_f64()
            .unwrap();
        let page_turn = in_page(
            &session,
            "document.querySelector('a[rel=next]').click();",
            "return document.querySelector('.pager').textContent.includes('page 2 of')",
        )
        .await;
        let filter = in_page(
            &session,
            "const q = document.querySelector('#filter-q'); q.value = 'invoice';
             q.dispatchEvent(new Event('input', {bubbles: true}));",
            "return document.querySelector('.summary').textContent.startsWith('2,500 of')",
        )
        .await;
        assert_no_console_errors(&session, "with 10,000 tasks").await;
        session
            .screenshot(&screenshot_dir().join("tasks-10000.png"))
            .await;

        eprintln!("dashboard with {TASKS} tasks (debug build):");
        eprintln!(
            "  created in-process in {created:.2?}; all run by the worker in {ran:.2?}; \
             meanwhile the open page read its parts {reads} times"
        );
        for (what, took, size) in &server_figures {
            eprintln!("  server, {what}: {took:.2?} (median of 15), {size} bytes");
        }
        eprintln!(
            "  browser: page load {:.0} ms (HTML {:.0} ms, DOM ready {:.0} ms); a new task on \
             screen {live:.0} ms after it was created (the stream coalesces changes over 200 ms); \
             next page {page_turn:.0} ms; a search {filter:.0} ms (after the 250 ms typing pause)",
            navigation["load"].as_f64().unwrap_or_default(),
            navigation["response"].as_f64().unwrap_or_default(),
            navigation["dom"].as_f64().unwrap_or_default(),
        );

        // Loose bounds: a page is cheap whatever the number of tasks, and the page does not
        // read once per change (10,000 creations, 30,000 status changes).
        assert!(reads < 2_000, "the page read its parts {reads} times");
        for (what, took, _) in &server_figures {
            assert!(*took < Duration::from_secs(1), "{what}: {took:?}");
        }
        assert!(live < 3_000.0, "a new task took {live} ms to show");
        worker.stop().await.unwrap();
    })
    .await;
}
