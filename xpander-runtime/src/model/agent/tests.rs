//! Agent decoding: fixtures, Python defaults, unknown values, secrecy.

use super::*;
use serde_json::json;

const FULL: &str = include_str!("../../../../tests/fixtures/agent.full.json");
const MINIMAL: &str = include_str!("../../../../tests/fixtures/agent.minimal.json");

fn minimal_with(key: &str, value: Value) -> Agent {
    let mut json: Value = serde_json::from_str(MINIMAL).unwrap();
    json[key] = value;
    serde_json::from_value(json).unwrap()
}

#[test]
fn full_fixture_round_trips() {
    let sent: Value = serde_json::from_str(FULL).unwrap();
    let agent: Agent = serde_json::from_value(sent.clone()).unwrap();
    assert_eq!(serde_json::to_value(&agent).unwrap(), sent);
    assert_eq!(agent.extra["future_field"], json!({"x": 1}));
    assert_eq!(
        agent.llm_credentials.as_ref().unwrap().value.expose(),
        "sk-test-llm-key-123"
    );
    assert_eq!(agent.tools.len(), 1);
    assert_eq!(agent.graph.len(), 2);
}

#[test]
fn minimal_fixture_gets_the_2_0_537_defaults() {
    let agent: Agent = serde_json::from_str(MINIMAL).unwrap();
    assert_eq!(agent.framework, Framework::Agno);
    assert!(agent.deep_planning);
    assert!(agent.enforce_deep_planning);
    assert_eq!(agent.agno_settings, AgnoSettings::default());
    assert_eq!(agent.agno_settings.num_history_runs, Some(50));
    assert_eq!(agent.agno_settings.max_tool_calls_from_history, None);
    assert!(agent.agno_settings.reasoning_tools_enabled);
    assert!(agent.agno_settings.session_storage);
    assert!(agent.agno_settings.pii_detection_mask);
    assert_eq!(agent.icon, "🚀");
    assert_eq!(agent.status, AgentStatus::Active);
    assert_eq!(agent.deployment_type, AgentDeploymentType::Serverless);
    assert_eq!(agent.access_scope, Some(AccessScope::Organizational));
    assert_eq!(agent.llm_reasoning_effort, LlmReasoningEffort::Medium);
    assert_eq!(agent.output_format, OutputFormat::Markdown);
    assert_eq!(agent.version, 1);
    assert_eq!(agent.max_self_schedules, 3);
    assert!(agent.can_self_schedule && agent.workspace_tools_enabled);
    assert!(agent.discoverable && agent.developer_access);
    assert!(!agent.use_agent_gateway && !agent.is_autonomous);
    assert_eq!(agent.instructions, AgentInstructions::default());
    assert!(agent.llm_credentials.is_none() && agent.extra.is_empty());

    let out = serde_json::to_value(&agent).unwrap();
    for key in [
        "graph",
        "tools",
        "knowledge_bases",
        "source_nodes",
        "skills",
    ] {
        assert_eq!(out[key], json!([]), "{key}");
    }
    assert_eq!(out["connectivity_details"], json!({}));
    assert!(out.get("tool_calls_compression").is_none());
}

#[test]
fn null_reads_as_the_default() {
    assert_eq!(minimal_with("graph", Value::Null).graph, []);
    assert!(minimal_with("deep_planning", Value::Null).deep_planning);
    assert_eq!(minimal_with("icon", Value::Null).icon, "🚀");
    assert_eq!(minimal_with("access_scope", Value::Null).access_scope, None);
    let agent = minimal_with("agno_settings", json!({"num_history_runs": null}));
    assert_eq!(agent.agno_settings.num_history_runs, None);
}

#[test]
fn missing_required_key_is_rejected() {
    let mut json: Value = serde_json::from_str(MINIMAL).unwrap();
    json.as_object_mut().unwrap().remove("unique_name");
    assert!(serde_json::from_value::<Agent>(json).is_err());
}

#[test]
fn unknown_enum_values_are_kept() {
    let agent = minimal_with("framework", json!("crewai-next"));
    assert_eq!(agent.framework, Framework::Other("crewai-next".into()));
    assert_eq!(
        serde_json::to_value(&agent).unwrap()["framework"],
        "crewai-next"
    );

    let agent = minimal_with("status", json!("active"));
    assert_eq!(agent.status, AgentStatus::Other("active".into()));
    assert_eq!(serde_json::to_value(&agent).unwrap()["status"], "active");
}

#[test]
fn debug_redacts_credentials() {
    let agent: Agent = serde_json::from_str(FULL).unwrap();
    let debug = format!("{agent:?}");
    assert!(!debug.contains("sk-test-llm-key-123"));
    assert!(!debug.contains("a2a-secret-token"));
    assert!(!debug.contains("gateway-header-secret"));
    assert!(!debug.contains("mcp-oauth-client-secret"));
    assert!(debug.contains("[REDACTED]"));
}

#[test]
fn team_and_mcp_servers() {
    let agent: Agent = serde_json::from_str(FULL).unwrap();
    assert!(agent.is_a_team());
    let servers = agent.mcp_servers();
    assert_eq!(servers.len(), 1);
    assert_eq!(
        servers[0].url.as_deref(),
        Some("https://mcp.example.com/mcp")
    );

    let agent: Agent = serde_json::from_str(MINIMAL).unwrap();
    assert!(!agent.is_a_team());
    assert!(agent.mcp_servers().is_empty());
}

#[test]
fn sanitized_name_matches_python() {
    let cases = [
        ("Support Bot", "Support_Bot"),
        ("my-agent.v2", "my_agent_v2"),
        ("1st agent", "_1st_agent"),
        ("_private", "_private"),
        ("café", "caf_"),
        ("🚀 Launch", "__Launch"),
        ("", "_"),
    ];
    for (name, expected) in cases {
        let agent = minimal_with("name", json!(name));
        assert_eq!(agent.sanitized_name(), expected, "{name:?}");
    }
}

#[test]
fn harness_frameworks() {
    assert!(Framework::ExternalHarness.is_harness());
    assert!(Framework::Codex.is_harness());
    assert!(Framework::Other(" Claude-Code ".into()).is_harness());
    assert!(!Framework::Agno.is_harness());
}
