//! The assembly rules without any network: inputs in, args out.

use serde_json::{Map, json};

use super::{Inputs, assemble};
use crate::backend::env::Env;
use crate::backend::llm::resolve_model;
use crate::model::{Agent, DeepPlanning, DeepPlanningItem, Task};

fn agent(extra: serde_json::Value) -> Agent {
    let mut value = json!({
        "id": "agent-1", "organization_id": "org-1", "name": "Helper", "unique_name": "helper",
        "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(value).unwrap()
}

fn inputs<'a>(agent: &'a Agent, task: Option<&'a Task>, env: &'a Env) -> Inputs<'a> {
    static NO_OVERRIDES: std::sync::LazyLock<Map<String, serde_json::Value>> =
        std::sync::LazyLock::new(Map::new);
    Inputs {
        agent,
        task,
        is_member: false,
        model: Some(resolve_model(agent, task, &Map::new(), env, false).unwrap()),
        db_uri: None,
        mcp_tools: Vec::new(),
        members: None,
        fresh_plan: None,
        platform: None,
        env,
        overrides: &NO_OVERRIDES,
        extra_tools: &[],
    }
}

fn plan(title: &str) -> DeepPlanning {
    DeepPlanning {
        enabled: true,
        tasks: vec![DeepPlanningItem {
            id: "p1".into(),
            title: title.into(),
            completed: false,
        }],
        ..DeepPlanning::default()
    }
}

#[test]
fn members_share_the_leaders_model_and_the_database_gets_its_schema() {
    let env = Env::from_fn(|_| None);
    let member_agent = agent(json!({"id": "member-1", "model_provider": "anthropic",
                                    "model_name": "claude-sonnet-4-5"}));
    let member = assemble(Inputs {
        is_member: true,
        ..inputs(&member_agent, None, &env)
    });
    assert_eq!(member.model.as_ref().unwrap().model_id, "claude-sonnet-4-5");

    let leader = agent(json!({"graph": [{"item_id": "member-1", "type": "agent", "targets": []}]}));
    let args = assemble(Inputs {
        members: Some(vec![member]),
        db_uri: Some("postgresql://u:p@db/x".into()),
        ..inputs(&leader, None, &env)
    });
    let members = &args.team.as_ref().unwrap().members;
    assert_eq!(members[0].model, args.model);
    let db = args.session.unwrap().db.unwrap();
    assert_eq!(db.schema, "ag_agent_1");
    assert_eq!(db.uri.expose(), "postgresql://u:p@db/x");
    assert!(
        !args.blocking.0,
        "resolution never decides the caller's kind"
    );
}

#[test]
fn the_platforms_plan_wins_over_the_tasks_copy() {
    let env = Env::from_fn(|_| None);
    let agent = agent(json!({}));
    let mut task = Task::from_prompt("hi");
    task.deep_planning = plan("Local step");

    let local = assemble(inputs(&agent, Some(&task), &env));
    assert!(
        local.additional_context.unwrap().contains("Local step"),
        "without a fresher copy the task's own plan holds"
    );
    let fresh = assemble(Inputs {
        fresh_plan: Some(plan("Seeded step")),
        ..inputs(&agent, Some(&task), &env)
    });
    let context = fresh.additional_context.unwrap();
    assert!(context.starts_with("Execution plan steps") && context.contains("Seeded step"));
    assert!(
        fresh
            .expected_output
            .ends_with("All planned tasks completed and marked as done.")
    );

    task.deep_planning.enabled = false;
    let off = assemble(inputs(&agent, Some(&task), &env));
    assert!(off.deep_planning.is_none() && off.additional_context.is_none());
}
