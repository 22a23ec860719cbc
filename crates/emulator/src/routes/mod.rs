//! HTTP routes, one module per resource. `api_routes` is everything under bearer auth;
//! `public_routes` the token endpoint; `control_routes` the emulator's own `/_emulator/*`,
//! `/health` and `/metrics`.
//!
//! Later modules (notifications, analytics, conversations, contact center) add their routes by
//! merging into `api_routes` (authenticated) or `public_routes`, or from outside via
//! `crate::app_with`.

pub mod action_drafts;
pub mod action_test;
pub mod control;
pub mod datatable_rows;
pub mod datatables;
pub mod extract;
pub mod flow_actions;
pub mod flows;
pub mod integration_sessions;
pub mod integrations;
pub mod licenses;
pub mod oauth;
pub mod oauth_clients;
pub mod org_access;
pub mod organizations;
pub mod paging;
pub mod queues;
pub mod strategies;
pub mod telephony;
pub mod trunks;
pub mod usage;
pub mod users;

use crate::state::AppState;
use axum::Router;

/// Routes under `/api/v2` (bearer auth). Strict mode leaves out the seed-only ones.
pub fn api_routes(strict: bool) -> Router<AppState> {
    let mut router = Router::new()
        .merge(organizations::routes(strict))
        .merge(queues::routes())
        .merge(users::routes())
        .merge(flows::routes(strict))
        .merge(crate::architect::api_routes())
        .merge(datatables::routes())
        .merge(integrations::routes(strict))
        .merge(action_test::routes())
        .merge(action_drafts::routes())
        .merge(licenses::api_routes(strict))
        .merge(oauth_clients::routes())
        .merge(integration_sessions::api_routes(strict))
        .merge(telephony::routes())
        .merge(usage::routes(strict));
    if !strict {
        router = router.merge(strategies::routes());
    }
    router.merge(crate::contact_center::routes::api_routes()).merge(crate::analytics::routes::routes(strict))
}

/// Routes without bearer auth but with faults and counters: the OAuth token endpoint.
pub fn public_routes(strict: bool) -> Router<AppState> {
    oauth::routes(strict).merge(crate::crm::routes()).merge(crate::architect::presigned_routes())
}

/// The emulator's control surface and health endpoints (no bearer auth, no faults, not counted).
/// `--strict` serves only `/health` and `/metrics`: the control surface is an extension.
pub fn control_routes(strict: bool) -> Router<AppState> {
    let health = control::health_routes();
    if strict {
        return health;
    }
    control::routes().merge(integration_sessions::control_routes()).merge(licenses::control_routes()).merge(crate::contact_center::routes::control_routes()).merge(health)
}
