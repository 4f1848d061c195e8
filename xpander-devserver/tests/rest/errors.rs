//! Bad input: 400 naming the problem, 404 for unknown ids, 413 over the body limit.

use super::*;

#[tokio::test]
async fn bad_input_answers_400_naming_the_problem_and_404_for_unknown_ids() {
    let server = start().await;
    let no_email = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {"text": "x", "user": {"id": "u"}}}),
    )
    .await;
    assert_eq!(no_email.status, 400);
    assert_eq!(
        no_email.body["error"],
        "create task: input.user.email: missing field"
    );
    let wrong_type = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {"text": 5}}),
    )
    .await;
    assert_eq!(wrong_type.status, 400);
    assert!(
        wrong_type.body["error"]
            .as_str()
            .unwrap()
            .starts_with("create task: input.text: invalid type"),
        "{}",
        wrong_type.text
    );
    let not_json = post(&server, "/agent-execution/demo-agent", json!("{not json")).await;
    assert_eq!(not_json.status, 400);
    let empty = post(&server, "/agent-execution/demo-agent", json!("")).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body["error"].as_str().unwrap().contains("empty"));
    let bad_format = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"input": {}, "output_format": "yaml"}),
    )
    .await;
    assert_eq!(bad_format.status, 400);
    assert!(
        bad_format.body["error"]
            .as_str()
            .unwrap()
            .contains("output_format")
    );
    let bad_id = post(
        &server,
        "/agent-execution/demo-agent",
        json!({"id": "a/b", "input": {}}),
    )
    .await;
    assert_eq!(bad_id.status, 400);

    let task = create_task(&server, "demo-agent", "x").await;
    let id = task["id"].as_str().unwrap();
    let status = patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"status": "banana"}),
    )
    .await;
    assert_eq!(status.status, 400);
    assert!(
        status.body["error"]
            .as_str()
            .unwrap()
            .contains("status: unknown value"),
        "{}",
        status.text
    );
    let mut wrong_id = task.clone();
    wrong_id["id"] = json!("someone-else");
    assert_eq!(
        patch(&server, &format!("/agent-execution/{id}/update"), wrong_id)
            .await
            .status,
        400
    );
    let bad_field = patch(
        &server,
        &format!("/agent-execution/{id}/update"),
        json!({"title": 7, "id": id}),
    )
    .await;
    assert_eq!(bad_field.status, 400);
    assert!(
        bad_field.body["error"]
            .as_str()
            .unwrap()
            .starts_with("update task: title:"),
        "{}",
        bad_field.text
    );
    assert_eq!(
        patch(
            &server,
            &format!("/agent-execution/{id}/update"),
            json!([1])
        )
        .await
        .status,
        400
    );
    assert_eq!(
        server.task(id).await.unwrap().status.as_str(),
        "pending",
        "unchanged after bad updates"
    );

    assert_eq!(
        post(&server, "/agent-execution/nope", json!({"input": {}}))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&server, "/agent-execution/nope/status").await.status,
        404
    );
    assert_eq!(
        patch(
            &server,
            "/agent-execution/nope/update",
            json!({"status": "completed"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        call(&server, Method::DELETE, "/agent-execution/nope", None)
            .await
            .status,
        404
    );
    assert_eq!(
        post(&server, "/agent-execution/nope/events/push", json!([]))
            .await
            .status,
        404
    );
    assert_eq!(get(&server, "/activity/demo-agent/nope").await.status, 404);
    assert_eq!(
        get(&server, "/agent-execution/executions/history/nope")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let server = start_with(options().body_limit(1024)).await;
    let big = json!({"input": {"text": "x".repeat(4096)}});
    let a = post(&server, "/agent-execution/demo-agent", big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.content_type, "application/json");
    // Chunked (no content-length) bodies are cut off too.
    let stream =
        futures_util::stream::iter((0..8).map(|_| Ok::<_, std::io::Error>(vec![b' '; 512])));
    let response = client()
        .post(format!("{}/agent-execution/demo-agent", server.base_url()))
        .header("x-api-key", KEY)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(get(&server, "/agents/list").await.status, 200);
}
