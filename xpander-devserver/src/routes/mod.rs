//! The route table. Platform routes need the `x-api-key`; `/` and `/_dev/*` are the open
//! developer pages. Every JSON answer, errors included, has `Content-Type: application/json`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, patch, post};

use crate::error::ApiError;
use crate::llm::{Anthropic, OpenAi};
use crate::state::App;
use crate::{auth, faults, reqlog};

mod agents;
mod dashboard;
mod dev;
mod llm;
mod mcp_auth;
mod misc;
mod tasks;
mod worker;

/// Every route, with the middleware: request log and body limit (outermost), auth, faults.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        // Agents (protocol §2.1, §2.14, §2.16; 2.0.537 §A2.18).
        .route("/agents/list", get(agents::list))
        .route("/agents/{id}", get(agents::get))
        .route("/agents/{id}/db", get(agents::db))
        .route(
            "/agents/{id}/sync_local_tools",
            patch(agents::sync_local_tools),
        )
        .route(
            "/agents/{id}/operations/{tool_id}",
            post(agents::invoke_tool),
        )
        .route(
            "/agents/{id}/llm-gateway-route/{task_id}",
            post(agents::no_route),
        )
        .route(
            "/agents/{id}/custom-llm-endpoint/{task_id}",
            post(agents::no_route),
        )
        // Tasks (§2.2–§2.10, §2.17).
        .route(
            "/agent-execution/{id}",
            post(tasks::create).delete(tasks::stop),
        )
        .route("/agent-execution/{id}/status", get(tasks::get))
        .route("/agent-execution/{id}/update", patch(tasks::update))
        .route("/agent-execution/{id}/report_task", post(tasks::report))
        .route(
            "/agent-execution/{id}/events/push",
            post(tasks::push_events),
        )
        .route(
            "/agent-execution/executions/history/{id}",
            get(tasks::history),
        )
        .route(
            "/agent-execution/executions/history/user/{id}",
            get(tasks::user_history),
        )
        .route("/agents-metrics/{id}/execution", post(tasks::metrics))
        .route("/activity/{id}/{task_id}", get(tasks::activity))
        // MCP auth (§2.11).
        .route("/mcp_auth/{id}/{user}/get_token", post(mcp_auth::get_token))
        // Metadata, memories, channel presence, knowledge bases (§2.12, §2.15, §A2.18).
        .route(
            "/metadata/default_llm_extra_headers",
            get(misc::llm_extra_headers),
        )
        .route("/metadata/api_key_allowance", post(misc::api_key_allowance))
        .route(
            "/memories/{id}",
            get(misc::memories).post(misc::save_memory),
        )
        .route("/tools/{id}/channel-presence", post(misc::empty_text))
        .route("/tools/{id}/dynamic-prompt", post(misc::empty_text))
        .route("/knowledge_bases/{id}", get(misc::kb_search))
        .route("/knowledge_bases/{id}/details", get(misc::kb_details))
        // The worker channel (§3): SSE, with and without the trailing slash, and POST-back.
        .route(
            "/{org}/events/{id}",
            get(worker::connect).post(worker::post_back),
        )
        .route("/{org}/events/{id}/", get(worker::connect))
        // A task's live events (2.0.537 `Task.aevents`), under the events root.
        .route(
            "/{org}/agent-execution/{id}/events",
            get(tasks::watch_events),
        )
        // The dashboard, its parts, change stream and assets; the platform routes its actions
        // use, mounted where the page needs no key.
        .route("/", get(dashboard::page))
        .route("/_dev/dashboard/parts", get(dashboard::parts))
        .route("/_dev/dashboard/live", get(dashboard::live))
        .route("/_dev/dashboard/app.js", get(dashboard::script))
        .route("/_dev/dashboard/style.css", get(dashboard::style))
        .route(
            "/_dev/platform/agent-execution/{id}",
            post(dashboard::create_task).delete(dashboard::stop_task),
        )
        // Developer pages.
        .route("/_dev/health", get(dev::health))
        .route(
            "/_dev/requests",
            get(dev::requests).delete(dev::clear_requests),
        )
        .route("/_dev/tasks", get(dev::tasks))
        .route("/_dev/tasks/{id}", get(dev::task))
        .route("/_dev/workers", get(dev::workers))
        .route("/_dev/workers/{id}/raw", post(dev::inject_raw))
        .route("/_dev/agents", get(dev::agents).post(dev::upsert_agents))
        .route("/_dev/knowledge_bases", post(dev::upsert_knowledge_bases))
        .route(
            "/_dev/faults",
            get(dev::faults)
                .post(dev::set_faults)
                .delete(dev::clear_faults),
        )
        .route("/_dev/mcp_auth", get(dev::mcp_logins))
        .route("/_dev/mcp_auth/approve", post(dev::mcp_approve))
        .route("/_dev/mcp_auth/deny", post(dev::mcp_deny))
        .route("/_dev/mcp_auth/login/{id}", get(dev::mcp_login))
        // The scripted LLM: an agent's `llm_api_base` points at `/_dev/llm/agents/{id}/openai/v1`
        // or `/_dev/llm/agents/{id}/anthropic`, where the SDKs add the rest.
        .route(
            "/_dev/llm/openai/v1/chat/completions",
            post(llm::plain::<OpenAi>),
        )
        .route(
            "/_dev/llm/anthropic/v1/messages",
            post(llm::plain::<Anthropic>),
        )
        .route(
            "/_dev/llm/agents/{id}/openai/v1/chat/completions",
            post(llm::for_agent::<OpenAi>),
        )
        .route(
            "/_dev/llm/agents/{id}/anthropic/v1/messages",
            post(llm::for_agent::<Anthropic>),
        )
        .route(
            "/_dev/llm/scripts",
            get(llm::scripts).post(llm::set_scripts),
        )
        .route(
            "/_dev/llm/requests",
            get(llm::requests).delete(llm::clear_requests),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), faults::middleware))
        .layer(from_fn_with_state(app.clone(), auth::middleware))
        .layer(from_fn_with_state(app.clone(), reqlog::middleware))
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {}", uri.path()))
}

async fn method_not_allowed(uri: Uri) -> Response {
    use axum::response::IntoResponse;
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed on {}", uri.path()),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn status(app: Arc<App>, peer: &str, path: &str, key: Option<&str>) -> u16 {
        let mut builder = Request::get(path);
        if let Some(key) = key {
            builder = builder.header("x-api-key", key);
        }
        let mut req = builder.body(Body::empty()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        router(app).oneshot(req).await.unwrap().status().as_u16()
    }

    /// The status and the `error` of a GET with the key, from a loopback peer.
    async fn error_of(path: &str) -> (u16, String) {
        let mut req = Request::get(path)
            .header("x-api-key", "k")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo("127.0.0.1:5000".parse::<SocketAddr>().unwrap()));
        let response = router(App::for_tests(true)).oneshot(req).await.unwrap();
        let status = response.status().as_u16();
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        (
            status,
            json["error"].as_str().unwrap_or_default().to_owned(),
        )
    }

    #[tokio::test]
    async fn a_malformed_query_value_answers_400_naming_its_key() {
        for (path, message) in [
            (
                "/_dev/requests?since=x",
                r#"query since: "x" is not a number"#,
            ),
            (
                "/knowledge_bases/kb?search_query=a&top_k=-1",
                r#"query top_k: "-1" is not a count"#,
            ),
            (
                "/local-org/events/demo-agent?environment=mars/",
                r#"query environment: "mars" is not local or xpander"#,
            ),
            (
                "/local-org/events/demo-agent?environment=/",
                r#"query environment: "" is not local or xpander"#,
            ),
            (
                "/local-org/events/demo-agent?supports_llm_gateway=Maybe",
                r#"query supports_llm_gateway: expected true or false, got "maybe""#,
            ),
        ] {
            assert_eq!(error_of(path).await, (400, message.to_owned()), "{path}");
        }
        // Empty values are absent ones.
        assert_eq!(error_of("/_dev/requests?since=&path=").await.0, 200);
        // An unknown organization is a 404 whatever its query says.
        let (status, _) = error_of("/other-org/events/demo-agent?environment=mars").await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn dev_routes_answer_loopback_peers_only() {
        for (peer, expected) in [
            ("10.1.2.3:5000", 403),
            ("192.168.0.9:1", 403),
            ("127.0.0.1:5000", 200),
            ("[::1]:5000", 200),
        ] {
            for path in [
                "/_dev/health",
                "/",
                "/_dev/dashboard/parts",
                "/_dev/dashboard/app.js",
            ] {
                let got = status(App::for_tests(true), peer, path, None).await;
                assert_eq!(got, expected, "{peer} {path}");
            }
        }
        assert_eq!(
            status(App::for_tests(false), "10.1.2.3:5000", "/_dev/health", None).await,
            200
        );
        // Platform routes take the key from anyone.
        assert_eq!(
            status(
                App::for_tests(true),
                "10.1.2.3:5000",
                "/agents/list",
                Some("k")
            )
            .await,
            200
        );
        assert_eq!(
            status(App::for_tests(true), "10.1.2.3:5000", "/agents/list", None).await,
            403
        );
    }
}
