//! Which script answers: per agent or the default; failing turns; the end of a script;
//! setting scripts over HTTP and in-process; latency.

use std::time::{Duration, Instant};

use super::*;

fn text_of(answer: &Answer) -> &str {
    answer.body["choices"][0]["message"]["content"]
        .as_str()
        .or_else(|| answer.body["content"][0]["text"].as_str())
        .unwrap_or_else(|| panic!("no text in {}", answer.text))
}

fn openai_body(messages: Value) -> Value {
    json!({"model": "m", "messages": messages})
}

fn anthropic_body(messages: Value) -> Value {
    json!({"model": "m", "max_tokens": 10, "messages": messages})
}

#[tokio::test]
async fn per_agent_scripts_and_the_default() {
    let server = start_scripted(
        LlmScripts::new()
            .default_script(vec![
                LlmTurn::answer("default 0"),
                LlmTurn::answer("default 1"),
            ])
            .agent("a1", vec![LlmTurn::answer("a1 0"), LlmTurn::answer("a1 1")]),
    )
    .await;
    // a2's script comes over HTTP, and leaves the others as they are.
    let set = call_with(
        &server,
        Method::POST,
        "/_dev/llm/scripts",
        Some(json!({"agents": {"a2": [{"answer": "a2 0"}]}})),
        &[],
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["default"][1], json!({"answer": "default 1"}));
    assert_eq!(set.body["agents"]["a2"], json!([{"answer": "a2 0"}]));

    let turn0 = json!([user("hi")]);
    let turn1 = json!([user("hi"), {"role": "assistant", "content": "x"}, user("again")]);
    // Turn 1 before turn 0: the position comes from the request, not from the server.
    let cases = [
        (OPENAI.to_owned(), openai_body(turn1.clone()), "default 1"),
        (openai_for("a1"), openai_body(turn1.clone()), "a1 1"),
        (openai_for("a1"), openai_body(turn0.clone()), "a1 0"),
        (anthropic_for("a2"), anthropic_body(turn0.clone()), "a2 0"),
        (anthropic_for("a1"), anthropic_body(turn1.clone()), "a1 1"),
        (
            anthropic_for("nobody"),
            anthropic_body(turn0.clone()),
            "default 0",
        ),
        (
            ANTHROPIC.to_owned(),
            anthropic_body(turn0.clone()),
            "default 0",
        ),
    ];
    for (path, body, expected) in &cases {
        let answer = ask(&server, path, body.clone()).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        assert_eq!(text_of(&answer), *expected, "{path}");
    }
    let records = server.llm_requests().await;
    let seen: Vec<(Option<&str>, &str, Option<usize>)> = records
        .iter()
        .map(|r| (r.agent_id.as_deref(), r.script.as_str(), r.turn))
        .collect();
    assert_eq!(
        seen,
        [
            (None, "default", Some(1)),
            (Some("a1"), "agents.a1", Some(1)),
            (Some("a1"), "agents.a1", Some(0)),
            (Some("a2"), "agents.a2", Some(0)),
            (Some("a1"), "agents.a1", Some(1)),
            (Some("nobody"), "default", Some(0)),
            (None, "default", Some(0)),
        ]
    );
    assert_eq!(
        records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );

    // In-process: an empty script removes a1's, which then gets the default.
    server.set_llm_script(Some("a1"), vec![]).await.unwrap();
    let answer = ask(&server, &openai_for("a1"), openai_body(turn0)).await;
    assert_eq!(text_of(&answer), "default 0");
}

#[tokio::test]
async fn fail_turns_answer_the_providers_error_shape() {
    let server = start_scripted(
        LlmScripts::new()
            .default_script(vec![LlmTurn::fail(500, "the model crashed")])
            .agent("limited", vec![LlmTurn::fail(429, "slow down")]),
    )
    .await;
    let messages = json!([user("hi")]);
    let a = ask(&server, OPENAI, openai_body(messages.clone())).await;
    assert_eq!(a.status, 500);
    assert_eq!(a.content_type, "application/json");
    assert_eq!(
        a.body,
        json!({"error": {"message": "the model crashed", "type": "server_error", "param": null, "code": null}})
    );
    let a = ask(
        &server,
        &openai_for("limited"),
        openai_body(messages.clone()),
    )
    .await;
    assert_eq!(a.status, 429);
    assert_eq!(a.body["error"]["type"], "rate_limit_error");
    assert_eq!(a.body["error"]["code"], "rate_limit_exceeded");
    assert_eq!(a.body["error"]["message"], "slow down");

    let a = ask(&server, ANTHROPIC, anthropic_body(messages.clone())).await;
    assert_eq!(a.status, 500);
    assert_eq!(
        a.body,
        json!({"type": "error", "error": {"type": "api_error", "message": "the model crashed"}})
    );
    let a = ask(
        &server,
        &anthropic_for("limited"),
        anthropic_body(messages.clone()),
    )
    .await;
    assert_eq!(a.status, 429);
    assert_eq!(a.body["error"]["type"], "rate_limit_error");

    // A stream that fails fails before it starts: the status and the JSON error.
    let mut body = anthropic_body(messages);
    body["stream"] = json!(true);
    let (status, content_type, _) = ask_stream(&server, &anthropic_for("limited"), body).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (429, "application/json")
    );

    let records = server.llm_requests().await;
    assert_eq!(records[0].status, 500);
    assert_eq!(records[0].error.as_deref(), Some("the model crashed"));
    assert_eq!(records[1].status, 429);
}

#[tokio::test]
async fn past_the_end_is_a_400_naming_the_turn_and_the_script() {
    let server = start_scripted(
        LlmScripts::new()
            .default_script(vec![LlmTurn::answer("only")])
            .agent("x", vec![LlmTurn::answer("one"), LlmTurn::answer("two")]),
    )
    .await;
    let turn1 = json!([user("hi"), {"role": "assistant", "content": "only"}, user("more")]);
    let a = ask(&server, OPENAI, openai_body(turn1)).await;
    assert_eq!(a.status, 400);
    let message = a.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("turn 1"), "{message}");
    assert!(
        message.contains("script \"default\" has 1 turns"),
        "{message}"
    );
    assert_eq!(a.body["error"]["type"], "invalid_request_error");

    let turn2 = json!([user("a"), {"role": "assistant", "content": "one"}, user("b"),
        {"role": "assistant", "content": [{"type": "text", "text": "two"}]}, user("c")]);
    let a = ask(&server, &anthropic_for("x"), anthropic_body(turn2)).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["type"], "error");
    let message = a.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("turn 2") && message.contains("\"agents.x\""),
        "{message}"
    );

    // No script at all says how to set one.
    server.set_llm_script(None, vec![]).await.unwrap();
    let a = ask(&server, OPENAI, openai_body(json!([user("hi")]))).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("POST /_dev/llm/scripts"), "{}", a.text);

    let last = server.llm_requests().await.pop().unwrap();
    assert_eq!((last.turn, last.status), (Some(0), 400));
    assert!(last.error.unwrap().contains("has 0 turns"));
}

#[tokio::test]
async fn scripts_are_checked_and_shown() {
    let server = start().await;
    for (body, needle) in [
        (json!({"default": [{"anwser": "typo"}]}), "default[0]"),
        (
            json!({"default": [{"answer": "a", "fail": {"status": 500, "message": "m"}}]}),
            "exactly one",
        ),
        (
            json!({"agents": {"a": [{"fail": {"status": 200, "message": "m"}}]}}),
            "400 to 599",
        ),
        (json!({"defaults": []}), "defaults"),
        (json!([]), "JSON object"),
    ] {
        let a = call_with(
            &server,
            Method::POST,
            "/_dev/llm/scripts",
            Some(body.clone()),
            &[],
        )
        .await;
        assert_eq!(a.status, 400, "{body}");
        let error = a.body["error"].as_str().unwrap();
        assert!(error.contains(needle), "{body}: {error}");
    }
    let script = json!([
        {"call": [{"name": "t", "arguments": {"a": 1}}], "usage": {"prompt": 5}, "latency_ms": 10},
        {"answer_json": null},
    ]);
    let a = call_with(
        &server,
        Method::POST,
        "/_dev/llm/scripts",
        Some(json!({"default": script})),
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let shown = call_with(&server, Method::GET, "/_dev/llm/scripts", None, &[]).await;
    assert_eq!(shown.body["default"], script);
    // The seeded demo agent answers from a script of its own until given another.
    assert_eq!(
        shown.body["agents"]["demo-agent"][0]["answer"],
        xpander_devserver::DEMO_ANSWER
    );
    // In-process scripts are checked too.
    let bad = server
        .set_llm_script(None, vec![LlmTurn::call("t", json!([1]))])
        .await;
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("default[0]: call[0].arguments")
    );
    let options =
        options().llm_scripts(LlmScripts::new().default_script(vec![LlmTurn::fail(99, "")]));
    assert!(xpander_devserver::DevServer::start(options).await.is_err());
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let server = start_scripted(LlmScripts::new().default_script(vec![
        LlmTurn::answer("late").latency(Duration::from_millis(300)),
    ]))
    .await;
    let started = Instant::now();
    let a = ask(&server, OPENAI, openai_body(json!([user("hi")]))).await;
    assert_eq!(text_of(&a), "late");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
