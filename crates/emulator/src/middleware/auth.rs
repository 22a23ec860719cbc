//! Bearer authentication for `/api/v2/*`: unknown or expired token → 401; a valid token's
//! `Caller` (org, client) goes into the request for handlers to scope every read and write.

use crate::error::ApiError;
use crate::state::tokens::TokenRefusal;
use crate::state::{Caller, Tokens};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;

/// A caller whose token `metrics::identify` (in the `edge` layer) already found valid on this request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

/// Puts the request's `Caller` in its extensions, or refuses it with 401.
pub fn authenticate(tokens: &Tokens, request: &mut Request) -> Result<Caller, ApiError> {
    if let Some(Authenticated(caller)) = request.extensions_mut().remove::<Authenticated>() {
        request.extensions_mut().insert(caller.clone());
        return Ok(caller);
    }
    let Some(token) = super::bearer_token(request.headers()) else {
        return Err(ApiError::unauthorized("No authentication bearer token specified in authorization header."));
    };
    let checked = tokens.lock().check(token);
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
    request.extensions_mut().insert(caller.clone());
    Ok(caller)
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
