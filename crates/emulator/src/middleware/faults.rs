//! Applies fault rules to matching requests: latency (with jitter), then a hang, a connection
//! reset, or an error status with `Retry-After`. A reset needs the connection's kill switch,
//! which only the emulator's own server (`server.rs`) installs.

use super::RequestOrg;
use crate::error::ApiError;
use crate::middleware::metrics::Metrics;
use crate::server::ConnectionKill;
use crate::state::faults::FaultDecision;
use crate::state::{Directory, Faults};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use switchboard_api::error::codes;

/// How long a `hang` fault holds a request before giving up with 504.
const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// A fault rule that fires for a request, with the connection's kill switch for a reset.
pub struct Fault {
    decision: FaultDecision,
    kill: Option<ConnectionKill>,
}

/// The first matching fault rule that fires for this request, if any (synchronous, so the
/// request itself need not be held across an await).
pub fn decide(faults: &Faults, directory: &Directory, request: &Request) -> Option<Fault> {
    // The matchers are taken under the lock; matching (the request's path against
    // caller-supplied globs) runs outside it so it never holds up other requests.
    let matchers = {
        let book = faults.lock();
        if book.is_empty() {
            return None;
        }
        book.matchers()
    };
    let org_id = request.extensions().get::<RequestOrg>().and_then(|org| org.org_id.clone());
    let org_name = org_id.as_deref().and_then(|id| directory.with_org(id, |store| store.name().to_string()));
    let org_pair = org_id.as_deref().map(|id| (id, org_name.as_deref().unwrap_or(id)));
    let matching = matchers.matching(org_pair, request.method().as_str(), request.uri().path());
    if matching.is_empty() {
        return None;
    }
    let decision = faults.lock().decide(&matching)?;
    Some(Fault { decision, kill: request.extensions().get::<ConnectionKill>().cloned() })
}

/// Applies a fault: waits out its latency, then answers with its status, hangs, or resets the
/// connection. `None` means the request goes on to its handler (a latency-only rule).
pub async fn apply(metrics: &Metrics, fault: Fault) -> Option<Response> {
    let Fault { decision, kill } = fault;
    let kind = decision.kind().to_string();
    metrics.faults.get_or_create(&super::metrics::FaultLabels { kind }).inc();
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if decision.reset {
        if let Some(kill) = kill {
            kill.kill();
        }
        // The connection task drops the socket; this future is dropped with it.
        std::future::pending::<()>().await;
    }
    if decision.hang {
        // Hung requests are bounded so abandoned ones do not pin tasks for the server's life.
        tokio::time::sleep(HANG_LIMIT).await;
        return Some(
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, codes::INTERNAL, format!("Injected hang (rule {}) ended", decision.rule_id))
                .into_response(),
        );
    }
    let status = decision.status?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    Some(
        ApiError::for_status(status, format!("Injected fault (rule {})", decision.rule_id))
            .with_retry_after(decision.retry_after_seconds)
            .into_response(),
    )
}
