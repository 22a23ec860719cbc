//! Applies fault rules to matching requests: latency (with jitter), then a hang, a connection
//! reset, or an error status with `Retry-After`. A reset needs the connection's kill switch,
//! which only the emulator's own server (`server.rs`) installs.

use super::RequestOrg;
use crate::error::ApiError;
use crate::server::ConnectionKill;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_api::error::codes;

/// How long a `hang` fault holds a request before giving up with 504.
const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => codes::BAD_REQUEST,
        401 => codes::UNAUTHORIZED,
        403 => codes::FORBIDDEN,
        404 => codes::NOT_FOUND,
        409 => codes::CONFLICT,
        412 => codes::PRECONDITION_FAILED,
        429 => codes::TOO_MANY_REQUESTS,
        503 => codes::SERVICE_UNAVAILABLE,
        _ => codes::INTERNAL,
    }
}

pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let org = request.extensions().get::<RequestOrg>().cloned().unwrap_or_default();
    let org_pair = org.org_id.as_deref().map(|id| (id, org.org_name.as_deref().unwrap_or(id)));
    let decision = state.faults().decide(org_pair, request.method().as_str(), request.uri().path());
    let Some(decision) = decision else {
        return next.run(request).await;
    };
    let kind = decision.kind().to_string();
    state.metrics().faults.get_or_create(&super::metrics::FaultLabels { kind }).inc();
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if decision.reset {
        if let Some(kill) = request.extensions().get::<ConnectionKill>() {
            kill.kill();
        }
        // The connection task drops the socket; this future is dropped with it.
        std::future::pending::<()>().await;
    }
    if decision.hang {
        // Hung requests are bounded so abandoned ones do not pin tasks for the server's life.
        tokio::time::sleep(HANG_LIMIT).await;
        return ApiError::new(StatusCode::GATEWAY_TIMEOUT, codes::INTERNAL, format!("Injected hang (rule {}) ended", decision.rule_id))
            .into_response();
    }
    if let Some(status) = decision.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return ApiError::new(status, code_for(status), format!("Injected fault (rule {})", decision.rule_id))
            .with_retry_after(decision.retry_after_seconds)
            .into_response();
    }
    next.run(request).await
}
