//! A seed fixes a run: same seed, same report; another seed, another report.

use switchboard_simulation::{NullSink, load_scenario, run};

const EXAMPLE: &str = include_str!("../../../../examples/scenarios/contact-center-day.yaml");

#[test]
fn the_same_seed_gives_the_same_report() {
    let scenario = load_scenario(EXAMPLE, "contact-center-day.yaml").unwrap_or_else(|error| panic!("{error}"));
    let first = serde_json::to_string(&run(&scenario, 99, &mut NullSink)).expect("serializes");
    let second = serde_json::to_string(&run(&scenario, 99, &mut NullSink)).expect("serializes");
    let other = serde_json::to_string(&run(&scenario, 100, &mut NullSink)).expect("serializes");
    assert_eq!(first, second);
    assert_ne!(first, other);
}
