//! A seed fixes a run: same seed, same report; another seed, another report.

use crate::support::{EXAMPLE, load_example};
use switchboard_simulation::{NullSink, run};

#[test]
fn the_same_seed_gives_the_same_report() {
    let scenario = load_example(EXAMPLE);
    let first = serde_json::to_string(&run(&scenario, 99, &mut NullSink)).expect("serializes");
    let second = serde_json::to_string(&run(&scenario, 99, &mut NullSink)).expect("serializes");
    let other = serde_json::to_string(&run(&scenario, 100, &mut NullSink)).expect("serializes");
    assert_eq!(first, second);
    assert_ne!(first, other);
}

#[test]
fn progress_rises_to_the_end_of_the_day_and_does_not_change_the_run() {
    let scenario = load_example(EXAMPLE);
    let mut shares = Vec::new();
    let observed = switchboard_simulation::run_with_progress(&scenario, 99, &mut NullSink, &mut |share| shares.push(share));
    let plain = run(&scenario, 99, &mut NullSink);
    assert_eq!(serde_json::to_string(&observed).expect("serializes"), serde_json::to_string(&plain).expect("serializes"));
    assert!(!shares.is_empty(), "a day of this size reports progress");
    assert!(shares.windows(2).all(|pair| pair[0] <= pair[1]), "progress never goes back: {shares:?}");
    assert!(shares.iter().all(|share| (0.0..=1.0).contains(share)), "{shares:?}");
}
