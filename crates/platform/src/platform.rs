//! The `Platform` trait: what engines (deploy, rollout, review) hold, so they run the same
//! against the emulator, a real org, or a test double.
//!
//! Object safety: `execute` returns a boxed future, so `Arc<dyn Platform>` works and no
//! `async_trait` macro is needed. Typed calls live on accessor structs (`Queues`, `Flows`, ...)
//! that are generic over `P: Platform + ?Sized`, reached through the blanket [`PlatformExt`]
//! trait; a test double implements only `execute`.

use futures_util::future::BoxFuture;

use crate::error::Result;
use crate::request::{ApiRequest, ApiResponse};

pub trait Platform: Send + Sync {
    /// The org this handle talks to (name or id), for logs and reports.
    fn label(&self) -> &str;

    /// Sends one logical call: 2xx → `Ok`, anything else → the matching `PlatformError`.
    /// Implementations own auth, retries and rate limiting.
    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>>;
}

impl<P: Platform + ?Sized> Platform for std::sync::Arc<P> {
    fn label(&self) -> &str {
        (**self).label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        (**self).execute(request)
    }
}

impl<P: Platform + ?Sized> Platform for &P {
    fn label(&self) -> &str {
        (**self).label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        (**self).execute(request)
    }
}
