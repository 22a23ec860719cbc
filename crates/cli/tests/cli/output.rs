//! `--output json` is one parseable document, and a virtual-time run is a function of its seed.

use crate::{repository_file, switchboard};

#[test]
fn orgs_json_shows_the_default_tree() {
    let output = switchboard(&["orgs", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let rows = rows.as_array().expect("an array of orgs");
    let names: Vec<&str> = rows.iter().filter_map(|row| row["name"].as_str()).collect();
    assert_eq!(names.first(), Some(&"global"), "parent first: {names:?}");
    for region in ["na-east-1", "na-east-2", "eu-central-1", "eu-central-2"] {
        let row = rows.iter().find(|row| row["name"] == region).expect("sub-org listed");
        assert_eq!(row["depth"], 1, "{region} is a child of global");
        assert_eq!(row["parentOrgId"], rows[0]["id"]);
    }
}

#[test]
fn simulate_json_is_deterministic_per_seed() {
    let scenario = repository_file("examples/scenarios/contact-center-day.yaml");
    let first = switchboard(&["simulate", "--scenario", &scenario, "--seed", "11", "--output", "json"]);
    let second = switchboard(&["simulate", "--scenario", &scenario, "--seed", "11", "--output", "json"]);
    let other = switchboard(&["simulate", "--scenario", &scenario, "--seed", "12", "--output", "json"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).expect("stdout is JSON");
    assert!(report["calls"].as_u64().unwrap_or(0) > 1_000, "a day has calls: {}", report["calls"]);
    assert_eq!(first.stdout, second.stdout, "same seed, same day");
    assert_ne!(first.stdout, other.stdout, "another seed, another day");
}

#[test]
fn demo_json_shows_live_calls_and_a_simulated_day() {
    let output = switchboard(&["demo", "--live-seconds", "4", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let demo: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(demo["orgs"].as_array().map(Vec::len), Some(5));
    let live = demo["live"].as_array().expect("live samples");
    let last = live.last().expect("at least one sample");
    let offered: u64 = last["queues"].as_array().into_iter().flatten().filter_map(|queue| queue["offered"].as_u64()).sum();
    assert!(offered > 0, "live calls reached queues: {last}");
    assert!(demo["simulation"]["calls"].as_u64().unwrap_or(0) > 1_000);
    // The review catches the planted defect and passes the fix.
    assert_eq!(demo["review"]["defect_outcome"], "fail", "{}", demo["review"]);
    assert!(demo["review"]["defect_codes"].as_array().is_some_and(|codes| codes.iter().any(|code| code == "retry-unbounded")));
    assert_eq!(demo["review"]["fixed_outcome"], "pass");
    // The deploy step: every org applied, and the hand edit made mid-apply kept and reported.
    let second = &demo["deploy"]["second"]["orgs"];
    assert_eq!(second.as_array().map(Vec::len), Some(4), "{}", demo["deploy"]);
    assert!(second.as_array().into_iter().flatten().all(|org| org["status"] == "done"), "{second}");
    let kept: Vec<&serde_json::Value> = second.as_array().into_iter().flatten().flat_map(|org| org["conflicts"].as_array().into_iter().flatten()).collect();
    assert_eq!(kept.len(), 1, "{second}");
    assert_eq!(kept[0]["field"], "description");
    // The canary step: the commit that takes the agents away is judged on live calls, regresses,
    // and is rolled back in the canary orgs (proven) before any other org is written.
    let canary = &demo["canary"];
    assert_eq!(canary["decision"], "rolled_back", "{canary}");
    assert_eq!(canary["steps"].as_array().map(Vec::len), Some(1), "{canary}");
    assert_eq!(canary["steps"][0]["verdict"]["outcome"], "regressed", "{canary}");
    let rolled_back = canary["rollbacks"][0]["orgs"].as_array().cloned().unwrap_or_default();
    assert!(!rolled_back.is_empty() && rolled_back.iter().all(|org| org["mismatches"].as_array().is_some_and(Vec::is_empty) && org["error"].is_null()), "{canary}");
    let written: Vec<&serde_json::Value> = canary["steps"][0]["apply"]["orgs"].as_array().into_iter().flatten().map(|org| &org["org"]).collect();
    assert!(canary["other_orgs"].as_array().is_some_and(|others| !others.is_empty() && others.iter().all(|org| !written.contains(&org))), "{canary}");
    // The rollout step: the good release promoted, a broken one refused by the smoke test, the bad
    // one aborted by the live judge with its evidence.
    let rollout = &demo["rollout"];
    assert!(rollout["promoted"]["version"].is_string(), "{rollout}");
    assert_eq!(rollout["refused_by_smoke_test"]["passed"], false, "{rollout}");
    assert!(rollout["aborted"]["reason"].as_str().is_some_and(|reason| reason.starts_with("flow disconnects")), "{rollout}");
}
