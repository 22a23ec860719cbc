//! The plan's text: changes, then unchanged resources counted or (with --show-unchanged) listed.

use serde_json::json;
use switchboard_deploy::ResourceKey;
use switchboard_deploy::plan::{Action, Change, FieldChange, OrgPlan, Origin, Plan};

fn change(kind: &str, name: &str, action: Action, fields: &[&str]) -> Change {
    Change {
        key: ResourceKey::new(kind, name),
        action,
        desired: Some(json!({"name": name})),
        seen: None,
        base: None,
        fields: fields.iter().map(|field| FieldChange { field: (*field).to_string(), live: None, desired: Some(json!("x")), origin: Origin::Ours }).collect(),
        approval: Vec::new(),
        source: None,
        depends_on: Vec::new(),
    }
}

fn plan() -> Plan {
    let changes = vec![
        change("datatable", "Routing", Action::Unchanged, &[]),
        change("queue", "Billing", Action::Unchanged, &[]),
        change("queue", "New", Action::Create, &[]),
        change("queue", "Support", Action::Update, &["description"]),
    ];
    let in_sync = vec![change("queue", "Escalations", Action::Unchanged, &[])];
    Plan {
        environment: "dev".into(),
        created_at: "2026-12-08T00:00:00Z".into(),
        prune: false,
        orgs: vec![
            OrgPlan { org: "global".into(), target_org: "global".into(), group: "shared".into(), stage: 0, changes: in_sync },
            OrgPlan { org: "na-east-1".into(), target_org: "na-east-1".into(), group: "regions".into(), stage: 1, changes },
        ],
        problems: Vec::new(),
        known_ids: Vec::new(),
    }
}

#[test]
fn deploy_plan_text_counts_unchanged_resources() {
    insta::assert_snapshot!("deploy_plan_text", super::plan_text(&plan(), false));
}

#[test]
fn deploy_plan_text_lists_unchanged_resources_on_request() {
    insta::assert_snapshot!("deploy_plan_text_show_unchanged", super::plan_text(&plan(), true));
}
