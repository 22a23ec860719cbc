//! The one HTTP client for requests the emulator sends on a tenant's behalf: data actions (flows
//! and the data-action test) and integration health checks. A tenant chooses the URL, so the
//! client guards where it goes: never to this emulator's own listener except its fake CRM
//! (`/crm/...`), checked before sending and on every redirect hop; a host name other than
//! `localhost` never resolves to a loopback, unspecified or own address (so DNS cannot rebind a
//! checked name onto the control surface); connects time out; answers are read up to a limit.
//! The control surface also needs its credential, which this client never sends: two locks.

use crate::limits;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Redirect hops a tenant's endpoint may take, each checked like the first URL.
const REDIRECTS_MAX: usize = 5;

/// The emulator's own listening addresses (set once bound).
#[derive(Clone, Default)]
struct OwnAddresses(Arc<RwLock<Vec<SocketAddr>>>);

impl OwnAddresses {
    fn list(&self) -> Vec<SocketAddr> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Whether a connection to `target` would reach one of our listeners. A listener on the
    /// unspecified address takes every local address, so there any address on its port counts
    /// (over-refusing a remote host on that port is the safe side).
    fn reaches(&self, target: SocketAddr) -> bool {
        self.list().iter().any(|own| {
            own.port() == target.port()
                && (own.ip() == target.ip()
                    || own.ip().is_unspecified()
                    || target.ip().is_unspecified()
                    || (own.ip().is_loopback() && target.ip().is_loopback()))
        })
    }

    /// Whether `url` is allowed as far as can be told without resolving a name: a literal address
    /// or `localhost` on our listener may only be the fake CRM.
    fn allows(&self, url: &Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused(format!("endpoint {}: only http and https endpoints can be called", redacted(url))));
        }
        let Some(port) = url.port_or_known_default() else {
            return Err(Refused(format!("endpoint {}: no port", redacted(url))));
        };
        let Some(host) = url.host_str() else {
            return Err(Refused(format!("endpoint {}: no host", redacted(url))));
        };
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>();
        let targets: Vec<IpAddr> = match literal {
            Ok(ip) => vec![ip],
            Err(_) if is_localhost(host) => vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])],
            // Other names are guarded when they resolve (`GuardedResolver`).
            Err(_) => Vec::new(),
        };
        let own = targets.into_iter().any(|ip| self.reaches(SocketAddr::new(ip, port)));
        if own && !url.path().starts_with(crate::crm::PATH_PREFIX) {
            return Err(Refused(format!(
                "endpoint {}: the emulator itself is reachable from a data action or health check only at its fake CRM ({}...)",
                redacted(url),
                crate::crm::PATH_PREFIX
            )));
        }
        Ok(())
    }
}

fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// A URL for messages: without its query (which a tenant may have filled with anything).
fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Why a request was not sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves names with the system resolver, dropping addresses a name other than `localhost`
/// must not lead to: loopback, unspecified and our own. Literal addresses never come here.
struct GuardedResolver {
    own: OwnAddresses,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let own = self.own.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.clone(), 0)).await?.collect();
            if is_localhost(&host) {
                return Ok(Box::new(resolved.into_iter()) as Addrs);
            }
            let own_ips: Vec<IpAddr> = own.list().iter().map(SocketAddr::ip).collect();
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| !address.ip().is_loopback() && !address.ip().is_unspecified() && !own_ips.contains(&address.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(Refused(format!("{host} resolves only to loopback or to the emulator itself; use the literal address"))) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The guarded client. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    http: reqwest::Client,
    own: OwnAddresses,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound::new()
    }
}

impl Outbound {
    pub fn new() -> Outbound {
        let own = OwnAddresses::default();
        let hops = own.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= REDIRECTS_MAX {
                return attempt.error(Refused(format!("more than {REDIRECTS_MAX} redirects")));
            }
            match hops.allows(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        });
        let http = reqwest::Client::builder()
            .redirect(redirects)
            .connect_timeout(Duration::from_millis(limits::OUTBOUND_CONNECT_TIMEOUT_MS))
            .dns_resolver(Arc::new(GuardedResolver { own: own.clone() }))
            .build()
            .unwrap_or_default();
        Outbound { http, own }
    }

    /// Marks `addr` as one of this emulator's listeners (called once bound).
    pub fn guard_listener(&self, addr: SocketAddr) {
        self.own.0.write().unwrap_or_else(std::sync::PoisonError::into_inner).push(addr);
    }

    /// A request to a tenant-chosen `url`, or why it may not be sent.
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        let parsed = Url::parse(url).map_err(|error| Refused(format!("endpoint URL is not a URL: {error}")))?;
        self.own.allows(&parsed)?;
        Ok(self.http.request(method, parsed))
    }
}

/// Reads a remote answer up to `limits::REMOTE_BODY_BYTES_MAX`, chunk by chunk, so an endpoint
/// cannot make the emulator hold more.
pub async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|length| length > limits::REMOTE_BODY_BYTES_MAX as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limits::REMOTE_BODY_BYTES_MAX {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug)]
pub enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge => write!(formatter, "the answer is larger than {} bytes", limits::REMOTE_BODY_BYTES_MAX),
            BodyError::Read(error) => write!(formatter, "reading the answer: {error}"),
        }
    }
}
