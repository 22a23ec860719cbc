//! Builds the store from a topology: orgs with deterministic ids and credentials, and their
//! queues, agents, integrations, published flows, DIDs with IVR configs, data tables and
//! strategies. The rules (stamps, presence, versions, DID ownership) are the domain modules'.

use super::ids;
use super::store::{DataTableRecord, OrgRecord, OrgStore, Store};
use crate::domain;
use crate::topology::{OrgSpec, Topology};
use std::collections::{BTreeMap, BTreeSet};
use switchboard_api::EntityRef;
use switchboard_api::integration::{Action, ActionConfig, Integration, IntegrationConfiguration, IntegrationConfigurationInfo, RequestConfig};
use switchboard_api::organization::Organization;
use switchboard_api::queue::Queue;
use switchboard_api::strategy::{RoutingStrategy, StrategySettings, StrategyTarget};
use switchboard_api::user::User;
use switchboard_model::flow::{
    Backoff, Block, DataActionBlock, Expression, FlowDefinition, FlowType, RetryPolicy, VariableDeclaration, VariableType, WeightedBranch, literal,
};

/// The flow every default DID routes to.
pub const DEFAULT_FLOW: &str = "Main IVR";

/// Greets the caller, looks the caller up in the CRM (with retries and a fallback when the CRM
/// fails), sends gold customers to Support with priority and everyone else through a menu.
pub fn default_flow() -> FlowDefinition {
    let text = |value: &str| value.to_string();
    let mut blocks = BTreeMap::new();
    blocks.insert(text("welcome"), Block::Play { prompt: text("Welcome"), duration_ms: 2_000, next: text("crm") });
    blocks.insert(
        text("crm"),
        Block::DataAction(DataActionBlock {
            integration: text("CRM Lookup"),
            inputs: BTreeMap::from([(text("phone"), Expression::formula("ANI"))]),
            outputs: BTreeMap::from([(text("tier"), text("Customer_Tier"))]),
            timeout_ms: 3_000,
            retry: Some(RetryPolicy { max_attempts: 3, backoff: Backoff::Exponential, initial_delay_ms: 250, max_delay_ms: 2_000 }),
            on_success: text("tier_check"),
            on_error: text("menu"),
            on_timeout: None,
        }),
    );
    blocks.insert(
        text("tier_check"),
        Block::Decision { condition: Expression::formula("Customer_Tier == 'gold'"), on_true: text("to_priority"), on_false: text("menu") },
    );
    blocks.insert(text("menu"), Block::Randomize { branches: vec![WeightedBranch { weight: 60.0, next: text("to_support") }], default: text("to_sales") });
    blocks.insert(text("to_priority"), Block::TransferToQueue { queue: literal("Support"), priority: Some(10), on_failure: None });
    blocks.insert(text("to_support"), Block::TransferToQueue { queue: literal("Support"), priority: None, on_failure: None });
    blocks.insert(text("to_sales"), Block::TransferToQueue { queue: literal("Sales"), priority: None, on_failure: None });
    FlowDefinition {
        name: DEFAULT_FLOW.to_string(),
        flow_type: FlowType::InboundCall,
        description: Some("Greets, looks the caller up in the CRM, routes gold customers first".to_string()),
        variables: BTreeMap::from([(
            text("Customer_Tier"),
            VariableDeclaration { variable_type: VariableType::String, default: None, description: Some(text("CRM tier")) },
        )]),
        start: "welcome".to_string(),
        blocks,
        archy: None,
    }
}

/// Cross-reference checks a YAML parser cannot do; the message names the org and field.
pub fn validate(topology: &Topology) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for org in &topology.orgs {
        if !names.insert(org.name.as_str()) {
            return Err(format!("orgs: duplicate org name `{}`", org.name));
        }
    }
    for org in &topology.orgs {
        if let Some(parent) = &org.parent
            && !names.contains(parent.as_str())
        {
            return Err(format!("org `{}`: parent `{parent}` is not an org of this topology", org.name));
        }
        let queues: BTreeSet<&str> = org.queues.iter().map(|queue| queue.name.as_str()).collect();
        for user in &org.users {
            if let Some(missing) = user.queues.iter().find(|queue| !queues.contains(queue.as_str())) {
                return Err(format!("org `{}`: user `{}`: queue `{missing}` is not defined", org.name, user.name));
            }
        }
        for strategy in &org.strategies {
            for target in &strategy.targets {
                let holder = match &target.org {
                    Some(name) if !ancestors(topology, org).contains(&name.as_str()) => {
                        return Err(format!("org `{}`: strategy `{}`: org `{name}` is not this org or one of its ancestors", org.name, strategy.name));
                    }
                    Some(name) => topology.orgs.iter().find(|candidate| &candidate.name == name).unwrap_or(org),
                    None => org,
                };
                if !holder.queues.iter().any(|queue| queue.name == target.queue) {
                    return Err(format!("org `{}`: strategy `{}`: queue `{}` is not defined in org `{}`", org.name, strategy.name, target.queue, holder.name));
                }
            }
        }
        let flows: BTreeSet<&str> = org.flows.iter().map(|flow| flow.name.as_str()).collect();
        for did in &org.dids {
            if let Some(flow) = &did.flow
                && !flows.contains(flow.as_str())
            {
                return Err(format!("org `{}`: did `{}`: flow `{flow}` is not defined", org.name, did.number));
            }
        }
    }
    Ok(())
}

/// The org itself and its ancestors' names, nearest first (a cycle ends the walk).
fn ancestors<'a>(topology: &'a Topology, org: &'a OrgSpec) -> Vec<&'a str> {
    let mut names = vec![org.name.as_str()];
    let mut current = org;
    while let Some(parent) = current.parent.as_deref() {
        if names.contains(&parent) {
            break;
        }
        names.push(parent);
        match topology.orgs.iter().find(|candidate| candidate.name == parent) {
            Some(next) => current = next,
            None => break,
        }
    }
    names
}

/// The store a topology describes, every object stamped at `clock`'s now.
pub fn build_store(topology: &Topology, clock: &crate::clock::Clock) -> Store {
    let now = Stamp { text: clock.rfc3339(), millis: clock.utc_ms() };
    let mut store = Store::default();
    for spec in &topology.orgs {
        let org = build_org(spec, &now);
        store.orgs.insert(org.id().to_string(), org);
    }
    store
}

/// Seeding time in both forms the platform writes.
struct Stamp {
    text: String,
    millis: i64,
}

fn build_org(spec: &OrgSpec, stamp: &Stamp) -> OrgStore {
    let now = stamp.text.as_str();
    let id = ids::org_id(&spec.name);
    let organization = Organization {
        id: id.clone(),
        name: spec.name.clone(),
        third_party_org_name: Some(spec.name.clone()),
        default_language: Some("en-us".to_string()),
        default_country_code: Some("US".to_string()),
        domain: Some(spec.name.clone()),
        version: 1,
        state: Some("active".to_string()),
        product_platform: Some("PureCloud".to_string()),
        self_uri: Some(format!("/api/v2/organizations/{id}")),
    };
    let mut org = OrgStore {
        org: OrgRecord {
            organization,
            parent_id: spec.parent.as_deref().map(ids::org_id),
            region: spec.region.clone(),
            client_id: spec.client_id.clone().unwrap_or_else(|| ids::client_id(&spec.name)),
            client_secret: spec.client_secret.clone().unwrap_or_else(|| ids::client_secret(&spec.name)),
        },
        license_total: spec.licenses,
        ..OrgStore::default()
    };
    let division = org.home_division();
    for queue in &spec.queues {
        let queue_id = ids::derive_id(&[&id, "queue", &queue.name]);
        let body = Queue { name: queue.name.clone(), description: queue.description.clone(), skill_evaluation_method: Some("ALL".to_string()), ..Queue::default() };
        // Topology validation already refused duplicate names; a duplicate is skipped, not fatal.
        let _ = domain::queues::create(&mut org, queue_id, body, now);
    }
    for user in &spec.users {
        let user_id = ids::derive_id(&[&id, "user", &user.name]);
        let record = User {
            id: user_id.clone(),
            name: user.name.clone(),
            division: Some(division.clone()),
            email: user.email.clone(),
            title: user.title.clone(),
            state: Some("active".to_string()),
            version: 1,
            self_uri: Some(format!("/api/v2/users/{user_id}")),
            ..User::default()
        };
        org.users.insert(user_id.clone(), record);
        domain::presence::set_presence(&mut org, &user_id, if user.on_queue { "On Queue" } else { "Offline" }, now);
        for queue_name in &user.queues {
            if let Some(queue) = org.queue_by_ref(queue_name).map(|queue| queue.id.clone()) {
                domain::queues::add_member(&mut org, &queue, &user_id);
            }
        }
    }
    for integration in &spec.integrations {
        let integration_id = ids::derive_id(&[&id, "integration", &integration.name]);
        let mut properties = serde_json::Map::new();
        properties.insert("endpointUrl".to_string(), integration.endpoint_url.clone().into());
        properties.insert("method".to_string(), integration.method.clone().into());
        let record = Integration {
            id: integration_id.clone(),
            name: Some(integration.name.clone()),
            integration_type: Some(EntityRef::new("custom-rest-actions", "Web Services Data Actions", "/api/v2/integrations/types/custom-rest-actions")),
            intended_state: Some("ENABLED".to_string()),
            config: Some(IntegrationConfigurationInfo {
                current: IntegrationConfiguration { name: Some(integration.name.clone()), version: 1, properties, ..IntegrationConfiguration::default() },
            }),
            self_uri: Some(format!("/api/v2/integrations/{integration_id}")),
            ..Integration::default()
        };
        org.integrations.insert(integration_id.clone(), record);
        let action_id = format!("custom_-_{}", ids::derive_id(&[&id, "action", &integration.name]));
        let action = Action {
            id: action_id.clone(),
            name: integration.name.clone(),
            integration_id: integration_id.clone(),
            category: Some(integration.name.clone()),
            version: 1,
            config: Some(ActionConfig {
                timeout_seconds: Some(integration.timeout_ms.div_ceil(1000)),
                request: RequestConfig {
                    request_url_template: integration.endpoint_url.clone(),
                    request_type: integration.method.clone(),
                    ..RequestConfig::default()
                },
                response: None,
            }),
            self_uri: Some(format!("/api/v2/integrations/actions/{action_id}")),
            ..Action::default()
        };
        org.actions.insert(action_id, action);
    }
    for definition in &spec.flows {
        let flow_id = ids::derive_id(&[&id, "flow", &definition.name]);
        domain::flows::create_published(&mut org, &flow_id, definition, stamp.millis);
    }
    for did in &spec.dids {
        domain::telephony::ensure_did(&mut org, &did.number, now);
        if let Some(flow) = did.flow.as_deref().and_then(|name| org.flow_by_ref(name)).map(|record| record.flow.clone()) {
            let ivr_id = ids::derive_id(&[&id, "ivr", &did.number]);
            let ivr = switchboard_api::telephony::Ivr {
                id: ivr_id.clone(),
                name: format!("IVR {}", did.number),
                division: Some(division.clone()),
                version: 1,
                date_created: Some(now.to_string()),
                date_modified: Some(now.to_string()),
                state: Some("active".to_string()),
                dnis: vec![did.number.clone()],
                open_hours_flow: Some(EntityRef::new(flow.id.clone(), flow.name.clone(), format!("/api/v2/flows/{}", flow.id))),
                self_uri: Some(format!("/api/v2/architect/ivrs/{ivr_id}")),
                ..Default::default()
            };
            org.ivrs.insert(ivr_id, ivr);
        }
    }
    domain::telephony::refresh_did_owners(&mut org);
    for table in &spec.datatables {
        let table_id = ids::derive_id(&[&id, "datatable", &table.name]);
        let schema = domain::datatables::schema_from_columns(&table.columns);
        let mut record = DataTableRecord {
            table: switchboard_api::datatable::DataTable {
                id: table_id.clone(),
                name: table.name.clone(),
                division: Some(division.clone()),
                description: None,
                schema: Some(schema),
                self_uri: Some(format!("/api/v2/flows/datatables/{table_id}")),
            },
            rows: BTreeMap::new(),
        };
        for row in &table.rows {
            if let Some(key) = row.get("key").and_then(|key| key.as_str()) {
                record.rows.insert(key.to_string(), row.clone());
            }
        }
        org.datatables.insert(table_id, record);
    }
    for strategy in &spec.strategies {
        let strategy_id = ids::derive_id(&[&id, "strategy", &strategy.name]);
        let targets = strategy
            .targets
            .iter()
            .map(|target| {
                // A target in another org is a cross-org reference: that org's queue id.
                let holder = target.org.as_deref().map(ids::org_id).unwrap_or_else(|| id.clone());
                StrategyTarget { target_type: "Queue".to_string(), id: ids::derive_id(&[&holder, "queue", &target.queue]), weight: target.weight, priority: target.priority }
            })
            .collect();
        let record = RoutingStrategy {
            id: strategy_id.clone(),
            name: strategy.name.clone(),
            settings: StrategySettings { enabled: true, long_running: false },
            targets,
            date_modified: Some(now.to_string()),
            self_uri: Some(format!("/api/v2/routing/strategies/{strategy_id}")),
        };
        org.strategies.insert(strategy_id, record);
    }
    org
}
