//! Keeps the environment's lease while an apply runs: renewed every third of its TTL in the
//! background, so a long stage never loses it; released at the end.

use std::time::Duration;

use switchboard_journal::{JournalResult, Lease};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct LeaseKeeper {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<JournalResult<Lease>>,
}

impl LeaseKeeper {
    pub fn start(mut lease: Lease, ttl: Duration) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let every = (ttl / 3).max(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = &mut stopped => return Ok(lease),
                    () = tokio::time::sleep(every) => lease.renew(ttl).await?,
                }
            }
        });
        Self { stop: Some(stop), task }
    }

    /// Stops renewing and releases the lease; an error if it was lost meanwhile.
    pub async fn release(mut self) -> Result<(), super::ApplyError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(lease)) => Ok(lease.release().await?),
            Ok(Err(error)) => Err(error.into()),
            Err(join) => Err(super::ApplyError::Lease(join.to_string())),
        }
    }
}
