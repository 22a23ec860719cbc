//! Draining (SIGTERM): readiness turns false, new connections are refused, and every session is
//! closed with 1012 and a reconnect hint, spread over the drain window.

use crate::support::*;
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;

#[tokio::test]
async fn draining_closes_every_session_with_the_restart_code_spread_over_the_window() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let mut config = gateway_config();
    let window = Duration::from_millis(1_000);
    config.drain_window = window;
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let ready_url = format!("http://{}/health/ready", gateway.admin_addr());
    let http = reqwest::Client::new();
    assert_eq!(http.get(&ready_url).send().await.map(|response| response.status().as_u16()).ok(), Some(200));

    let sessions = 10;
    let mut desktops = Vec::new();
    for index in 0..sessions {
        let mut desktop = connect(&gateway.url(), &token(&format!("agent-{index}"), 60.0)).await;
        subscribe(&mut desktop, &[format!("v2.users.agent-{index}.presence")]).await;
        desktops.push(desktop);
    }
    let started = Instant::now();
    let closes = async {
        let mut closes = Vec::new();
        let all = desktops.iter_mut().map(|desktop| async { (close_code(desktop).await, started.elapsed()) });
        for (close, at) in futures_util::future::join_all(all).await {
            closes.push((close, at));
        }
        closes
    };
    let probe = async {
        // Readiness flips before the first session is closed.
        let status = http.get(&ready_url).send().await.map(|response| response.status().as_u16()).ok();
        let refused = tokio_tungstenite::connect_async(format!("{}/?access_token={}", gateway.url(), token("late", 60.0))).await.is_err();
        (status, refused)
    };
    let (closed_count, closes, (status, refused)) = tokio::join!(gateway.drain(), closes, probe);
    assert_eq!(closed_count, sessions);
    assert_eq!(status, Some(503));
    assert!(refused, "no new sessions while draining");
    for ((code, reason), _) in &closes {
        assert_eq!(*code, 1012, "{reason}");
        assert!(reason.contains("reconnect after"), "{reason}");
    }
    let first = closes.iter().map(|(_, at)| *at).min().unwrap_or_default();
    let last = closes.iter().map(|(_, at)| *at).max().unwrap_or_default();
    assert!(first < window / 4, "the first close comes early: {first:?}");
    assert!(last >= window / 2 && last < window + Duration::from_secs(2), "spread over the window: {last:?}");
    assert_eq!(gateway.stats().sessions, 0);
}
