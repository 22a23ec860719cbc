//! `POST /oauth/token`: client credentials from HTTP Basic or the form body. Rate limited per
//! client; a limited token request is answered 400 `invalid_request`, as the real one is.

use crate::middleware::metrics::Metrics;
use crate::state::{AppState, Directory, Rates, Settings, Tokens};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use std::sync::Arc;
use switchboard_api::auth::{OAuthError, TokenResponse};

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new().route("/oauth/token", post(token));
    // Seed 000 posts to `/api/v2/oauth/token`; the real platform only serves `/oauth/token`.
    if strict { router } else { router.route("/api/v2/oauth/token", post(token)) }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = OAuthError {
        error: error.to_string(),
        description: Some(description.to_string()),
        error_description: Some(description.to_string()),
    };
    (status, axum::Json(body)).into_response()
}

/// Client id and secret from `Authorization: Basic` or the form fields.
fn client_credentials(headers: &HeaderMap, form: &[(String, String)]) -> Option<(String, String)> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok())
        && let Some((scheme, encoded)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("basic")
    {
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        return Some((id.to_string(), secret.to_string()));
    }
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    Some((field("client_id")?, field("client_secret")?))
}

fn parse_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let uri: axum::http::Uri = format!("/?{}", text.trim()).parse().ok()?;
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri).ok().map(|query| query.0)
}

async fn token(State(directory): State<Directory>, State(settings): State<Arc<Settings>>, State(tokens): State<Tokens>, State(rates): State<Rates>, State(metrics): State<Arc<Metrics>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(form) = parse_form(&body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the body is not a form");
    };
    let grant = form.iter().find(|(key, _)| key == "grant_type").map(|(_, value)| value.as_str());
    if grant != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    let Some((client_id, client_secret)) = client_credentials(&headers, &form) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client credentials missing");
    };
    let org_id = directory.with_store(|store| {
        store
            .orgs
            .values()
            .find(|org| crate::domain::oauth_clients::authenticates(org, &client_id, &client_secret))
            .map(|org| org.id().to_string())
    });
    let Some(org_id) = org_id else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client not found or secret wrong");
    };
    let decision = rates.lock().check(&format!("client:{client_id}"), settings.rate_limit_per_minute, settings.rate_limit_window);
    if !decision.allowed {
        metrics.rate_limited.inc();
        let mut response = oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "rate limit exceeded; retry later");
        crate::middleware::rate_limit::add_headers(response.headers_mut(), &decision, settings.strict);
        return response;
    }
    let lifetime = settings.token_lifetime;
    let access_token = tokens.lock().issue(&org_id, &client_id, lifetime);
    let body = TokenResponse { access_token, token_type: "bearer".to_string(), expires_in: lifetime.as_secs() };
    (StatusCode::OK, axum::Json(body)).into_response()
}
