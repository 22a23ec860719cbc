//! The gateway as a child process of the benchmark (`xtask bench gateway-server ...`), so its
//! memory is read from its own `/proc/<pid>` and its sockets count against its own 20,000
//! descriptors, not the load generator's. Runs until its stdin closes.

use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use switchboard_gateway::GatewayConfig;
use switchboard_platform::{ClientConfig, OrgClient, Platform};
use tokio::io::AsyncReadExt;

/// Arguments: base URL, credentials JSON file, org name, key directory, listen, admin listen, and
/// `reuse-port` when several gateway processes share the listen port.
pub async fn run(arguments: &[String]) -> anyhow::Result<()> {
    let (arguments, reuse_port) = match arguments {
        [rest @ .., last] if last == "reuse-port" => (rest, true),
        all => (all, false),
    };
    let [base_url, credentials, org, keys, listen, admin] = arguments else {
        anyhow::bail!("usage: xtask bench gateway-server BASE_URL CREDENTIALS ORG KEY_DIR LISTEN ADMIN [reuse-port]");
    };
    let credentials = switchboard_platform::read_credentials(std::path::Path::new(credentials))?;
    let org = credentials.org(org).context("org not in the credentials")?;
    let client = OrgClient::new(ClientConfig::new(base_url.clone(), org.client_id.clone(), org.client_secret.clone()))?;
    let upstream: Vec<Arc<dyn Platform>> = vec![Arc::new(client)];
    let mut config = GatewayConfig {
        listen: listen.parse()?,
        admin_listen: admin.parse()?,
        jwt_keys: vec![PathBuf::from(keys)],
        drain_window: Duration::from_secs(2),
        reuse_port,
        ..GatewayConfig::default()
    };
    config.limits.connections_per_address = 30_000;
    // The load generator's desktops are quiet on purpose; keep them.
    config.limits.idle_timeout = Duration::from_secs(600);
    config.limits.ping_interval = Duration::from_secs(300);
    let gateway = switchboard_gateway::start(config, upstream).await?;
    println!("ready {}", gateway.addr());
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0u8; 64];
    while stdin.read(&mut buffer).await.map(|read| read > 0).unwrap_or(false) {}
    let drained = gateway.drain().await;
    println!("drained {drained}");
    Ok(())
}
