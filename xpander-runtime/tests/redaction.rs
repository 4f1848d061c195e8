//! What the platform answers never puts a secret into an error: HTTP error bodies lose the API
//! key and every secret-looking value, and a response that does not decode is described
//! without quoting its strings.

mod common;

use common::{TestServer, json, task_json, text};
use serde_json::json;
use xpander_runtime::{Agents, Error, Tasks};

const PLANTED: &[&str] = &["body-s3cr3t-1", "body-s3cr3t-2", "test-key-s3cr3t"];

fn assert_clean(err: &Error) {
    let message = err.to_string();
    for secret in PLANTED {
        assert!(!message.contains(secret), "{secret} in {message}");
    }
    assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
}

#[tokio::test]
async fn a_json_error_body_loses_every_secret_value() {
    let server = TestServer::start(|_, _| {
        json(
            400,
            json!({
                "detail": "rejected test-key-s3cr3t",
                "token": "body-s3cr3t-1",
                "context": {"headers": {"Authorization": "Bearer body-s3cr3t-2"}},
            }),
        )
    })
    .await;
    let err = Agents::new(server.config()).aget("a1").await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err:?}");
    assert_clean(&err);
    assert!(
        err.to_string().contains("detail"),
        "the rest is kept: {err}"
    );
}

#[tokio::test]
async fn a_text_error_body_loses_credentials_in_headers_and_assignments() {
    let body = "upstream rejected the call: Authorization: Bearer body-s3cr3t-1\n\
                retry with sso_fetch_key=body-s3cr3t-2&tenant=acme (key test-key-s3cr3t)";
    let server = TestServer::start(move |_, _| text(502, "text/plain", body)).await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_clean(&err);
    assert!(
        err.to_string().contains("tenant=acme"),
        "the rest is kept: {err}"
    );
}

#[tokio::test]
async fn a_long_error_body_is_redacted_before_it_is_cut() {
    // The key straddles the cut at 512 characters: cut first, its first half would stay.
    let body = format!("{}test-key-s3cr3t and more", "x".repeat(504));
    let server = TestServer::start(move |_, _| text(400, "text/plain", &body)).await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    assert!(!err.to_string().contains("test-key"), "{err}");
}

#[tokio::test]
async fn a_response_that_does_not_decode_quotes_none_of_its_strings() {
    let server = TestServer::start(|_, _| {
        let mut task = task_json("t1");
        // A double-encoded `user_tokens`: a string where an object goes.
        task["user_tokens"] = json!(r#"{"oidc_tokens":{"llm":"body-s3cr3t-1"}}"#);
        json(200, task)
    })
    .await;
    let err = Tasks::new(server.config()).aget("t1").await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_clean(&err);
    assert!(
        err.to_string()
            .ends_with("user_tokens: invalid type: string, expected a map"),
        "{err}"
    );
}
