//! What an org bought and what it may use: licence seats, who holds which licence, and the
//! organization limits (`/api/v2/license/*`, `/api/v2/organizations/limits/*`). Every user holds
//! the org's default licence unless a batch assignment took it away; seats are checked when a
//! licence is assigned, so "assigned vs seats" is what really happened. Limits are the values the
//! emulator enforces (its rate limit, the notification service's channel and topic caps) unless a
//! test overrode them through `/_emulator/capacity`.

use super::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use switchboard_api::emulator::CapacitySettings;
use switchboard_api::license::{LicenseSeats, LicenseUpdateStatus};
use switchboard_api::organization::Limit;

/// The licence every user of an org holds unless it was removed.
pub const DEFAULT_LICENSE: &str = "cloudCX3";

/// Licence ids, limit namespaces and keys a test may name (bounded key space).
pub const LICENSES_MAX: usize = 64;
pub const LIMIT_KEYS_MAX: usize = 256;

/// Stored with the org (`--state-dir` keeps it in the org's header).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgCapacity {
    /// Licence id → seats bought. The default licence's seats are the topology's `licenses`.
    #[serde(default)]
    pub seats: BTreeMap<String, u64>,
    /// User id → licences beyond the default one.
    #[serde(default)]
    pub extra: BTreeMap<String, BTreeSet<String>>,
    /// Users whose default licence was removed.
    #[serde(default)]
    pub without_default: BTreeSet<String>,
    /// Namespace → key → value set by a test.
    #[serde(default)]
    pub limit_overrides: BTreeMap<String, BTreeMap<String, i64>>,
}

/// The limits the emulator enforces, by namespace, as the real platform names them.
pub struct EnforcedLimits {
    pub requests_per_token_per_minute: u32,
    pub channels_per_client: usize,
    pub topics_per_channel: usize,
}

impl EnforcedLimits {
    fn defaults(&self) -> BTreeMap<String, BTreeMap<String, i64>> {
        let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        out.entry("platform.api".into())
            .or_default()
            .insert("client.credentials.token.rate.per.minute".into(), i64::from(self.requests_per_token_per_minute));
        let notifications = out.entry("notifications".into()).or_default();
        notifications.insert("channels.max".into(), self.channels_per_client as i64);
        notifications.insert("channel.topics.max".into(), self.topics_per_channel as i64);
        out
    }
}

impl OrgCapacity {
    /// Seats of a licence: set ones, else the default licence's `default_seats`, else none.
    pub fn seats_of(&self, license: &str, default_seats: u64) -> u64 {
        self.seats.get(license).copied().unwrap_or(if license == DEFAULT_LICENSE { default_seats } else { 0 })
    }

    /// The licences a user holds.
    pub fn licenses_of(&self, user_id: &str) -> Vec<String> {
        let mut licenses = BTreeSet::new();
        if !self.without_default.contains(user_id) {
            licenses.insert(DEFAULT_LICENSE.to_string());
        }
        if let Some(extra) = self.extra.get(user_id) {
            licenses.extend(extra.iter().cloned());
        }
        licenses.into_iter().collect()
    }

    /// Every licence the org knows: the default, those with seats, those assigned.
    pub fn license_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.seats.keys().cloned().collect();
        ids.insert(DEFAULT_LICENSE.to_string());
        ids.extend(self.extra.values().flatten().cloned());
        ids
    }

    /// Seats, holders and what is left per licence, over the org's users.
    pub fn seat_report<'a>(&self, users: impl Iterator<Item = &'a str> + Clone, default_seats: u64) -> Vec<LicenseSeats> {
        self.license_ids()
            .into_iter()
            .map(|license| {
                let assigned = users.clone().filter(|user| self.licenses_of(user).contains(&license)).count() as u64;
                let seats = self.seats_of(&license, default_seats);
                LicenseSeats { available: seats.saturating_sub(assigned), id: license, seats, assigned }
            })
            .collect()
    }

    /// Adds or removes one user's licence; adding needs a free seat. `users` are the org's users.
    pub fn assign<'a>(
        &mut self,
        users: impl Iterator<Item = &'a str> + Clone,
        default_seats: u64,
        license: &str,
        user_id: &str,
        add: bool,
    ) -> LicenseUpdateStatus {
        let status = |result: &str| LicenseUpdateStatus { user_id: user_id.to_string(), license_id: license.to_string(), result: result.to_string() };
        if !users.clone().any(|user| user == user_id) {
            return status("FAILURE: user not found");
        }
        let holds = self.licenses_of(user_id).iter().any(|held| held == license);
        if add {
            if holds {
                return status("SUCCESS");
            }
            let assigned = users.filter(|user| self.licenses_of(user).iter().any(|held| held == license)).count() as u64;
            if assigned >= self.seats_of(license, default_seats) {
                return status("FAILURE: no seat left for this license");
            }
            if license == DEFAULT_LICENSE {
                self.without_default.remove(user_id);
            } else {
                self.extra.entry(user_id.to_string()).or_default().insert(license.to_string());
            }
        } else if license == DEFAULT_LICENSE {
            self.without_default.insert(user_id.to_string());
        } else if let Some(extra) = self.extra.get_mut(user_id) {
            extra.remove(license);
            if extra.is_empty() {
                self.extra.remove(user_id);
            }
        }
        status("SUCCESS")
    }

    /// Namespace names, sorted.
    pub fn namespaces(&self, enforced: &EnforcedLimits) -> Vec<String> {
        let mut names: BTreeSet<String> = enforced.defaults().into_keys().collect();
        names.extend(self.limit_overrides.keys().cloned());
        names.into_iter().collect()
    }

    /// A namespace's limits (overrides over defaults); `None` when the namespace is unknown.
    pub fn limits(&self, namespace: &str, enforced: &EnforcedLimits, defaults_only: bool) -> Option<Vec<Limit>> {
        let defaults = enforced.defaults();
        let mut values = defaults.get(namespace).cloned();
        if !defaults_only && let Some(overrides) = self.limit_overrides.get(namespace) {
            values.get_or_insert_with(BTreeMap::new).extend(overrides.iter().map(|(key, value)| (key.clone(), *value)));
        }
        values.map(|values| {
            values.into_iter().map(|(key, value)| Limit { key, namespace: namespace.to_string(), value }).collect()
        })
    }

    /// Forgets users that no longer exist (kept bounded by the user table).
    pub fn retain_users(&mut self, exists: impl Fn(&str) -> bool) {
        self.extra.retain(|user, _| exists(user));
        self.without_default.retain(|user| exists(user));
    }
}

/// An org's licence seats and limit overrides as `/_emulator/capacity` shows them.
pub fn settings_of(org: &crate::state::OrgStore) -> CapacitySettings {
    let mut seats = org.capacity.seats.clone();
    seats.entry(DEFAULT_LICENSE.to_string()).or_insert(org.license_total);
    CapacitySettings { org: org.id().to_string(), seats, limits: org.capacity.limit_overrides.clone() }
}

/// Merges seats and limit overrides into the org's; the default licence's seats are the org's
/// licence total. Refused as a whole (nothing changes) past `LICENSES_MAX` licences or
/// `LIMIT_KEYS_MAX` limit keys.
pub fn set(org: &mut crate::state::OrgStore, body: &CapacitySettings) -> Result<CapacitySettings, DomainError> {
    let licenses = org.capacity.seats.keys().chain(body.seats.keys()).collect::<BTreeSet<_>>().len();
    let limit_keys: BTreeSet<(&String, &String)> = org
        .capacity
        .limit_overrides
        .iter()
        .chain(body.limits.iter())
        .flat_map(|(namespace, values)| values.keys().map(move |key| (namespace, key)))
        .collect();
    if licenses > LICENSES_MAX || limit_keys.len() > LIMIT_KEYS_MAX {
        return Err(DomainError::Invalid(format!("at most {LICENSES_MAX} licences and {LIMIT_KEYS_MAX} limit keys per org")));
    }
    for (license, seats) in &body.seats {
        if license == DEFAULT_LICENSE {
            org.license_total = *seats;
        }
        org.capacity.seats.insert(license.clone(), *seats);
    }
    for (namespace, values) in &body.limits {
        org.capacity.limit_overrides.entry(namespace.clone()).or_default().extend(values.iter().map(|(key, value)| (key.clone(), *value)));
    }
    Ok(settings_of(org))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENFORCED: EnforcedLimits = EnforcedLimits { requests_per_token_per_minute: 300, channels_per_client: 20, topics_per_channel: 1_000 };

    #[test]
    fn seats_are_checked_when_assigning_and_reported_as_used() {
        let users = ["a", "b", "c"];
        let mut capacity = OrgCapacity::default();
        capacity.seats.insert("wem".into(), 1);
        let report = capacity.seat_report(users.iter().copied(), 5);
        let default = report.iter().find(|seats| seats.id == DEFAULT_LICENSE).expect("default licence");
        assert_eq!((default.seats, default.assigned, default.available), (5, 3, 2));
        assert_eq!(capacity.assign(users.iter().copied(), 5, "wem", "a", true).result, "SUCCESS");
        assert!(capacity.assign(users.iter().copied(), 5, "wem", "b", true).result.starts_with("FAILURE"));
        assert!(capacity.assign(users.iter().copied(), 5, "wem", "zed", true).result.starts_with("FAILURE"));
        assert_eq!(capacity.assign(users.iter().copied(), 5, DEFAULT_LICENSE, "c", false).result, "SUCCESS");
        assert_eq!(capacity.licenses_of("a"), ["cloudCX3", "wem"]);
        assert!(capacity.licenses_of("c").is_empty());
        // Three users, two seats: the third cannot get the default licence back.
        assert!(capacity.assign(users.iter().copied(), 2, DEFAULT_LICENSE, "c", true).result.starts_with("FAILURE"));
    }

    #[test]
    fn limits_are_the_enforced_ones_unless_overridden() {
        let mut capacity = OrgCapacity::default();
        let api = capacity.limits("platform.api", &ENFORCED, false).expect("platform.api");
        assert_eq!(api[0].value, 300);
        capacity.limit_overrides.entry("platform.api".into()).or_default().insert("client.credentials.token.rate.per.minute".into(), 50);
        capacity.limit_overrides.entry("integrations".into()).or_default().insert("actions.max".into(), 10);
        assert_eq!(capacity.limits("platform.api", &ENFORCED, false).expect("api")[0].value, 50);
        assert_eq!(capacity.limits("platform.api", &ENFORCED, true).expect("defaults")[0].value, 300);
        assert!(capacity.limits("integrations", &ENFORCED, true).is_none());
        assert_eq!(capacity.namespaces(&ENFORCED), ["integrations", "notifications", "platform.api"]);
        assert!(capacity.limits("nope", &ENFORCED, false).is_none());
    }
}
