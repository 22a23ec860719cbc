//! The emulator's own control surface (`/_emulator/*`): fault rules and request counters.
//! Not part of the platform's API; only the emulator serves it (never under `--strict`), only to
//! loopback peers that send its control credential (`CONTROL_TOKEN_HEADER`).

use serde::{Deserialize, Serialize};

/// A fault rule. Matching: `org` (id or name; any when absent), `method` (any when absent) and
/// `path`, a glob where `*` matches within one path segment and `**` matches across segments.
/// Effects apply in order: latency (with jitter), then hang, reset, or status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Assigned by the emulator when absent.
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub path: String,
    /// Answer with this status (and a Genesys error body) instead of the real handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Added delay before the request proceeds (or before the fault status is answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Uniform extra delay in `0..=jitter_ms` added to `latency_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<u64>,
    /// Never answer; the client's timeout is what ends the request.
    #[serde(default)]
    pub hang: bool,
    /// Close the TCP connection without answering (with SO_LINGER 0, so the peer sees a reset).
    #[serde(default)]
    pub reset: bool,
    /// Chance in `0..=1` that a matching request is faulted (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Apply to at most this many requests, then stop (the rule stays listed with `remaining: 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Seed of the rule's random draws (probability, jitter); derived from the id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Filled in by the emulator: how many more times the rule applies (`None` = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Filled in by the emulator: how many requests the rule has faulted.
    #[serde(default)]
    pub applied: u64,
}

/// `GET /_emulator/faults`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRuleList {
    pub rules: Vec<FaultRule>,
}

/// One row of `GET /_emulator/counters`: requests seen per org, method and route template
/// (`/api/v2/users/{userId}`; requests no route took are counted under `unmatched`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounter {
    /// Org id, or `-` when the request carried no valid token.
    pub org: String,
    pub method: String,
    /// The route template, not the concrete path, so the counters stay bounded.
    pub path: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounters {
    pub counters: Vec<RequestCounter>,
}

impl RequestCounters {
    /// Requests counted for `method` on `path`, summed over orgs.
    pub fn count(&self, method: &str, path: &str) -> u64 {
        self.counters
            .iter()
            .filter(|counter| counter.method.eq_ignore_ascii_case(method) && counter.path == path)
            .map(|counter| counter.count)
            .sum()
    }
}

/// `PUT /_emulator/capacity` (and its `GET ?org=`): what an org bought and its limits, so a test
/// can make licences or quotas run out. A PUT merges: the licences and limit keys it names are
/// set, the rest stay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapacitySettings {
    /// Org id or name.
    pub org: String,
    /// Licence id → seats bought.
    #[serde(default)]
    pub seats: std::collections::BTreeMap<String, u64>,
    /// Namespace → limit key → value, over the emulator's defaults.
    #[serde(default)]
    pub limits: std::collections::BTreeMap<String, std::collections::BTreeMap<String, i64>>,
}

/// The header that carries the emulator's control credential on every `/_emulator/*` request.
/// Where a request came from (loopback or not) is no authorisation: a data action's endpoint can
/// make the emulator itself call its own control surface.
pub const CONTROL_TOKEN_HEADER: &str = "x-switchboard-control-token";

/// The environment variable that sets an emulator's control credential (`..._FILE`: read it from
/// a file), for `switchboard emulator` and for a target that drives an emulator's control surface.
pub const CONTROL_TOKEN_ENV: &str = "SWITCHBOARD_EMULATOR_CONTROL_TOKEN";
