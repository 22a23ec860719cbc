//! Who is calling (from the token, without enforcing it), request counters per
//! org/method/route template for `/_emulator/counters` and the usage API, and the Prometheus metrics served on `/metrics`.

use super::RequestOrg;
use crate::state::{Counters, Tokens};
use axum::extract::Request;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FaultLabels {
    pub kind: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub rate_limited: Counter,
    pub faults: Family<FaultLabels, Counter>,
}

impl Metrics {
    /// `analytics_evicted` is the analytics store's own counter (it counts where it evicts).
    pub fn new(analytics_evicted: Counter) -> Metrics {
        let mut registry = Registry::with_prefix("switchboard_emulator");
        let requests = Family::<RequestLabels, Counter>::default();
        let rate_limited = Counter::default();
        let faults = Family::<FaultLabels, Counter>::default();
        registry.register("http_requests", "Requests by route template, method and status", requests.clone());
        registry.register("rate_limited", "Requests answered 429 by the rate limiter", rate_limited.clone());
        registry.register("faults_applied", "Requests a fault rule acted on, by effect", faults.clone());
        registry.register(
            "analytics_records_evicted",
            "Call records dropped from analytics by the per-org count or age bound, oldest first",
            analytics_evicted,
        );
        Metrics { registry, requests, rate_limited, faults }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(Counter::default())
    }
}

/// Who is calling, as far as the token tells (without enforcing it). A valid token's caller is
/// kept so `auth::authenticate` need not look the token up again.
pub fn identify(tokens: &Tokens, request: &mut Request) -> RequestOrg {
    let caller = super::bearer_token(request.headers()).and_then(|token| tokens.lock().check(token).ok());
    let mut org = RequestOrg::default();
    if let Some(caller) = caller {
        org.org_id = Some(caller.org_id.clone());
        org.client_id = Some(caller.client_id.clone());
        request.extensions_mut().insert(super::auth::Authenticated(caller));
    }
    request.extensions_mut().insert(org.clone());
    org
}

/// Counts a finished request for `/_emulator/counters`, the usage API and Prometheus.
/// Keys are bounded: the org comes from a valid token, the method from `method_key`, the route
/// is the matched template (or `unmatched`), never the raw path.
pub fn record(counters: &Counters, metrics: &Metrics, org: &RequestOrg, method: &'static str, template: Option<String>, status: u16) {
    let route = template.unwrap_or_else(|| super::UNMATCHED.to_string());
    counters.lock().record(org.org_id.as_deref().unwrap_or("-"), org.client_id.as_deref(), method, &route, status);
    let labels = RequestLabels { route, method: method.to_string(), status };
    metrics.requests.get_or_create(&labels).inc();
}
