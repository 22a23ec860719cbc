//! The demo's rollout step (issue 9): on org eu-central-2 (no other step uses it), `Main IVR` is set
//! up for rollouts (slots, Traffic Cop, DIDs repointed), then two releases run on sped-up live
//! calls, judged from the analytics API every 400 ms: a good candidate (a shorter greeting) is
//! promoted through 25 % and 50 % (its smoke calls to the hidden DID pass first, and the CRM
//! action gets `Cache-Control: no-cache` and a `Flow_Version` input), a broken one (it hangs up at
//! once) is refused by the smoke test before any weight moves, and a bad one (its CRM lookup reads
//! a variable it never sets, so the lookup fails and the call is dropped) is aborted with the
//! judge's evidence.

use anyhow::Context;
use serde_json::json;
use std::time::Duration;
use switchboard_emulator::RunningEmulator;
use switchboard_emulator::CallRequest;
use switchboard_journal::Journal;
use switchboard_model::flow::{Block, Expression, FlowDefinition, VariableDeclaration, VariableType};
use switchboard_platform::OrgClient;
use switchboard_rollout::live::{Driver, Org, RolloutError, RolloutRecord, Store};
use switchboard_rollout::smoke::SmokeOutcome;
use switchboard_rollout::{Phase, Policy};

const ORG: &str = "eu-central-2";
const DID: &str = "+49695550300";
const SMOKE_DID: &str = "+49695550399";
const FLOW: &str = "Main IVR";

fn policy() -> Policy {
    Policy { steps: vec![25, 50, 100], interval_ms: 400, min_calls_per_step: 8, ..Policy::default() }
}

/// Sped-up Poisson-ish traffic on the DID until the returned handle is aborted.
fn traffic(emulator: &RunningEmulator) -> tokio::task::JoinHandle<()> {
    let state = emulator.state();
    tokio::spawn(async move {
        loop {
            let request = CallRequest { org: ORG.into(), did: DID.into(), ani: None, attributes: Default::default(), speed_up: 60.0, dtmf: None };
            let _ = state.place_call(request);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
}

async fn release(
    driver: &Driver<'_, OrgClient>,
    emulator: &RunningEmulator,
    candidate: &FlowDefinition,
    policy: Policy,
    label: &str,
    text: bool,
) -> anyhow::Result<RolloutRecord> {
    let (_, report) = driver.start(candidate, label, policy).await.with_context(|| format!("starting the {label} rollout"))?;
    if text {
        for action in report.actions.iter().filter(|action| action.changed) {
            println!("  {label}: data action {} now has Cache-Control: no-cache and a Flow_Version input (v{})", action.name, action.version);
        }
        match &report.smoke {
            Some(SmokeOutcome::Passed { report }) => println!("  {label}: smoke test passed: {report}"),
            Some(SmokeOutcome::NotApplicable { reason }) => println!("  {label}: smoke test skipped: {reason}"),
            None => {}
        }
    }
    let calls = traffic(emulator);
    let finished = tokio::time::timeout(
        Duration::from_secs(30),
        driver.run("switchboard demo", |_, tick| {
            if text {
                for event in &tick.events {
                    if !matches!(event.kind, switchboard_rollout::controller::EventKind::Verdict { .. }) {
                        println!("  {label}: {}", crate::commands::rollout::event_line(event));
                    }
                }
            }
        }),
    )
    .await;
    calls.abort();
    let record = finished.with_context(|| format!("the {label} rollout did not finish in 30 s"))??;
    Ok(record)
}

pub async fn run(emulator: &RunningEmulator, client: &OrgClient, text: bool) -> anyhow::Result<serde_json::Value> {
    if text {
        println!("\n== rollout: {ORG} '{FLOW}' through a Traffic Cop, judged on live calls (x60) every 400 ms ==");
    }
    let org = Org::new(client, FLOW);
    let init = org.init(Some(SMOKE_DID), |_| {}).await.context("rollout init")?;
    if text {
        println!("  init: created {}; DIDs of {} now reach the Traffic Cop", init.created.join(", "), init.repointed.join(", "));
    }
    let current = org.definition(&init.blue.as_ref().context("no Blue slot")?.flow_id).await?;
    let mut good = current.clone();
    if let Some(Block::Play { duration_ms, .. }) = good.blocks.get_mut("welcome") {
        *duration_ms = 1_000;
    }
    // The bad version reads a variable it declares but never sets: every CRM lookup fails.
    let mut bad = current.clone();
    bad.variables.insert(
        "Account_Id".into(),
        VariableDeclaration { variable_type: VariableType::String, default: None, description: None },
    );
    if let Some(Block::DataAction(action)) = bad.blocks.get_mut("crm") {
        action.inputs.insert("phone".into(), Expression::formula("Account_Id"));
        action.on_error = "dropped".into();
    }
    bad.blocks.insert("dropped".into(), Block::Disconnect { reason: Some("error".into()) });

    let path = std::env::temp_dir().join(format!("switchboard-demo-journal-{}.db", std::process::id()));
    let journal = Journal::open(&path.to_string_lossy()).await.context("opening the demo journal")?;
    let driver = Driver::new(Org::new(client, FLOW), Store::new(journal, ORG, FLOW))
        .with_smoke_dialer(crate::commands::rollout::EmulatorCalls::new(std::sync::Arc::new(client.clone()), ORG));
    let promoted = release(&driver, emulator, &good, policy(), "good candidate", text).await?;
    // Hangs up on every caller: the smoke test refuses it before a single real caller reaches it.
    let mut broken = current.clone();
    broken.blocks.insert("hang_up".into(), Block::Disconnect { reason: None });
    broken.start = "hang_up".into();
    let refused = match driver.start(&broken, "broken candidate", policy()).await {
        Err(RolloutError::SmokeFailed { report }) => report,
        Err(error) => return Err(error).context("starting the broken rollout"),
        Ok(_) => anyhow::bail!("the smoke test let a candidate through that hangs up on every call"),
    };
    if text {
        println!("  broken candidate: REFUSED before any weight moved: {refused}");
    }
    // The bad one drops only some calls; its smoke test is skipped so the live judge shows what it
    // catches (three smoke calls would catch it most of the time, but not always).
    let aborted = release(&driver, emulator, &bad, Policy { smoke_calls: 0, ..policy() }, "bad candidate", text).await?;
    let _ = std::fs::remove_file(&path);
    anyhow::ensure!(promoted.controller.phase == Phase::Promoted, "the good candidate was not promoted");
    anyhow::ensure!(aborted.controller.phase == Phase::Aborted, "the bad candidate was not aborted");
    let verdict = aborted.controller.last_verdict().context("no verdict")?;
    if text {
        let evidence = &verdict.evidence.disconnects;
        println!(
            "  evidence: candidate {}/{} calls dropped, active {}/{}; e-value {:.0} (threshold {:.0}), always-valid p {:.4}; {} candidate calls exposed in all",
            evidence.events_b,
            evidence.trials_b,
            evidence.events_a,
            evidence.trials_a,
            evidence.e_value,
            1.0 / verdict.evidence.alphas[1],
            evidence.p_value,
            aborted.controller.candidate_totals.calls
        );
    }
    Ok(json!({
        "promoted": {"version": promoted.controller.active.version, "events": promoted.controller.history.len()},
        "aborted": {"reason": verdict.reason, "evidence": verdict.evidence},
        "refused_by_smoke_test": refused,
    }))
}
