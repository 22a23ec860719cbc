//! The bearer-token cache of one org: client-credentials grant, single-flight refresh (N callers
//! waiting on an empty cache cause exactly one token request), a background refresh at a fraction
//! of the lifetime (seed 002: 80%), and a refresh-once path for a 401.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use switchboard_api::auth::{OAuthError, TokenResponse};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::TokenPolicy;
use crate::error::{PlatformError, Result};
use crate::retry::{JitterSeeds, RetryPolicy, parse_retry_after};
use crate::secret::Secret;

#[derive(Debug)]
pub(crate) struct CachedToken {
    pub value: Secret,
    /// Increments with every fetch; a 401 names the generation it used so only the first of
    /// many concurrent 401s triggers a refresh.
    pub generation: u64,
    pub expires_at: Instant,
    pub refresh_at: Instant,
    /// Considered expired this long before `expires_at`, to absorb latency.
    pub skew: Duration,
}

impl CachedToken {
    fn usable(&self, now: Instant) -> bool {
        now + self.skew < self.expires_at
    }
}

#[derive(Debug)]
pub(crate) struct TokenCache {
    pub http: reqwest::Client,
    pub token_url: String,
    pub client_id: String,
    pub secret: Secret,
    pub policy: TokenPolicy,
    pub retry: RetryPolicy,
    pub request_timeout: Duration,
    /// The client's jitter generators (shared with its calls; seeded from the config).
    pub jitter: JitterSeeds,
    /// Whether the server was ever reached; bounds connect-failure retries (`reach.rs`).
    reach: Arc<crate::reach::Reach>,
    current: Mutex<Option<Arc<CachedToken>>>,
    refresh_lock: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
    refresher_started: AtomicBool,
    shutdown: Arc<Notify>,
}

impl Drop for TokenCache {
    fn drop(&mut self) {
        // Wakes the background refresher so it exits now instead of at its next timer.
        self.shutdown.notify_one();
    }
}

impl TokenCache {
    // One call site (`OrgClient::new`), each argument a piece of the client's config.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: String,
        client_id: String,
        secret: Secret,
        policy: TokenPolicy,
        retry: RetryPolicy,
        request_timeout: Duration,
        jitter_seed: u64,
        reach: Arc<crate::reach::Reach>,
    ) -> Self {
        Self {
            http,
            token_url,
            client_id,
            secret,
            policy,
            retry,
            request_timeout,
            jitter: JitterSeeds::new(jitter_seed),
            reach,
            current: Mutex::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            refresher_started: AtomicBool::new(false),
            shutdown: Arc::new(Notify::new()),
        }
    }

    /// Token requests sent so far (diagnostics and tests).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn cached(&self) -> Option<Arc<CachedToken>> {
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// A usable token, fetching one (single-flight) if the cache is empty or expired.
    pub async fn get(self: &Arc<Self>, deadline: Instant) -> Result<Arc<CachedToken>> {
        if let Some(token) = self.cached().filter(|t| t.usable(Instant::now())) {
            return Ok(token);
        }
        self.refresh(None, deadline).await
    }

    /// Replaces the token unless it changed since `seen_generation` (another caller already
    /// refreshed). `None` refreshes only if the cache holds nothing usable.
    pub async fn refresh(self: &Arc<Self>, seen_generation: Option<u64>, deadline: Instant) -> Result<Arc<CachedToken>> {
        let _guard = tokio::time::timeout_at(deadline, self.refresh_lock.lock())
            .await
            .map_err(|_| PlatformError::Timeout { after: Duration::ZERO })?;
        if let Some(token) = self.cached() {
            let already_replaced = seen_generation.is_some_and(|seen| token.generation != seen);
            if already_replaced || (seen_generation.is_none() && token.usable(Instant::now())) {
                return Ok(token);
            }
        }
        let token = Arc::new(self.fetch(deadline).await?);
        *self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(token.clone());
        self.start_refresher();
        Ok(token)
    }

    async fn fetch(&self, deadline: Instant) -> Result<CachedToken> {
        let mut rng = self.jitter.rng();
        let mut retry = 0u32;
        let first_attempt = Instant::now();
        loop {
            let started = Instant::now();
            let outcome = self.fetch_once(deadline).await;
            let retry_after = match outcome {
                Ok(response) => return Ok(self.cache_entry(response, started)),
                Err(TokenAttempt::Fatal(error)) => return Err(error),
                Err(TokenAttempt::Unreached(error)) => match self.reach.give_up(first_attempt, &self.token_url, &error) {
                    Some(message) => return Err(PlatformError::Transport { message }),
                    None if retry + 1 >= self.retry.max_attempts => {
                        return Err(PlatformError::Transport { message: format!("token request to {}: {error}", self.token_url) });
                    }
                    None => None,
                },
                Err(TokenAttempt::Retry { error, .. }) if retry + 1 >= self.retry.max_attempts => return Err(error),
                Err(TokenAttempt::Retry { retry_after, .. }) => retry_after,
            };
            let delay = self.reach.cap_delay(self.retry.delay(retry, retry_after, &mut rng));
            if Instant::now() + delay >= deadline {
                return Err(PlatformError::Deadline { attempts: retry + 1, elapsed: Duration::ZERO, last: "token request kept failing".into() });
            }
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    fn cache_entry(&self, response: TokenResponse, started: Instant) -> CachedToken {
        let generation = self.fetches.load(Ordering::Relaxed);
        let lifetime = Duration::from_secs(response.expires_in.max(1));
        let fraction = self.policy.refresh_fraction.clamp(0.1, 0.95);
        CachedToken {
            value: Secret::new(response.access_token),
            generation,
            // Measured from when we asked, so our clock runs out no later than the server's.
            expires_at: started + lifetime,
            refresh_at: started + lifetime.mul_f64(fraction),
            skew: (lifetime / 10).min(Duration::from_secs(5)),
        }
    }

    async fn fetch_once(&self, deadline: Instant) -> Result<TokenResponse, TokenAttempt> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(url = %self.token_url, client_id = %self.client_id, "requesting token");
        let timeout = self.request_timeout.min(deadline.saturating_duration_since(Instant::now()));
        let sent = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.secret.expose()))
            .form(&[("grant_type", "client_credentials")])
            .timeout(timeout)
            .send()
            .await;
        let response = match sent {
            Ok(response) => {
                self.reach.note_reached();
                response
            }
            Err(error) if error.is_connect() => return Err(TokenAttempt::Unreached(crate::transport::describe(&error.without_url()))),
            // Asking twice for a token is harmless, so every transport failure is retried.
            Err(error) => return Err(TokenAttempt::Retry { retry_after: None, error: PlatformError::Transport { message: format!("token request to {}: {}", self.token_url, error.without_url()) } }),
        };
        let status = response.status().as_u16();
        let mut retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        let window = crate::rate_headers::parse(response.headers(), std::time::SystemTime::now());
        let body = response.bytes().await.map_err(|error| TokenAttempt::Retry { retry_after: None, error: PlatformError::Transport { message: format!("token response: {}", error.without_url()) } })?;
        if status == 200 {
            return serde_json::from_slice(&body).map_err(|error| TokenAttempt::Fatal(PlatformError::Decode { what: "token response".into(), message: error.to_string() }));
        }
        let oauth: Option<OAuthError> = serde_json::from_slice(&body).ok();
        let message = oauth
            .as_ref()
            .map(|e| format!("{} {}", e.error, e.error_description.as_deref().or(e.description.as_deref()).unwrap_or("")).trim().to_owned())
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
        // The real token endpoint answers a rate-limited client with 400 invalid_request; tell it
        // from a real 400 by a Retry-After or rate-limit headers showing an exhausted window.
        let exhausted = window.filter(|w| w.remaining == 0).map(|w| w.reset_in);
        let throttled = status == 429 || (status == 400 && (retry_after.is_some() || exhausted.is_some()));
        retry_after = retry_after.or(exhausted);
        if throttled || matches!(status, 500 | 502 | 503 | 504) {
            return Err(TokenAttempt::Retry { retry_after, error: PlatformError::Server { status, body: format!("token endpoint: {message}") } });
        }
        Err(TokenAttempt::Fatal(match status {
            400 | 401 | 403 => PlatformError::Unauthorized { message: format!("token endpoint refused client {}: {message}", self.client_id) },
            _ => PlatformError::Server { status, body: format!("token endpoint: {message}") },
        }))
    }

    /// Starts (once) the task that refreshes the token at `refresh_at`, holding only a weak
    /// reference so dropping the last client ends it.
    fn start_refresher(self: &Arc<Self>) {
        if self.refresher_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                let Some(cache) = weak.upgrade() else { return };
                let Some(token) = cache.cached() else { return };
                drop(cache);
                tokio::select! {
                    () = tokio::time::sleep_until(token.refresh_at) => {}
                    () = shutdown.notified() => return,
                }
                let Some(cache) = weak.upgrade() else { return };
                let deadline = token.expires_at.max(Instant::now() + Duration::from_secs(5));
                if let Err(error) = cache.refresh(Some(token.generation), deadline).await {
                    // Callers fall back to a blocking refresh once the old token expires.
                    tracing::warn!(error = %error, "background token refresh failed");
                    drop(cache);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
    }
}

enum TokenAttempt {
    Retry { retry_after: Option<Duration>, error: PlatformError },
    Fatal(PlatformError),
    /// Nothing reached the server (the connection failed or timed out); the text says why.
    Unreached(String),
}
