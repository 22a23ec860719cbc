//! The built-in hub-and-spoke topology (seed 002): the parent org `global` is the hub with the
//! shared components (global queues, the shared user directory, the shared IVR module, a data
//! table, integrations); four regional sub-orgs keep their own queues, flows, DIDs and agents,
//! and reference hub queues from a routing strategy and a flow.
//!
//! A cross-org reference is the referenced object's id, as everywhere on the platform. Ids are
//! derived from the owning org's id, kind and name, so they are unique across the estate and a
//! reader resolves one by looking it up in the org's ancestors (strategy targets also name the
//! org in the topology file).

use super::{DataTableSpec, IntegrationSpec, OrgSpec, QueueSpec, StrategySpec, StrategyTargetSpec, Topology, UserSpec};
use crate::state::ids;
use std::collections::BTreeMap;
use switchboard_model::flow::{Block, FlowDefinition, FlowType, literal};

/// The parent org of the default topology.
pub const HUB_ORG: &str = "global";
/// The hub's queues; sub-orgs' escalation flows and overflow strategies point at the first and last.
const HUB_QUEUES: [&str; 3] = ["Global Escalations", "Global VIP", "Global Overflow"];
/// The shared IVR module hosted in the hub.
pub const SHARED_MODULE: &str = "Shared Greeting";

/// The id a queue named `queue` of org `org` gets when seeded (ids are deterministic).
pub fn hub_queue_id(org: &str, queue: &str) -> String {
    ids::derive_id(&[&ids::org_id(org), "queue", queue])
}

impl Default for Topology {
    /// `global` (the hub) plus `na-east-1`, `na-east-2`, `eu-central-1`, `eu-central-2`.
    fn default() -> Self {
        let mut orgs = vec![hub_org()];
        let regions = [("na-east-1", "us-east-1", "+1317555"), ("na-east-2", "us-east-2", "+1614555"), ("eu-central-1", "eu-central-1", "+4930555"), ("eu-central-2", "eu-central-2", "+4969555")];
        for (index, (name, region, prefix)) in regions.into_iter().enumerate() {
            orgs.push(regional_org(name, region, prefix, index));
        }
        Topology { orgs, contact_center: None }
    }
}

fn crm_integration() -> IntegrationSpec {
    IntegrationSpec {
        name: "CRM Lookup".to_string(),
        // The emulator's own fake CRM; the placeholder host becomes the bound address at start.
        endpoint_url: format!("{}/crm/lookup", crate::crm::EMULATOR_HOST_PLACEHOLDER),
        method: "GET".to_string(),
        timeout_ms: 5_000,
    }
}

fn user(name: &str, email: &str, title: &str, queues: &[&str], on_queue: bool) -> UserSpec {
    UserSpec {
        name: name.to_string(),
        email: Some(email.to_string()),
        queues: queues.iter().map(|queue| queue.to_string()).collect(),
        on_queue,
        title: Some(title.to_string()),
    }
}

/// The hub: shared queues, the shared directory, the shared IVR module, a data table, the CRM
/// integration. No DIDs: calls arrive at the regions.
pub fn hub_org() -> OrgSpec {
    let mut users = vec![
        user("Avery Admin", "admin@global.example.com", "Administrator", &[], false),
        user("Sam Supervisor", "sam.supervisor@global.example.com", "Supervisor", &[], false),
        user("Sofia Supervisor", "sofia.supervisor@global.example.com", "Supervisor", &[], false),
    ];
    for number in 1..=4 {
        let queues = if number % 2 == 0 { &HUB_QUEUES[..2] } else { &HUB_QUEUES[1..] };
        users.push(user(&format!("Global Agent {number}"), &format!("agent{number}@global.example.com"), "Agent (multi-region)", queues, number <= 3));
    }
    OrgSpec {
        name: HUB_ORG.to_string(),
        region: Some("global".to_string()),
        licenses: 500,
        queues: HUB_QUEUES.iter().map(|queue| QueueSpec { name: queue.to_string(), description: Some(format!("{queue} (shared by every region)")) }).collect(),
        users,
        integrations: vec![crm_integration()],
        flows: vec![shared_module()],
        datatables: vec![DataTableSpec {
            name: "Holiday Calendar".to_string(),
            columns: BTreeMap::from([("closed".to_string(), "boolean".to_string()), ("name".to_string(), "string".to_string())]),
            rows: [("2026-01-01", "New Year's Day"), ("2026-12-25", "Christmas Day")]
                .into_iter()
                .map(|(key, name)| {
                    let mut row = serde_json::Map::new();
                    row.insert("key".to_string(), key.into());
                    row.insert("name".to_string(), name.into());
                    row.insert("closed".to_string(), true.into());
                    row
                })
                .collect(),
        }],
        ..OrgSpec::default()
    }
}

/// The shared IVR module: a greeting every region plays, then the call ends (the flow format
/// has no "end module" block).
fn shared_module() -> FlowDefinition {
    let mut blocks = BTreeMap::new();
    blocks.insert("greeting".to_string(), Block::Play { prompt: "Thank you for calling".to_string(), duration_ms: 1_500, next: "done".to_string() });
    blocks.insert("done".to_string(), Block::Disconnect { reason: None });
    FlowDefinition {
        name: SHARED_MODULE.to_string(),
        flow_type: FlowType::CommonModule,
        description: Some("Shared greeting every region uses".to_string()),
        variables: BTreeMap::new(),
        start: "greeting".to_string(),
        blocks,
        archy: None,
    }
}

/// A region's flow that sends callers to the hub's escalation queue (by id: a cross-org
/// reference), falling back to its own Support queue.
pub fn escalation_flow() -> FlowDefinition {
    let mut blocks = BTreeMap::new();
    blocks.insert("announce".to_string(), Block::Play { prompt: "Connecting you to a specialist".to_string(), duration_ms: 1_000, next: "to_global".to_string() });
    blocks.insert(
        "to_global".to_string(),
        Block::TransferToQueue { queue: literal(hub_queue_id(HUB_ORG, HUB_QUEUES[0])), priority: Some(5), on_failure: Some("to_local".to_string()) },
    );
    blocks.insert("to_local".to_string(), Block::TransferToQueue { queue: literal("Support"), priority: Some(5), on_failure: None });
    FlowDefinition {
        name: "Escalation".to_string(),
        flow_type: FlowType::InboundCall,
        description: Some(format!("Escalates to the hub's `{}` queue (cross-org), else local Support", HUB_QUEUES[0])),
        variables: BTreeMap::new(),
        start: "announce".to_string(),
        blocks,
        archy: None,
    }
}

/// Local Support first, the hub's overflow queue second.
pub fn overflow_strategy(parent: &str) -> StrategySpec {
    StrategySpec {
        name: "Support Overflow".to_string(),
        targets: vec![
            StrategyTargetSpec { queue: "Support".to_string(), org: None, weight: 80, priority: 1 },
            StrategyTargetSpec { queue: HUB_QUEUES[2].to_string(), org: Some(parent.to_string()), weight: 20, priority: 2 },
        ],
    }
}

fn regional_org(name: &str, region: &str, prefix: &str, index: usize) -> OrgSpec {
    let queues = ["Sales", "Support", "Billing"];
    let users = (1..=6)
        .map(|number| UserSpec {
            name: format!("Agent {number} ({name})"),
            email: Some(format!("agent{number}@{name}.example.com")),
            queues: vec![queues[number % 3].to_string(), queues[(number + 1) % 3].to_string()],
            on_queue: number <= 4,
            title: Some("Agent".to_string()),
        })
        .collect();
    OrgSpec {
        name: name.to_string(),
        parent: Some(HUB_ORG.to_string()),
        region: Some(region.to_string()),
        licenses: 100,
        queues: queues.iter().map(|queue| QueueSpec { name: queue.to_string(), description: Some(format!("{queue} queue")) }).collect(),
        users,
        integrations: vec![crm_integration()],
        flows: vec![crate::state::seed::default_flow(), escalation_flow()],
        dids: (0..2)
            .map(|number| super::DidSpec { number: format!("{prefix}{:04}", index * 100 + number), flow: Some(crate::state::seed::DEFAULT_FLOW.to_string()) })
            .collect(),
        strategies: vec![overflow_strategy(HUB_ORG)],
        ..OrgSpec::default()
    }
}
