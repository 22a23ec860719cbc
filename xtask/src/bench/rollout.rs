//! Rollout (issue 9), two figures, each against a baseline in the same run:
//!
//! 1. Virtual time, the same simulated traffic for both (2,400 calls/h, a candidate whose data
//!    action fails 30 % of the time and drops the call, 1 % baseline, 50 seeds): calls exposed to the
//!    bad candidate and minutes to detect, Switchboard's sequential judge (5/25/50/100, 2-minute
//!    intervals) against seed 004's procedure (5 % for 30 minutes, then a decision — assumed to
//!    catch the bad version at that first look, which flatters the baseline).
//! 2. Live emulator: abort → the first new call on the active version, against seed 004's "publish
//!    and pray" revert (re-publishing the old version through an Architect job, then the first new
//!    call on that version) on the same emulator, measured the same way. The emulator's modelled
//!    publish delay is off, so the baseline is the publishing work, not a constant; a real org's
//!    publish takes longer (minutes by seed 004's account), so the ratio flatters the baseline.

use std::time::{Duration, Instant};
use switchboard_emulator::{CallRequest, Phase as CallPhase};
use switchboard_emulator::{EmulatorOptions, load_topology};
use switchboard_platform::{ClientConfig, FlowSource, OperationWait, OrgClient, PlatformExt};
use switchboard_rollout::controller::Input;
use switchboard_rollout::live::{Driver, Org, Store};
use switchboard_rollout::sim::{CanaryScenario, SIM_GREEN, run_rollout};
use switchboard_rollout::{CONTROL_KEY, CONTROL_TABLE, ControlRow, Policy};
use switchboard_simulation::{IntervalController, IntervalTallies, RowWrite, load_scenario, run_with_controller};

const SEEDS: u64 = 50;

/// Seed 004's manual canary: 5 % at once, one look after 30 minutes (then 0 % for a bad version).
struct SeedProcedure {
    decided_at_ms: Option<u64>,
}

fn row(weight: u8) -> RowWrite {
    let [blue, green] = [CanaryScenario::blue(), CanaryScenario::green()];
    let row = ControlRow {
        active_flow_id: blue.flow_id,
        active_version: blue.version,
        candidate_flow_id: green.flow_id,
        candidate_version: green.version,
        traffic_weight: weight,
    };
    RowWrite { datatable: CONTROL_TABLE.into(), key: CONTROL_KEY.into(), set: row.columns() }
}

impl IntervalController for SeedProcedure {
    fn start(&mut self) -> Vec<RowWrite> {
        vec![row(5)]
    }

    fn on_interval(&mut self, tallies: &IntervalTallies) -> Vec<RowWrite> {
        if self.decided_at_ms.is_none() && tallies.end_ms >= 30 * 60_000 {
            self.decided_at_ms = Some(tallies.end_ms);
            return vec![row(0)];
        }
        Vec::new()
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn virtual_time() -> anyhow::Result<()> {
    let scenario = CanaryScenario { candidate_failure: 0.3, ..CanaryScenario::default() };
    let policy = Policy { interval_ms: 120_000, min_calls_per_step: 40, ..Policy::default() };
    let loaded = load_scenario(&scenario.yaml(), "rollout-canary.yaml").map_err(|error| anyhow::anyhow!("{error}"))?;
    let (mut ours_calls, mut ours_minutes, mut seed_calls, mut seed_minutes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for seed in 0..SEEDS {
        let run = run_rollout(&scenario, &policy, seed).map_err(|error| anyhow::anyhow!(error))?;
        anyhow::ensure!(run.phase == Some(switchboard_rollout::Phase::Aborted), "seed {seed}: the bad candidate was not aborted");
        ours_calls.push(run.candidate_calls as f64);
        ours_minutes.push(run.finished_at_ms.unwrap_or(0) as f64 / 60_000.0);

        let mut baseline = SeedProcedure { decided_at_ms: None };
        let mut exposed = 0u64;
        let mut sink = |record: &switchboard_simulation::CallRecord| {
            if record.path.flows().iter().any(|(flow, _)| flow.as_ref() == SIM_GREEN) {
                exposed += 1;
            }
        };
        run_with_controller(&loaded, seed, &mut sink, 60_000, &mut baseline);
        seed_calls.push(exposed as f64);
        seed_minutes.push(baseline.decided_at_ms.unwrap_or(0) as f64 / 60_000.0);
    }
    let (ours, theirs) = (median(ours_calls.clone()), median(seed_calls));
    let (ours_min, theirs_min) = (median(ours_minutes), median(seed_minutes));
    println!("rollout virtual time ({SEEDS} seeds, {:.1} s)", started.elapsed().as_secs_f64());
    println!("  calls exposed to the bad candidate (median): switchboard {ours:.0} (max {:.0}), seed procedure {theirs:.0}: ratio {:.3}x", ours_calls.iter().copied().fold(0.0, f64::max), ours / theirs);
    println!("  minutes to detect (median): switchboard {ours_min:.0}, seed procedure {theirs_min:.0}: ratio {:.3}x", ours_min / theirs_min);
    Ok(())
}

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
    flows:
      - name: Main IVR
        start: queue
        blocks:
          queue: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550100", flow: Main IVR}
"#;

const CANDIDATE: &str = "name: Main IVR\nstart: queue\nblocks:\n  queue: {type: transfer_to_queue, queue: Support}\n";

async fn live() -> anyhow::Result<()> {
    let topology = load_topology(TOPOLOGY, "bench.yaml").map_err(|error| anyhow::anyhow!("{error}"))?;
    // No modelled publish delay: the revert's figure is the publishing work itself (export,
    // Architect job, validation, new version, polling), not a constant the emulator adds.
    let options = EmulatorOptions { topology: Some(topology), rate_limit_per_minute: 10_000_000, publish_delay: Duration::ZERO, ..EmulatorOptions::default() };
    let emulator = switchboard_emulator::spawn(options).await?;
    let credentials = emulator.credentials().org("acme").cloned().ok_or_else(|| anyhow::anyhow!("no org"))?;
    let client = OrgClient::new(ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone()))?;
    let init = Org::new(&client, "Main IVR").init(None, |_| {}).await?;
    let blue = init.blue.ok_or_else(|| anyhow::anyhow!("no blue slot"))?;
    let journal_path = std::env::temp_dir().join(format!("bench-rollout-{}.db", std::process::id()));
    let journal = switchboard_journal::Journal::open(&journal_path.to_string_lossy()).await?;
    let driver = Driver::new(Org::new(&client, "Main IVR"), Store::new(journal, "acme", "Main IVR"));
    let candidate = switchboard_model::load_flow(CANDIDATE, "candidate.yaml")?;
    let (mut aborts, mut reverts) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let (_, report) = driver.start(&candidate, "candidate.yaml", Policy { steps: vec![99, 100], ..Policy::default() }).await?;
        // Abort, then place calls until one runs on the active version.
        let started = Instant::now();
        driver.command(Input::Abort { reason: "bench".into() }).await?;
        loop {
            let request = CallRequest { org: "acme".into(), did: "+13175550100".into(), ani: None, attributes: Default::default(), speed_up: 100.0, dtmf: None };
            let call = emulator.state().place_call(request).map_err(|error| anyhow::anyhow!("{error}"))?;
            tokio::time::timeout(Duration::from_secs(10), call.reached(CallPhase::Queued)).await?;
            let version = call.lock().attributes.get("Flow_Version").cloned().unwrap_or_default();
            // The revert below re-publishes Blue, so its version moves on: compare with the slot.
            if version == report.active.version {
                break;
            }
        }
        aborts.push(started.elapsed().as_secs_f64() * 1_000.0);
        // Seed 004's revert, measured the same way: re-publish the old version through an
        // Architect job, then place calls until one runs on the version it published.
        let old = Org::new(&client, "Main IVR").definition(&blue.flow_id).await?;
        let before = report.active.version.clone();
        let started = Instant::now();
        client.flows().publish(FlowSource::Definition(&old), OperationWait { poll_every: Duration::from_millis(10), ..OperationWait::default() }, |_| {}).await?;
        let mut calls = 0;
        loop {
            let request = CallRequest { org: "acme".into(), did: "+13175550100".into(), ani: None, attributes: Default::default(), speed_up: 100.0, dtmf: None };
            let call = emulator.state().place_call(request).map_err(|error| anyhow::anyhow!("{error}"))?;
            tokio::time::timeout(Duration::from_secs(10), call.reached(CallPhase::Queued)).await?;
            let version = call.lock().attributes.get("Flow_Version").cloned().unwrap_or_default();
            if version != before {
                break;
            }
            calls += 1;
            anyhow::ensure!(calls < 100, "no call ran on the re-published version (still {before})");
        }
        reverts.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    let (abort, revert) = (median(aborts), median(reverts));
    println!("rollout live (emulator, 10 runs)");
    println!("  abort → first new call on the active version (median): {abort:.1} ms; re-publish revert → first new call on it (median): {revert:.1} ms: ratio {:.3}x", abort / revert);
    emulator.shutdown().await;
    let _ = std::fs::remove_file(journal_path);
    Ok(())
}

pub async fn run() -> anyhow::Result<()> {
    tokio::task::block_in_place(virtual_time)?;
    live().await
}
