//! The outer layer of every emulated service: refuses paths over the limits, identifies the
//! caller, applies fault rules, gives every error the Genesys body, and counts the request by
//! its route template. One layer rather than two because every `from_fn` layer clones its inner
//! service and boxes a future per request, which showed in the emulator benchmark.

use super::{faults, metrics, rejections};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn edge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let method = super::method_key(request.method());
    let template = request.extensions().get::<MatchedPath>().map(|matched| matched.as_str().to_string());
    let org = metrics::identify(&state, &mut request);
    if let Err(refusal) = crate::limits::path(request.uri().path()) {
        let response = refusal.into_response();
        metrics::record(&state, &org, method, template, response.status().as_u16());
        return response;
    }
    let answered_by_fault = match faults::decide(&state, &request) {
        Some(fault) => faults::apply(&state, fault).await,
        None => None,
    };
    let response = match answered_by_fault {
        Some(response) => response,
        None => rejections::genesys_body(next.run(request).await).await,
    };
    metrics::record(&state, &org, method, template, response.status().as_u16());
    response
}
