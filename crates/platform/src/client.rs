//! `OrgClient`: one org's authenticated, rate-limited, retrying client. Cheap to clone (an `Arc`
//! inside); clones share the token cache and the rate limiter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::time::Instant;

use crate::config::ClientConfig;
use crate::error::{PlatformError, Result};
use crate::platform::Platform;
use crate::rate_headers;
use crate::rate_limit::AdaptiveLimiter;
use crate::request::{ApiRequest, ApiResponse};
use crate::retry::{parse_retry_after, status_is_retryable};
use crate::token::TokenCache;
use crate::transport::{self, Attempt};

#[derive(Debug, Clone)]
pub struct OrgClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    api_base: String,
    http: reqwest::Client,
    token: Arc<TokenCache>,
    limiter: AdaptiveLimiter,
    stats: Counters,
    /// Shared with the token cache: has the server ever answered (`reach.rs`).
    reach: Arc<crate::reach::Reach>,
}

#[derive(Debug, Default)]
struct Counters {
    attempts: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
}

/// What a client has done so far: diagnostics for reports, benchmarks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientStats {
    /// HTTP attempts sent to the API (token requests excluded).
    pub attempts: u64,
    /// Attempts that were retries after a retryable failure.
    pub retries: u64,
    /// 429 answers received (each absorbed by a retry unless the call failed `RateLimited`).
    pub throttled: u64,
    pub token_requests: u64,
}

impl OrgClient {
    /// Validates the config and builds the HTTP client; no network traffic until the first call.
    pub fn new(config: ClientConfig) -> Result<Self> {
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err(PlatformError::Config { message: format!("org {:?}: client id and secret are required", config.org_label) });
        }
        let api_base = config.api_base()?;
        let token_url = format!("{}/oauth/token", config.login_base()?);
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeouts.connect)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|error| PlatformError::Config { message: format!("http client: {error}") })?;
        let reach = Arc::new(crate::reach::Reach::new(config.timeouts.connect));
        let token = Arc::new(TokenCache::new(
            http.clone(),
            token_url,
            config.client_id.clone(),
            config.client_secret.clone(),
            config.token,
            config.retry,
            config.timeouts.request,
            config.jitter_seed,
            reach.clone(),
        ));
        let limiter = AdaptiveLimiter::new(config.rate_limit);
        Ok(Self { inner: Arc::new(Inner { config, api_base, http, token, limiter, stats: Counters::default(), reach }) })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Counters since construction (shared by clones).
    pub fn stats(&self) -> ClientStats {
        let stats = &self.inner.stats;
        ClientStats {
            attempts: stats.attempts.load(Ordering::Relaxed),
            retries: stats.retries.load(Ordering::Relaxed),
            throttled: stats.throttled.load(Ordering::Relaxed),
            token_requests: self.inner.token.fetches(),
        }
    }

    /// Fetches a token now (to fail fast on bad credentials before a long run).
    pub async fn authenticate(&self) -> Result<()> {
        let deadline = Instant::now() + self.inner.config.timeouts.total;
        self.inner.token.get(deadline).await.map(|_| ())
    }

    /// Sends a call with auth, rate limiting and retries; see `retry` for what is retried.
    pub async fn send(&self, request: ApiRequest) -> Result<ApiResponse> {
        let inner = &self.inner;
        let policy = inner.config.retry;
        let started = Instant::now();
        let deadline = started + inner.config.timeouts.total.max(request.timeout.unwrap_or_default());
        let mut rng = inner.token.jitter.rng();
        let mut attempts = 0u32;
        let mut refreshed_for_401 = false;
        loop {
            attempts += 1;
            let permit = match inner.limiter.acquire(deadline).await {
                Ok(permit) => permit,
                Err(held) => return Err(PlatformError::RateLimited { retry_after: Some(held.wait) }),
            };
            let token = inner.token.get(deadline).await?;
            let timeout = inner.config.timeouts.request.max(request.timeout.unwrap_or_default()).min(deadline.saturating_duration_since(Instant::now()));
            inner.stats.attempts.fetch_add(1, Ordering::Relaxed);
            let credentials = transport::Credentials { token: &token.value, control_token: inner.config.control_token.as_ref() };
            let attempt = transport::send(&inner.http, &inner.api_base, &request, credentials, timeout).await;
            let (failure, retry_after, retryable) = match attempt {
                Attempt::Response { status, headers, body } => {
                    inner.reach.note_reached();
                    if let Some(snapshot) = rate_headers::parse(&headers, std::time::SystemTime::now()) {
                        inner.limiter.observe(snapshot);
                    }
                    drop(permit);
                    let etag = headers.get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    tracing::debug!(org = %inner.config.org_label, method = %request.method, path = %request.path_for_logs(), status, attempts, "platform call");
                    if (200..300).contains(&status) {
                        return Ok(ApiResponse { status, etag, body, resource: request.resource });
                    }
                    if status == 401 && !refreshed_for_401 {
                        // The token was revoked or expired early: refresh once, retry once, and
                        // do not count it as a retry.
                        refreshed_for_401 = true;
                        attempts -= 1;
                        inner.token.refresh(Some(token.generation), deadline).await?;
                        continue;
                    }
                    let retry_after = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
                    if status == 429 {
                        inner.stats.throttled.fetch_add(1, Ordering::Relaxed);
                        inner.limiter.throttled(retry_after);
                    }
                    let error = transport::status_error(status, &body, &request, retry_after);
                    let retryable = status_is_retryable(status, request.idempotent);
                    (error, retry_after, retryable)
                }
                Attempt::ConnectFailed(message) => {
                    if let Some(message) = inner.reach.give_up(started, &inner.api_base, &message) {
                        return Err(PlatformError::Transport { message });
                    }
                    (PlatformError::Transport { message }, None, true)
                }
                Attempt::TimedOut(after) => (PlatformError::Timeout { after }, None, request.idempotent),
                Attempt::Broken(message) => (PlatformError::Transport { message }, None, request.idempotent),
            };
            tracing::debug!(org = %inner.config.org_label, method = %request.method, path = %request.path_for_logs(), attempts, error = %failure, retryable, "platform call failed");
            if !retryable || attempts >= policy.max_attempts {
                return Err(failure);
            }
            let delay = inner.reach.cap_delay(policy.delay(attempts - 1, retry_after, &mut rng));
            if Instant::now() + delay >= deadline {
                return Err(match failure {
                    PlatformError::RateLimited { .. } => failure,
                    other => PlatformError::Deadline { attempts, elapsed: started.elapsed(), last: other.to_string() },
                });
            }
            tokio::time::sleep(delay).await;
            inner.stats.retries.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Platform for OrgClient {
    fn label(&self) -> &str {
        &self.inner.config.org_label
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        self.send(request).boxed()
    }
}

