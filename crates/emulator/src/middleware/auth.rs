//! Bearer authentication for `/api/v2/*`: unknown or expired token → 401; a valid token's
//! `Caller` (org, client) goes into the request for handlers to scope every read and write.

use crate::error::ApiError;
use crate::state::{AppState, Caller};
use crate::state::tokens::TokenRefusal;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let Some(token) = super::bearer_token(request.headers()) else {
        return Err(ApiError::unauthorized("No authentication bearer token specified in authorization header."));
    };
    let checked = state.tokens().check(token);
    let caller = match checked {
        Ok(caller) => caller,
        Err(TokenRefusal::Unknown) => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                switchboard_api::error::codes::BAD_CREDENTIALS,
                "Invalid login credentials.",
            ));
        }
        Err(TokenRefusal::Expired) => return Err(ApiError::unauthorized("The access token has expired.")),
    };
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("No authentication bearer token specified in authorization header."))
    }
}
