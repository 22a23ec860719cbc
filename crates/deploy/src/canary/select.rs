//! Which orgs get a change first: in every group (plan stage), the ceiling of the share of its
//! orgs, at least one, chosen by a stable hash of environment and org name. The same plan and
//! share always pick the same orgs (on any machine, in any run), yet the choice does not simply
//! favour the alphabetically first org of each group.

use std::collections::BTreeMap;

use crate::plan::Plan;

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The canary orgs of `plan` for `percent` (1..=100), in plan order.
pub fn choose_canary(plan: &Plan, percent: u32) -> Vec<String> {
    let mut groups: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for org in &plan.orgs {
        groups.entry(org.stage).or_default().push(org.org.as_str());
    }
    let mut chosen = Vec::new();
    for orgs in groups.values() {
        let count = (orgs.len() * percent.min(100) as usize).div_ceil(100).max(1);
        let mut ranked = orgs.clone();
        ranked.sort_by_key(|org| (stable_hash(&format!("{}/{org}", plan.environment)), *org));
        chosen.extend(ranked.into_iter().take(count).map(str::to_string));
    }
    plan.orgs.iter().map(|org| org.org.clone()).filter(|org| chosen.contains(org)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::OrgPlan;

    fn plan(groups: &[(usize, usize)]) -> Plan {
        let mut orgs = Vec::new();
        for &(stage, count) in groups {
            for index in 0..count {
                let name = format!("org-{stage}-{index:02}");
                orgs.push(OrgPlan { org: name.clone(), target_org: name, group: format!("g{stage}"), stage, changes: Vec::new() });
            }
        }
        Plan { environment: "prod".into(), created_at: String::new(), prune: false, orgs, problems: Vec::new(), known_ids: Vec::new() }
    }

    #[test]
    fn each_group_gets_its_share_rounded_up_and_the_choice_is_repeatable() {
        let plan = plan(&[(0, 20), (1, 3), (2, 1)]);
        let chosen = choose_canary(&plan, 10);
        let in_stage = |stage: usize| chosen.iter().filter(|org| org.starts_with(&format!("org-{stage}-"))).count();
        assert_eq!((in_stage(0), in_stage(1), in_stage(2)), (2, 1, 1));
        assert_eq!(choose_canary(&plan, 10), chosen, "same plan, same share, same orgs");
        assert_eq!(choose_canary(&plan, 100).len(), 24);
        // A larger share keeps the smaller share's orgs (the ranking does not change).
        let quarter = choose_canary(&plan, 25);
        assert!(chosen.iter().all(|org| quarter.contains(org)), "{chosen:?} ⊄ {quarter:?}");
    }
}
