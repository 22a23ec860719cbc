//! A session's token clock, pure: when to warn (85 % of the lifetime, seed 003 §3) and when the
//! token expires. A refresh replaces the clock; the socket stays.

use crate::jwt::Claims;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStep {
    WarnAt(Instant),
    ExpireAt(Instant),
}

/// The longest a token's deadline may lie ahead; later ones are treated as this far away.
const MAX_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

#[derive(Debug, Clone)]
pub struct AuthClock {
    warn_at: Instant,
    expires_at: Instant,
    warned: bool,
}

impl AuthClock {
    /// `now` and `now_epoch` are the same moment on the two clocks.
    pub fn new(claims: &Claims, fraction: f64, now: Instant, now_epoch: f64) -> Self {
        let issued = claims.iat.unwrap_or(now_epoch).min(now_epoch);
        let lifetime = (claims.exp - issued).max(0.0);
        // Claims come from the token: a far-future or absurd `exp`/`iat` (signed by a misconfigured
        // issuer) must not panic the session, so the wait is capped at a year from now.
        let at = |epoch: f64| {
            let wait = Duration::try_from_secs_f64((epoch - now_epoch).clamp(0.0, MAX_WAIT.as_secs_f64())).unwrap_or(MAX_WAIT);
            now.checked_add(wait).unwrap_or(now + MAX_WAIT)
        };
        AuthClock { warn_at: at(issued + lifetime * fraction.clamp(0.0, 1.0)), expires_at: at(claims.exp), warned: false }
    }

    pub fn next(&self) -> AuthStep {
        if self.warned { AuthStep::ExpireAt(self.expires_at) } else { AuthStep::WarnAt(self.warn_at) }
    }

    pub fn deadline(&self) -> Instant {
        match self.next() {
            AuthStep::WarnAt(at) | AuthStep::ExpireAt(at) => at,
        }
    }

    pub fn mark_warned(&mut self) {
        self.warned = true;
    }

    pub fn remaining(&self, now: Instant) -> Duration {
        self.expires_at.saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_at_85_percent_then_expires() {
        let now = Instant::now();
        let claims = Claims { sub: "a".into(), exp: 1_100.0, iat: Some(1_000.0) };
        let mut clock = AuthClock::new(&claims, 0.85, now, 1_000.0);
        assert_eq!(clock.next(), AuthStep::WarnAt(now + Duration::from_secs(85)));
        clock.mark_warned();
        assert_eq!(clock.next(), AuthStep::ExpireAt(now + Duration::from_secs(100)));
        assert_eq!(clock.remaining(now + Duration::from_secs(40)), Duration::from_secs(60));
    }

    #[test]
    fn absurd_claims_cap_the_deadline_instead_of_panicking() {
        let now = Instant::now();
        let claims = Claims { sub: "a".into(), exp: 1e300, iat: Some(-1e300) };
        let clock = AuthClock::new(&claims, 0.85, now, 1_000.0);
        assert_eq!(clock.deadline(), now + MAX_WAIT);
    }
}
