//! The health and metrics app every server serves: `/health/live` (the process serves),
//! `/health/ready` (it can do its job: every named check passes; 503 otherwise, with each check,
//! the failing ones named, and the server's own details) and Prometheus `/metrics` over a
//! `prometheus_client::Registry`. A server supplies the checks; what they mean stays its own.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::registry::Registry;
use serde_json::{Map, Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The content type of the text exposition `/metrics` serves.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// One readiness fact: ready only when every check is `ok`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
}

/// What `/health/ready` answers: the checks, and details that inform without deciding (a role,
/// why the server is not ready). A detail never holds a secret.
#[derive(Debug, Clone, Default)]
pub struct ReadyReport {
    pub checks: Vec<Check>,
    pub details: Map<String, Value>,
}

impl ReadyReport {
    pub fn check(mut self, name: &'static str, ok: bool) -> Self {
        self.checks.push(Check { name, ok });
        self
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    pub fn ready(&self) -> bool {
        self.checks.iter().all(|check| check.ok)
    }

    /// `{"ready": .., <check>: bool.., "failing": [names], <details>..}`.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("ready".to_string(), Value::Bool(self.ready()));
        for check in &self.checks {
            body.insert(check.name.to_string(), Value::Bool(check.ok));
        }
        let failing: Vec<&str> = self.checks.iter().filter(|check| !check.ok).map(|check| check.name).collect();
        body.insert("failing".to_string(), json!(failing));
        for (key, value) in &self.details {
            body.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Value::Object(body)
    }
}

/// The readiness probe, asked on every `/health/ready` (so it may ping a store).
pub trait Readiness: Send + Sync + 'static {
    fn report(&self) -> Pin<Box<dyn Future<Output = ReadyReport> + Send + '_>>;
}

impl<F, Fut> Readiness for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ReadyReport> + Send + 'static,
{
    fn report(&self) -> Pin<Box<dyn Future<Output = ReadyReport> + Send + '_>> {
        Box::pin(self())
    }
}

/// Where `/metrics` reads from: anything that holds a registry.
pub trait MetricsSource: Send + Sync + 'static {
    fn registry(&self) -> &Registry;
}

impl MetricsSource for Registry {
    fn registry(&self) -> &Registry {
        self
    }
}

/// The registry in the text exposition format (empty if encoding fails, which it does only on
/// a formatter error writing into a `String`).
pub fn encode(registry: &Registry) -> String {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, registry).is_err() {
        text.clear();
    }
    text
}

/// `/health/live`, `/health/ready` and `/metrics`, to serve alone or merge into a server's routes.
pub fn health_app(readiness: impl Readiness, metrics: Arc<dyn MetricsSource>) -> Router {
    let readiness: Arc<dyn Readiness> = Arc::new(readiness);
    Router::new()
        .route("/health/live", get(|| async { axum::Json(json!({"status": "live"})) }))
        .route(
            "/health/ready",
            get(move || {
                let readiness = readiness.clone();
                async move { ready(readiness.as_ref()).await }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move { ([(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)], encode(metrics.registry())) }
            }),
        )
}

async fn ready(readiness: &dyn Readiness) -> Response {
    let report = readiness.report().await;
    let status = if report.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(report.to_json())).into_response()
}
