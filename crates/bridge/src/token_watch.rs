//! The platform handle the bridge uses, watched: every call's outcome keeps the readiness token
//! fact current. The client refreshes its token once on a 401 before answering `Unauthorized`,
//! and answers it too when the token endpoint refuses the credentials, so `Unauthorized` means
//! the bridge holds no valid token now; any success means it does.

use crate::status::Status;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use switchboard_platform::{ApiRequest, ApiResponse, Platform, PlatformError, Result};

pub(crate) struct TokenWatch {
    inner: Arc<dyn Platform>,
    status: Arc<Status>,
}

impl TokenWatch {
    pub(crate) fn new(inner: Arc<dyn Platform>, status: Arc<Status>) -> TokenWatch {
        TokenWatch { inner, status }
    }
}

impl Platform for TokenWatch {
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        self.inner
            .execute(request)
            .map(|outcome| {
                match &outcome {
                    Ok(_) => self.status.token_ok.store(true, Ordering::Relaxed),
                    Err(PlatformError::Unauthorized { .. }) => {
                        if self.status.token_ok.swap(false, Ordering::Relaxed) {
                            tracing::warn!("the platform refused the bridge's token; not ready");
                        }
                    }
                    // Other failures say nothing about the token.
                    Err(_) => {}
                }
                outcome
            })
            .boxed()
    }
}
