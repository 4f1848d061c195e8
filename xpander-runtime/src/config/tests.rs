//! The URL rules of protocol.md §1.4, one test per row, and the builder's checks.

use super::*;

fn config(base_url: Option<&str>, staging: bool) -> Configuration {
    let builder = ConfigurationBuilder {
        staging,
        ..Configuration::builder().api_key("k").organization_id("ORG")
    };
    match base_url {
        Some(url) => builder.base_url(url),
        None => builder,
    }
    .build()
    .unwrap()
}

fn roots(base_url: Option<&str>, staging: bool) -> (String, String) {
    let c = config(base_url, staging);
    // A task's live events hang off the same organization root as the worker channel.
    assert_eq!(format!("{}/events", c.events_root()), c.events_base());
    (c.rest_root().to_owned(), c.events_base().to_owned())
}

// One test per row of protocol.md §1.4's table.
#[test]
fn row_unset() {
    assert_eq!(
        roots(None, false),
        (
            "https://inbound.xpander.ai".into(),
            "https://agent-controller.xpander.ai/ORG/events".into()
        )
    );
}

#[test]
fn row_unset_staging() {
    assert_eq!(
        roots(None, true),
        (
            "https://inbound.stg.xpander.ai".into(),
            "https://agent-controller.stg.xpander.ai/ORG/events".into()
        )
    );
}

#[test]
fn row_local_api_8085() {
    assert_eq!(
        roots(Some("http://localhost:8085"), false),
        (
            "http://localhost:8085".into(),
            "http://localhost:9016/ORG/events".into()
        )
    );
}

#[test]
fn row_local_controller_9016() {
    assert_eq!(
        roots(Some("http://localhost:9016"), false),
        (
            "http://localhost:9016/ORG".into(),
            "http://localhost:9016/ORG/events".into()
        )
    );
}

#[test]
fn row_agent_controller() {
    assert_eq!(
        roots(Some("https://agent-controller.xpander.ai"), false),
        (
            "https://agent-controller.xpander.ai/ORG".into(),
            "https://agent-controller.xpander.ai/ORG/events".into()
        )
    );
}

#[test]
fn row_emulator() {
    assert_eq!(
        roots(Some("http://127.0.0.1:7777"), false),
        (
            "http://127.0.0.1:7777".into(),
            "http://127.0.0.1:7777/ORG/events".into()
        )
    );
}

#[test]
fn row_no_scheme() {
    assert_eq!(
        roots(Some("localhost:7777"), false),
        (
            "https://localhost:7777".into(),
            "https://localhost:7777/ORG/events".into()
        )
    );
}

#[test]
fn row_trailing_slash_keeps_double_slash() {
    assert_eq!(
        roots(Some("https://agent-controller.stg.xpander.ai/"), false),
        (
            "https://agent-controller.stg.xpander.ai//ORG".into(),
            "https://agent-controller.stg.xpander.ai//ORG/events".into()
        )
    );
}

// The parsed rules of 2.0.537 (changes-2.0.537.md §A1.3–1.4).
#[test]
fn port_19016_is_not_a_controller() {
    assert_eq!(
        roots(Some("http://host:19016"), false).0,
        "http://host:19016"
    );
}

#[test]
fn agent_controller_path_segment_is_a_controller() {
    assert_eq!(
        roots(Some("https://x.example.com/agent-controller"), false).0,
        "https://x.example.com/agent-controller/ORG"
    );
}

#[test]
fn port_8085_off_loopback_streams_from_itself() {
    assert_eq!(
        roots(Some("http://10.0.0.1:8085"), false).1,
        "http://10.0.0.1:8085/ORG/events"
    );
}

#[test]
fn inbound_must_be_the_exact_host() {
    assert_eq!(
        roots(Some("https://inbound.xpander.ai.example.com"), false).1,
        "https://inbound.xpander.ai.example.com/ORG/events"
    );
}

#[test]
fn route_joins_with_one_slash() {
    let c = config(Some("http://127.0.0.1:7777/"), false);
    assert_eq!(c.url("/agents/a"), "http://127.0.0.1:7777/agents/a");
    assert_eq!(c.url("agents/a"), "http://127.0.0.1:7777/agents/a");
}

#[test]
fn every_missing_variable_is_named_once() {
    let err = Configuration::builder().build().unwrap_err();
    assert_eq!(
        err,
        ConfigError::Missing {
            variables: vec!["XPANDER_API_KEY", "XPANDER_ORGANIZATION_ID"]
        }
    );
    let only_org = Configuration::builder().api_key("k").build().unwrap_err();
    assert!(
        only_org
            .to_string()
            .starts_with("missing configuration: set XPANDER_ORGANIZATION_ID (")
    );
}

#[test]
fn empty_values_count_as_missing() {
    let err = Configuration::builder()
        .api_key("")
        .organization_id("")
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::Missing { ref variables } if variables.len() == 2));
}

#[test]
fn empty_or_bad_base_url_is_an_error() {
    let b = Configuration::builder().api_key("k").organization_id("o");
    assert!(matches!(
        b.clone().base_url("").build(),
        Err(ConfigError::InvalidBaseUrl { .. })
    ));
    assert!(matches!(
        b.base_url("http://exa mple").build(),
        Err(ConfigError::InvalidBaseUrl { .. })
    ));
}

#[test]
fn secrets_never_print() {
    let c = config(None, false);
    let b = Configuration::builder().api_key("sk-very-secret");
    assert!(!format!("{c:?}{b:?}").contains("sk-very-secret"));
    assert!(!format!("{c:?}").contains("\"k\""));
}
