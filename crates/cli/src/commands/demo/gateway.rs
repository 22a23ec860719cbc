//! The demo's gateway step: starts the gateway in-process against the demo's emulator, connects
//! agent desktops through it, publishes their events, and shows how many upstream channels and
//! subscriptions the platform sees for that many agents.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_emulator::RunningEmulator;
use switchboard_gateway::GatewayConfig;
use switchboard_gateway::jwt::{self, Key};
use switchboard_platform::{ClientConfig, OrgClient, Platform, PlatformExt};
use tokio_tungstenite::tungstenite::Message;

const ORG: &str = "na-east-1";
/// Over 450 agents (2 topics each plus the shared one) the pool needs a second channel.
const AGENTS: usize = 500;
/// Every agent also watches this queue: one upstream subscription for all of them.
const SHARED_TOPIC: &str = "v2.routing.queues.demo-support.conversations";

type Desktop = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn wait_for(desktop: &mut Desktop, wanted: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), desktop.next()).await.context("waiting for the gateway")?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str())?;
                if wanted(&value) {
                    return Ok(value);
                }
            }
            Some(Ok(_)) => {}
            other => bail!("an agent's session ended: {other:?}"),
        }
    }
}

pub async fn run(emulator: &RunningEmulator, print: bool) -> anyhow::Result<Value> {
    let credentials = emulator.credentials().org(ORG).context("the demo's org")?.clone();
    let client = OrgClient::new(ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone()))?;
    let upstream: Vec<Arc<dyn Platform>> = vec![Arc::new(client.clone())];

    // The gateway reads its JWT keys from files; the demo writes a throwaway one.
    let key_dir = std::env::temp_dir().join(format!("switchboard-demo-gateway-{}", std::process::id()));
    std::fs::create_dir_all(&key_dir)?;
    let secret = format!("demo-{}", uuid_like());
    std::fs::write(key_dir.join("demo"), &secret)?;
    let key = Key::new("demo", secret.as_bytes());
    let mut config = GatewayConfig { jwt_keys: vec![key_dir.clone()], ..GatewayConfig::default() };
    config.limits.connections_per_address = AGENTS + 10;
    let gateway = switchboard_gateway::start(config, upstream).await.context("starting the gateway")?;
    if print {
        println!("\n== gateway: {AGENTS} agent desktops through {} ==", gateway.url());
    }

    let started = Instant::now();
    let mut desktops = Vec::with_capacity(AGENTS);
    for index in 0..AGENTS {
        let agent = format!("demo-agent-{index}");
        let token = jwt::mint_for(&agent, 3600.0, &key);
        let (mut desktop, _) = tokio_tungstenite::connect_async(format!("{}/?access_token={token}", gateway.url())).await?;
        let subscribe = json!({"message": "subscribe", "topics": [format!("v2.users.{agent}?presence&routingStatus"), SHARED_TOPIC]});
        desktop.send(Message::Text(subscribe.to_string().into())).await?;
        desktops.push((agent, desktop));
    }
    for (_, desktop) in &mut desktops {
        wait_for(desktop, |frame| frame["eventBody"]["message"] == "subscribed").await.context("an agent's subscribed notice")?;
    }
    let connected_in = started.elapsed();

    // One event per agent on its own topic, one on the shared queue: everyone gets both.
    let org_id = credentials.id.clone();
    let hub = emulator.state().notifications().clone();
    // A desktop's `subscribed` notice can run ahead of the upstream subscription reaching the
    // platform: publish only once the platform has a subscriber for every topic.
    let topics: Vec<String> =
        desktops.iter().map(|(agent, _)| format!("v2.users.{agent}.presence")).chain([SHARED_TOPIC.to_string()]).collect();
    let upstream_ready = Instant::now() + Duration::from_secs(10);
    while !topics.iter().all(|topic| hub.has_subscribers(&org_id, topic)) {
        if Instant::now() > upstream_ready {
            bail!("the gateway's upstream subscriptions did not reach the platform within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let published = Instant::now();
    for (agent, _) in &desktops {
        hub.publish(&org_id, &format!("v2.users.{agent}.presence"), &json!({"presenceDefinition": {"systemPresence": "Available"}}));
    }
    hub.publish(&org_id, SHARED_TOPIC, &json!({"demo": "shared"}));
    for (agent, desktop) in &mut desktops {
        let own = format!("v2.users.{agent}.presence");
        // In any order: when the agent's own topics and the shared queue sit on different upstream
        // channels, nothing orders one channel's events against the other's (nor on the platform).
        let mut missing = vec![own.clone(), SHARED_TOPIC.to_string()];
        while !missing.is_empty() {
            let frame = wait_for(desktop, |frame| missing.iter().any(|topic| frame["topicName"] == topic.as_str()))
                .await
                .with_context(|| format!("{agent} waiting for {}", missing.join(" and ")))?;
            missing.retain(|topic| frame["topicName"] != topic.as_str());
        }
    }
    let delivered_in = published.elapsed();

    let channels = client.notifications().channels().await?;
    let mut platform_subscriptions = 0;
    for channel in &channels {
        platform_subscriptions += client.notifications().subscriptions(&channel.id).await?.len();
    }
    let stats = gateway.stats();
    let summary = json!({
        "agents": AGENTS,
        "agentSubscriptions": stats.session_subscriptions,
        "upstreamChannels": channels.len(),
        "upstreamSubscriptions": platform_subscriptions,
        "framesDelivered": stats.delivered,
        "connectAndSubscribeMs": connected_in.as_millis() as u64,
        "deliverAllMs": delivered_in.as_millis() as u64,
    });
    if print {
        println!("  agents connected and subscribed   {AGENTS} in {} ms", connected_in.as_millis());
        println!("  agent subscriptions               {}", stats.session_subscriptions);
        println!("  upstream channels on the platform {} (one-to-one proxying would need {AGENTS})", channels.len());
        println!("  upstream subscriptions            {platform_subscriptions} (the shared queue counted once)");
        println!("  {} frames delivered (notices included), the last event {} ms after publishing", stats.delivered, delivered_in.as_millis());
    }
    for (_, desktop) in &mut desktops {
        let _ = desktop.close(None).await;
    }
    drop(gateway);
    let _ = std::fs::remove_dir_all(&key_dir);
    Ok(summary)
}

/// A per-run suffix for the throwaway key (not a security boundary: the demo is local).
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_nanos()).unwrap_or(0);
    format!("{nanos:x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_shows_hundreds_of_agents_on_a_handful_of_channels() -> anyhow::Result<()> {
        let emulator = switchboard_emulator::spawn(switchboard_emulator::EmulatorOptions::default()).await?;
        let summary = run(&emulator, false).await?;
        assert_eq!(summary["agents"], AGENTS);
        assert_eq!(summary["agentSubscriptions"], 3 * AGENTS);
        assert_eq!(summary["upstreamSubscriptions"], 2 * AGENTS + 1, "{summary}");
        // 1,000 topics per upstream channel: the presence and routing-status topics of every agent
        // plus the one shared queue topic.
        assert_eq!(summary["upstreamChannels"], (2 * AGENTS + 1).div_ceil(1000), "{summary}");
        Ok(())
    }
}
