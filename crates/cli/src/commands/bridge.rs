//! `switchboard bridge`: runs the CRM bridge until SIGTERM or Ctrl-C, then drains. All
//! configuration comes from BRIDGE_* variables; a bad one stops start-up with one line naming it.

use crate::args::BridgeArgs;
use anyhow::Context;
use std::sync::Arc;
use switchboard_bridge::BridgeConfig;
use switchboard_platform::OrgClient;

pub async fn run(arguments: BridgeArgs) -> anyhow::Result<()> {
    let config = BridgeConfig::from_env()?;
    if arguments.check_config {
        println!("bridge configuration is valid");
        return Ok(());
    }
    let platform = Arc::new(OrgClient::new(config.client_config()).context("the platform client")?);
    let handle = switchboard_bridge::start(config, platform).await.context("starting the bridge")?;
    // One line on stdout, so a supervisor or a test learns the bound address (BRIDGE_LISTEN may use port 0).
    println!("bridge listening on http://{}", handle.addr());
    // A dead engine ends the process (exit 1) so its supervisor restarts it, instead of a
    // process that answers health checks and does nothing.
    tokio::select! {
        () = wait_for_termination() => {}
        reason = handle.failure() => anyhow::bail!("the bridge stopped working: {reason}"),
    }
    tracing::info!("termination requested; draining");
    handle.drain().await.context("draining the bridge")?;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_termination() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_termination() {
    let _ = tokio::signal::ctrl_c().await;
}
