//! The durability layer: a request is answered only after the state writes it made are on disk
//! (with `--state-dir`; without one it adds nothing). See `state/persist.rs`.

use crate::error::ApiError;
use crate::state::{Directory, persist};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn durable(State(directory): State<Directory>, request: Request, next: Next) -> Response {
    let (response, written) = persist::track_writes(next.run(request)).await;
    match directory.wait_durable(written).await {
        Ok(()) => response,
        // The write happened in memory but cannot be promised: say so rather than acknowledge.
        Err(error) => ApiError::internal(error.to_string()).into_response(),
    }
}
