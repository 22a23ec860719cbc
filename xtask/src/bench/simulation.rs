//! Virtual-time simulation speed: a 10,000-agent contact-center day (about a million calls) in
//! simulated calls per CPU-second, next to a bare event loop (a binary heap pushing and popping
//! the same number of events with the same random draws) measured in the same run.
//! Goal: the whole day in under a minute on this machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;
use switchboard_simulation::{NullSink, load_scenario};

const AGENTS_PER_QUEUE: u32 = 2_500;
/// 1,000,000 calls over 24 h.
const CALLS_PER_HOUR: f64 = 41_667.0;

fn big_day() -> String {
    let queues: String = ["Q1", "Q2", "Q3", "Q4"]
        .iter()
        .map(|name| {
            format!(
                "  - name: {name}\n    agents: {AGENTS_PER_QUEUE}\n    handle: {{ type: exponential, mean_ms: 300000 }}\n    wrapup: {{ type: constant, ms: 15000 }}\n"
            )
        })
        .collect();
    format!(
        r#"name: ten-thousand-agent-day
duration_minutes: 1440
interval_minutes: 15
patience: {{ type: exponential, mean_ms: 180000 }}
flows:
  - id: ivr
    version: "1"
    definition:
      name: IVR
      start: greeting
      blocks:
        greeting: {{ type: play, prompt: "Hello", duration_ms: 3000, next: crm }}
        crm:
          type: data_action
          integration: CRM
          timeout_ms: 3000
          retry: {{ max_attempts: 3, backoff: exponential, initial_delay_ms: 500, max_delay_ms: 4000 }}
          on_success: route
          on_error: route
        route:
          type: randomize
          branches: [{{ weight: 25, next: q1 }}, {{ weight: 25, next: q2 }}, {{ weight: 25, next: q3 }}]
          default: q4
        q1: {{ type: transfer_to_queue, queue: Q1 }}
        q2: {{ type: transfer_to_queue, queue: Q2 }}
        q3: {{ type: transfer_to_queue, queue: Q3 }}
        q4: {{ type: transfer_to_queue, queue: Q4 }}
integrations:
  - name: CRM
    latency: {{ type: lognormal, mean_ms: 300, sd_ms: 200 }}
    failure_probability: 0.05
    failure_status: 503
queues:
{queues}dids:
  - number: "+18005550100"
    flow: ivr
    calls_per_hour: {CALLS_PER_HOUR}
"#
    )
}

pub fn run() -> anyhow::Result<()> {
    println!("\n# simulation: 10,000 agents, ~1M calls, one virtual day");
    let scenario = load_scenario(&big_day(), "bench:ten-thousand-agent-day")?;
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let report = switchboard_simulation::run(&scenario, 1, &mut NullSink);
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    println!(
        "simulator: {} calls, {} events in {:.2} s wall / {:.2} s CPU = {:.0} calls per CPU-second (goal: the day in < 60 s)",
        report.calls,
        report.events,
        wall,
        cpu,
        report.calls as f64 / cpu.max(1e-9)
    );
    let baseline = bare_event_loop(report.events);
    println!("bare event loop, same event count: {baseline:.2} s");
    println!("ratio: simulator takes {:.1}x the bare event loop's time", wall / baseline.max(1e-9));
    Ok(())
}

/// Pushes and pops `events` timestamped events through a binary heap with one random draw each:
/// the floor any discrete-event simulator with this event count pays.
fn bare_event_loop(events: u64) -> f64 {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut heap = BinaryHeap::with_capacity(100_000);
    let started = Instant::now();
    for sequence in 0..10_000u64 {
        heap.push(Reverse((rng.random_range(0..1_000u64), sequence)));
    }
    let mut sequence = 10_000u64;
    let mut processed = 0u64;
    while let Some(Reverse((at, _))) = heap.pop() {
        processed += 1;
        if processed >= events {
            break;
        }
        sequence += 1;
        heap.push(Reverse((at + rng.random_range(1..600_000u64), sequence)));
    }
    std::hint::black_box(processed);
    started.elapsed().as_secs_f64()
}

/// Process CPU time from /proc (user + system), in seconds.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|value| value.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
