//! Notification fan-out: filled in once the notification hub lands.

pub async fn run() -> anyhow::Result<()> {
    anyhow::bail!("notifications benchmark: not built yet")
}
