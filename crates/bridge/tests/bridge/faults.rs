//! Upstream faults: 503 bursts from the CRM and the conversations API, channels that expire and
//! drop the socket, tokens that expire mid-stream, a restart of the emulator with its state.
//! Each time: every queued call still gets exactly one screen pop and one activity.

use crate::support::*;
use std::sync::atomic::Ordering;
use std::time::Duration;
use switchboard_api::emulator::FaultRule;
use switchboard_emulator::EmulatorOptions;

async fn active(bridge: &switchboard_bridge::BridgeHandle) {
    assert!(eventually(Duration::from_secs(10), || bridge.status.active.load(Ordering::Relaxed)).await, "the bridge never became active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_of_503_and_expiring_channels_lose_nothing() {
    let mut options = emulator_options();
    // Channels live 2 s: the socket is closed under the bridge again and again.
    options.notifications.channel_lifetime = Duration::from_secs(2);
    options.notifications.closing_warning = Duration::from_millis(300);
    let emulator = switchboard_emulator::spawn(options).await.expect("emulator");
    let state = emulator.state();
    for path in ["/crm/**", "/api/v2/conversations/**"] {
        let rule = FaultRule { path: path.to_string(), status: Some(503), probability: Some(0.3), seed: Some(1), ..FaultRule::default() };
        state.faults().add(rule).expect("fault rule");
    }
    let dir = TempDir::new("faults");
    let bridge = start_bridge(config(&bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display())))).await.expect("bridge");
    active(&bridge).await;
    let stream = start_traffic(&emulator, 3.0);
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(40)).await;
    assert!(tally.queued.len() >= 3, "only {} calls queued", tally.queued.len());
    assert_eq!(tally.problems(), Vec::<String>::new());
    let faulted: u64 = state.faults().list().iter().map(|rule| rule.applied).sum();
    assert!(faulted > 0, "the fault rules never fired");
    assert!(bridge.metrics.reconnects.get() >= 1, "the channel never dropped");
    bridge.drain().await.expect("drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expiring_mid_stream_fail_no_effect() {
    let mut options = emulator_options();
    options.token_lifetime = Duration::from_secs(2);
    let emulator = switchboard_emulator::spawn(options).await.expect("emulator");
    let dir = TempDir::new("tokens");
    let bridge = start_bridge(config(&bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display())))).await.expect("bridge");
    active(&bridge).await;
    let stream = start_traffic(&emulator, 3.0);
    // Three token lifetimes of calls.
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(tally.queued.len() >= 3);
    assert_eq!(tally.problems(), Vec::<String>::new());
    assert_eq!(bridge.metrics.effect_count("screen_pop", "failed") + bridge.metrics.effect_count("activity", "failed"), 0);
    assert_eq!(bridge.metrics.effect_retries.get(), 0, "a refreshed token never lets an effect fail even once");
    bridge.drain().await.expect("drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emulator_restarted_with_its_state_is_followed_without_loss() {
    let dir = TempDir::new("emulator-restart");
    let state_dir = dir.path("emulator-state");
    let listen = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("free port");
    let mut options = EmulatorOptions { listen, state_dir: Some(state_dir.clone()), ..emulator_options() };
    // An in-process emulator's shutdown leaves upgraded sockets running until their channel
    // expires (a real process exit drops them at once); short channels bound that.
    options.notifications.channel_lifetime = Duration::from_secs(3);
    options.notifications.closing_warning = Duration::from_millis(500);
    let first = switchboard_emulator::spawn(options.clone()).await.expect("emulator");
    let env = bridge_env(&first, &format!("sqlite://{}", dir.path("state.db").display()));
    let bridge = start_bridge(config(&env)).await.expect("bridge");
    active(&bridge).await;
    let stream = start_traffic(&first, 3.0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_traffic(&first, &stream);
    let before = settle(&first, Duration::from_secs(30)).await;
    assert_eq!(before.problems(), Vec::<String>::new());
    first.shutdown().await;

    // Same port, same state (orgs, credentials); its channels and live calls are gone.
    let second = switchboard_emulator::spawn(options).await.expect("emulator restarts");
    let stream = start_traffic(&second, 3.0);
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop_traffic(&second, &stream);
    let after = settle(&second, Duration::from_secs(30)).await;
    assert!(after.queued.len() >= 2, "only {} calls queued after the restart", after.queued.len());
    assert_eq!(after.problems(), Vec::<String>::new());
    assert!(bridge.metrics.reconnects.get() >= 1);
    bridge.drain().await.expect("drain");
}
