//! The fixture corpus (`tests/fixtures/flows`): each file named after a code triggers exactly that
//! code and nothing else; files named `clean-*` trigger nothing. `transfer-cycle/` is a pair of
//! flows that hand calls to each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use switchboard_model::flow::VariableType;
use switchboard_model::validate::Catalog;
use switchboard_review::static_checks::{self, FlowText, StaticPolicy};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flows")
}

/// The org the fixtures are checked against.
pub fn policy() -> StaticPolicy {
    let names = |list: &[&str]| Some(list.iter().map(|name| name.to_string()).collect::<BTreeSet<_>>());
    StaticPolicy {
        catalog: Catalog {
            integrations: names(&["CRM"]),
            queues: names(&["Support"]),
            datatables: Some(BTreeMap::from([("Control".to_string(), BTreeSet::from(["Active".to_string()]))])),
            flows: names(&["Main", "Cycle Front", "Cycle Back"]),
        },
        latency_sla_ms: None,
        // The active version of this flow declared Customer_Tier as an integer.
        active_variables: BTreeMap::from([(
            "Participant Data Incompatible".to_string(),
            BTreeMap::from([("Customer_Tier".to_string(), VariableType::Integer)]),
        )]),
    }
}

fn read(path: &Path) -> FlowText {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    FlowText { origin: path.display().to_string(), text }
}

/// The codes a set of flow files triggers through the review's static check.
fn codes(texts: &[FlowText]) -> BTreeSet<String> {
    let (loaded, mut findings) = static_checks::load(texts);
    let (_, found) = static_checks::run(&loaded, &policy());
    findings.extend(found);
    findings.into_iter().map(|finding| finding.code).collect()
}

#[test]
fn every_fixture_triggers_exactly_its_code() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures_dir()).expect("fixtures dir").filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    entries.sort();
    let mut seen_codes = BTreeSet::new();
    let mut failures = Vec::new();
    for path in entries {
        let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default().to_string();
        let texts: Vec<FlowText> = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path).expect("fixture dir").filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
            files.sort();
            files.iter().map(|file| read(file)).collect()
        } else {
            vec![read(&path)]
        };
        let found = codes(&texts);
        let expected: BTreeSet<String> = if stem.starts_with("clean-") { BTreeSet::new() } else { BTreeSet::from([stem.clone()]) };
        if found != expected {
            failures.push(format!("{stem}: expected {expected:?}, found {found:?}"));
        }
        seen_codes.extend(expected);
    }
    assert!(failures.is_empty(), "fixtures off:\n{}", failures.join("\n"));
    // Every documented code has its fixture.
    let documented = documented_codes();
    let missing: Vec<&String> = documented.iter().filter(|code| !seen_codes.contains(*code)).collect();
    assert!(missing.is_empty(), "static codes in docs/review.md without a fixture: {missing:?}");
}

/// The static codes listed in docs/review.md's static validation table.
pub fn documented_codes() -> BTreeSet<String> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/review.md");
    let text = std::fs::read_to_string(&doc).expect("docs/review.md");
    let section = text.split("<!-- static-codes -->").nth(1).unwrap_or_default();
    let section = section.split("<!-- /static-codes -->").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `").and_then(|rest| rest.split('`').next()).map(str::to_string))
        .collect()
}
