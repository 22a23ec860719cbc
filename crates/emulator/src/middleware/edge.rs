//! The outer layer of every emulated service: identifies the caller, applies fault rules, and
//! counts the request. One layer rather than two because every `from_fn` layer clones its inner
//! service and boxes a future per request, which showed in the emulator benchmark.

use super::{faults, metrics};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

pub async fn edge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let template = request.extensions().get::<MatchedPath>().map(|matched| matched.as_str().to_string());
    let org = metrics::identify(&state, &mut request);
    let answered_by_fault = match faults::decide(&state, &request) {
        Some(fault) => faults::apply(&state, fault).await,
        None => None,
    };
    let response = match answered_by_fault {
        Some(response) => response,
        None => next.run(request).await,
    };
    metrics::record(&state, &org, &method, &path, template, response.status().as_u16());
    response
}
