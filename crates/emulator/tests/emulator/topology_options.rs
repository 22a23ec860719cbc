//! A topology's `contact_center:` section sets how agents and callers behave; a misspelt field is
//! refused with its file and line.

use super::support::*;
use switchboard_emulator::CenterOptions;
use switchboard_emulator::{EmulatorOptions, load_topology};
use switchboard_simulation::distribution::DurationDistribution;

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
contact_center:
  handle_time: { type: constant, ms: 40 }
  patience: { type: exponential, mean_ms: 90000 }
"#;

#[tokio::test]
async fn the_contact_center_section_sets_handle_time_and_patience() {
    let topology = load_topology(TOPOLOGY, "center.yaml").expect("valid topology");
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    let options = emulator.state().contact_center().options();
    assert_eq!(options.handle_time, DurationDistribution::Constant { ms: 40.0 });
    assert_eq!(options.patience, DurationDistribution::Exponential { mean_ms: 90_000.0 });
    assert_eq!(options.wrap_up, CenterOptions::default().wrap_up, "unset fields keep their defaults");
    emulator.shutdown().await;
}

#[test]
fn a_misspelt_contact_center_field_names_file_and_line() {
    let broken = TOPOLOGY.replace("handle_time", "handel_time");
    let error = load_topology(&broken, "center.yaml").expect_err("unknown field");
    let message = error.to_string();
    assert!(message.starts_with("center.yaml:"), "{message}");
    assert!(message.contains("handel_time"), "{message}");
}
