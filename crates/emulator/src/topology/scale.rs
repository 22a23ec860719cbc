//! `--topology-scale ORGS:RESOURCES`: a deterministic large estate for benchmarks. The hub
//! (`global`, as in the default topology) plus ORGS-1 regional sub-orgs, each org holding about
//! RESOURCES objects (queues, users, flows, DIDs, a data table, strategies). The same spec and
//! seed give the same estate, byte for byte.

use super::hub::{HUB_ORG, escalation_flow, hub_org, overflow_strategy};
use super::{DataTableSpec, DidSpec, OrgSpec, QueueSpec, Topology, UserSpec};
use std::collections::BTreeMap;

/// What to generate: `orgs` orgs (the hub included) of about `resources` objects each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleSpec {
    pub orgs: usize,
    pub resources: usize,
    pub seed: u64,
}

/// Limits that keep a typo from eating the machine.
const MAX_ORGS: usize = 1_000;
const MAX_RESOURCES: usize = 10_000;
/// Fewest resources per org: the queues, flow and integration the IVR needs.
const MIN_RESOURCES: usize = 10;

impl std::str::FromStr for ScaleSpec {
    type Err = String;

    /// `ORGS:RESOURCES`, e.g. `50:200`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (orgs, resources) = text.split_once(':').ok_or_else(|| format!("`{text}`: expected ORGS:RESOURCES, e.g. 50:200"))?;
        let orgs: usize = orgs.trim().parse().map_err(|_| format!("`{text}`: ORGS `{orgs}` is not a whole number"))?;
        let resources: usize = resources.trim().parse().map_err(|_| format!("`{text}`: RESOURCES `{resources}` is not a whole number"))?;
        if !(1..=MAX_ORGS).contains(&orgs) {
            return Err(format!("`{text}`: ORGS must be between 1 and {MAX_ORGS}"));
        }
        if !(MIN_RESOURCES..=MAX_RESOURCES).contains(&resources) {
            return Err(format!("`{text}`: RESOURCES must be between {MIN_RESOURCES} and {MAX_RESOURCES}"));
        }
        Ok(ScaleSpec { orgs, resources, seed: DEFAULT_SEED })
    }
}

/// The seed when none is given (seed 002's number).
pub const DEFAULT_SEED: u64 = 2002;

/// SplitMix64: tiny, and its sequence never changes with a dependency upgrade.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// How an org's `resources` split into kinds.
struct Split {
    queues: usize,
    flows: usize,
    dids: usize,
    strategies: usize,
    users: usize,
}

fn split(resources: usize) -> Split {
    let queues = (resources / 5).max(3);
    let flows = (resources / 20).max(1);
    let dids = (resources / 20).max(1);
    let strategies = (resources / 20).max(1);
    // One data table; users take the rest.
    let users = resources.saturating_sub(queues + flows + dids + strategies + 1).max(1);
    Split { queues, flows, dids, strategies, users }
}

/// The estate for `spec`.
pub fn scaled(spec: ScaleSpec) -> Topology {
    let mut random = SplitMix(spec.seed);
    let shape = split(spec.resources);
    let mut hub = hub_org();
    // The hub grows to the same size: more global queues and directory users.
    for number in hub.queues.len()..shape.queues {
        hub.queues.push(QueueSpec { name: format!("Global Queue {number:04}"), description: None });
    }
    let hub_queues: Vec<String> = hub.queues.iter().map(|queue| queue.name.clone()).collect();
    for number in hub.users.len()..shape.users {
        let queues = vec![hub_queues[random.below(hub_queues.len())].clone()];
        hub.users.push(UserSpec {
            name: format!("Directory User {number:04}"),
            email: Some(format!("user{number:04}@global.example.com")),
            queues,
            on_queue: random.below(10) < 7,
            title: Some("Agent (multi-region)".to_string()),
        });
    }
    let mut orgs = vec![hub];
    for index in 1..spec.orgs {
        orgs.push(regional(index, &shape, &mut random));
    }
    Topology { orgs, contact_center: None }
}

fn regional(index: usize, shape: &Split, random: &mut SplitMix) -> OrgSpec {
    let name = format!("region-{index:03}");
    let mut queues: Vec<String> = ["Sales", "Support", "Billing"].iter().map(|queue| queue.to_string()).collect();
    queues.extend((queues.len()..shape.queues).map(|number| format!("Queue {number:04}")));
    let users = (0..shape.users)
        .map(|number| {
            let first = random.below(queues.len());
            let second = (first + 1 + random.below(queues.len() - 1)) % queues.len();
            UserSpec {
                name: format!("Agent {number:04} ({name})"),
                email: Some(format!("agent{number:04}@{name}.example.com")),
                queues: vec![queues[first].clone(), queues[second].clone()],
                on_queue: random.below(10) < 7,
                title: Some("Agent".to_string()),
            }
        })
        .collect();
    // The first flow is the default IVR; every fourth is an escalation to the hub (cross-org).
    let flows: Vec<_> = (0..shape.flows)
        .map(|number| match number {
            0 => crate::state::seed::default_flow(),
            _ if number % 4 == 3 => {
                let mut flow = escalation_flow();
                flow.name = format!("Escalation {number:03}");
                flow
            }
            _ => {
                let mut flow = crate::state::seed::default_flow();
                flow.name = format!("IVR {number:03}");
                flow
            }
        })
        .collect();
    let dids = (0..shape.dids)
        .map(|number| DidSpec { number: format!("+1{:03}{:07}", 200 + index, number), flow: Some(flows[number % flows.len()].name.clone()) })
        .collect();
    let strategies = (0..shape.strategies)
        .map(|number| {
            let mut strategy = overflow_strategy(HUB_ORG);
            strategy.name = format!("Support Overflow {number:03}");
            strategy
        })
        .collect();
    let mut hub = hub_org();
    OrgSpec {
        name: name.clone(),
        parent: Some(HUB_ORG.to_string()),
        region: Some(format!("region-{}", index % 8)),
        licenses: shape.users as u64 + 10,
        queues: queues.into_iter().map(|queue| QueueSpec { name: queue, description: None }).collect(),
        users,
        integrations: std::mem::take(&mut hub.integrations),
        flows,
        dids,
        datatables: vec![DataTableSpec {
            name: "Store Hours".to_string(),
            columns: BTreeMap::from([("open".to_string(), "string".to_string())]),
            rows: Vec::new(),
        }],
        strategies,
        ..OrgSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::{ScaleSpec, scaled};

    #[test]
    fn the_same_spec_gives_the_same_estate_and_another_seed_another() {
        let spec: ScaleSpec = "5:60".parse().expect("spec");
        assert_eq!(scaled(spec), scaled(spec));
        assert_ne!(scaled(spec), scaled(ScaleSpec { seed: 7, ..spec }));
        let topology = scaled(spec);
        assert_eq!(topology.orgs.len(), 5);
        for org in &topology.orgs {
            let count = org.queues.len() + org.users.len() + org.flows.len() + org.dids.len() + org.datatables.len() + org.strategies.len();
            assert!((50..=60).contains(&count), "{}: {count} resources", org.name);
        }
        assert!(crate::state::seed::validate(&topology).is_ok(), "{:?}", crate::state::seed::validate(&topology));
    }

    #[test]
    fn bad_specs_name_the_problem() {
        assert!("50".parse::<ScaleSpec>().err().is_some_and(|error| error.contains("ORGS:RESOURCES")));
        assert!("0:200".parse::<ScaleSpec>().err().is_some_and(|error| error.contains("ORGS")));
        assert!("5:x".parse::<ScaleSpec>().err().is_some_and(|error| error.contains("RESOURCES")));
        assert!("5:1000000".parse::<ScaleSpec>().err().is_some_and(|error| error.contains("between")));
    }
}
