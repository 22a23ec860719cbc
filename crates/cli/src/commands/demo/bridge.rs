//! The demo's bridge part: the CRM bridge runs in-process against the emulator's live calls and
//! its fake CRM, shows screen pops as callers reach a queue, is killed mid-stream (no drain, the
//! way `kill -9` ends a process) and restarted from its SQLite state, and then proves that every
//! queued call got exactly one CRM activity and its screen pop. Returns a JSON summary.

use anyhow::Context;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use switchboard_api::traffic::TrafficRequest;
use switchboard_bridge::{BridgeConfig, BridgeHandle};
use switchboard_emulator::RunningEmulator;

const ORG: &str = "na-east-1";
/// The org's second number, so the bridge's calls do not mix with the live part's.
const DID: &str = "+13175550001";
const CALLS_PER_MINUTE: f64 = 3.0;
const SPEED_UP: f64 = 60.0;
const BEFORE_KILL: Duration = Duration::from_secs(5);
const DOWN_FOR: Duration = Duration::from_secs(1);
const AFTER_RESTART: Duration = Duration::from_secs(5);

struct TempState(std::path::PathBuf);

impl Drop for TempState {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bridge_config(emulator: &RunningEmulator, state_db: &std::path::Path) -> anyhow::Result<BridgeConfig> {
    let credentials = emulator.credentials().org(ORG).context("the demo org's credentials")?.clone();
    let vars: BTreeMap<&str, String> = BTreeMap::from([
        ("BRIDGE_PLATFORM_URL", emulator.base_url()),
        ("BRIDGE_CLIENT_ID", credentials.client_id),
        ("BRIDGE_CLIENT_SECRET", credentials.client_secret),
        ("BRIDGE_CRM_URL", format!("{}/crm", emulator.base_url())),
        ("BRIDGE_QUEUES", "Sales,Support,Billing".to_string()),
        ("BRIDGE_LISTEN", "127.0.0.1:0".to_string()),
        ("BRIDGE_STATE_URL", format!("sqlite://{}", state_db.display())),
        ("BRIDGE_INSTANCE_ID", "demo-bridge".to_string()),
        ("BRIDGE_LEASE_TTL_MS", "1500".to_string()),
        ("BRIDGE_BACKOFF_BASE_MS", "50".to_string()),
        ("BRIDGE_BACKOFF_MAX_MS", "1000".to_string()),
    ]);
    Ok(BridgeConfig::from_lookup(&|name| vars.get(name).cloned())?)
}

/// Screen pops visible on live calls that were not printed yet.
fn new_pops(emulator: &RunningEmulator, org_id: &str, shown: &mut BTreeSet<String>, print: bool) {
    for call in emulator.state().contact_center().live_calls(org_id) {
        if shown.contains(&call.id) {
            continue;
        }
        let conversation = call.conversation();
        let Some(customer) = conversation.participant("customer") else { continue };
        let Some(name) = customer.attributes.get("crm.name") else { continue };
        shown.insert(call.id.clone());
        if print {
            let queue = conversation.participant("acd").and_then(|acd| acd.queue_name.clone()).unwrap_or_default();
            let tier = customer.attributes.get("crm.tier").cloned().unwrap_or_default();
            println!("       pop  {}…  {:<13} {:<8} → {name} ({tier})", &call.id[..8], customer.ani.clone().unwrap_or_default(), queue);
        }
    }
}

async fn watch(emulator: &RunningEmulator, org_id: &str, shown: &mut BTreeSet<String>, print: bool, for_how_long: Duration) {
    let until = Instant::now() + for_how_long;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        new_pops(emulator, org_id, shown, print);
    }
}

async fn start(emulator: &RunningEmulator, state_db: &std::path::Path) -> anyhow::Result<BridgeHandle> {
    let config = bridge_config(emulator, state_db)?;
    let platform = std::sync::Arc::new(switchboard_platform::OrgClient::new(config.client_config())?);
    let bridge = switchboard_bridge::start(config, platform).await.context("starting the bridge")?;
    let started = Instant::now();
    while !bridge.status.active.load(std::sync::atomic::Ordering::Relaxed) && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(bridge)
}

pub async fn run(emulator: &RunningEmulator, print: bool) -> anyhow::Result<serde_json::Value> {
    let state = emulator.state();
    let org_id = emulator.credentials().org(ORG).context("the demo org")?.id.clone();
    let dir = TempState(std::env::temp_dir().join(format!("switchboard-demo-bridge-{}", uuid_like())));
    std::fs::create_dir_all(&dir.0).context("the bridge's state directory")?;
    let state_db = dir.0.join("bridge.db");
    if print {
        println!("\n== the CRM bridge: screen pops on arrival, an activity per finished call, state in SQLite ==");
    }
    let bridge = start(emulator, &state_db).await?;
    let request = TrafficRequest {
        org: ORG.to_string(),
        did: DID.to_string(),
        calls_per_minute: Some(CALLS_PER_MINUTE),
        speed_up: Some(SPEED_UP),
        seed: Some(12),
        ..TrafficRequest::default()
    };
    let stream = state.start_traffic(request).context("starting the bridge demo's calls")?;
    let mut shown = BTreeSet::new();
    watch(emulator, &org_id, &mut shown, print, BEFORE_KILL).await;
    let effects_before_kill = bridge.metrics.effect_count("screen_pop", "written") + bridge.metrics.effect_count("activity", "written");
    bridge.kill();
    if print {
        println!("       -- bridge killed mid-stream (no drain); calls keep arriving for {}s --", DOWN_FOR.as_secs());
    }
    tokio::time::sleep(DOWN_FOR).await;
    let restarted_at = Instant::now();
    let bridge = start(emulator, &state_db).await?;
    let resumed_after_ms = restarted_at.elapsed().as_millis() as u64;
    if print {
        println!("       -- restarted from its cursor in {resumed_after_ms} ms; replaying what it missed --");
    }
    watch(emulator, &org_id, &mut shown, print, AFTER_RESTART).await;
    let placed = state.contact_center().traffic.stop(&stream.id).context("stopping the bridge demo's calls")?.calls_placed;

    // Wait for the queued calls to end and their activities to land.
    let settle_until = Instant::now() + Duration::from_secs(30);
    let (queued, popped, activities) = loop {
        let center = state.contact_center();
        let records: Vec<_> = center
            .records_with_live(&org_id)
            .into_iter()
            .filter(|record| record.dnis == DID && record.queue.is_some())
            .collect();
        let mut activities: BTreeMap<String, usize> = BTreeMap::new();
        for activity in center.crm.activities() {
            *activities.entry(activity.activity.conversation_id.unwrap_or_default()).or_default() += 1;
        }
        let popped = records
            .iter()
            .filter(|record| {
                center.call(&record.conversation_id).is_some_and(|call| {
                    call.conversation().participant("customer").is_some_and(|customer| customer.attributes.contains_key("crm.found"))
                })
            })
            .count();
        let all_logged = records.iter().all(|record| record.end_ms.is_some() && activities.contains_key(&record.conversation_id));
        if all_logged || Instant::now() > settle_until {
            let activities: BTreeMap<String, usize> =
                activities.into_iter().filter(|(id, _)| records.iter().any(|record| &record.conversation_id == id)).collect();
            break (records, popped, activities);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let duplicates = activities.values().filter(|count| **count > 1).count();
    let missing = queued.iter().filter(|record| !activities.contains_key(&record.conversation_id)).count();
    let ended_before_pop = bridge.metrics.effect_count("screen_pop", "call_ended_first");
    bridge.drain().await.context("draining the bridge")?;
    if print {
        println!(
            "       {placed} calls placed, {} queued: {popped} screen pops ({ended_before_pop} callers hung up before theirs), {} activities ({duplicates} duplicated, {missing} missing); {effects_before_kill} effects were done before the kill",
            queued.len(),
            activities.len()
        );
    }
    Ok(json!({
        "callsPlaced": placed,
        "callsQueued": queued.len(),
        "screenPops": popped,
        "screenPopsTooLate": ended_before_pop,
        "activities": activities.len(),
        "duplicateActivities": duplicates,
        "missingActivities": missing,
        "effectsBeforeKill": effects_before_kill,
        "restartMs": resumed_after_ms,
    }))
}

/// A unique-enough suffix for the state directory (process id and time).
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_nanos()).unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}
