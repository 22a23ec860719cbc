//! SIGTERM and SIGINT into a shutdown: `terminated()` resolves on the first of them, so a
//! server's `main` awaits it and then drains (`Server::shutdown`, the bridge's and the
//! gateway's own drains). On platforms without SIGTERM, Ctrl-C only.

/// Resolves once the process is asked to stop (SIGTERM or SIGINT). If a handler cannot be
/// installed, that signal is not waited for (the other still is) rather than ending at once.
pub async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut stream) => {
                    stream.recv().await;
                }
                Err(error) => {
                    tracing::warn!("cannot listen for SIGTERM: {error}");
                    std::future::pending::<()>().await;
                }
            }
        };
        let interrupt = async {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::warn!("cannot listen for SIGINT: {error}");
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = term => tracing::info!("SIGTERM: shutting down"),
            () = interrupt => tracing::info!("SIGINT: shutting down"),
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
