//! `switchboard.yaml`: environments (target and where credentials are found; never a secret),
//! orgs (name, parent), deployment groups in promotion order (seed 002's manifest: `group`,
//! `org_ids`, `components`) and policies. Unknown keys are errors with their line.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub type Variables = BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub environments: BTreeMap<String, EnvironmentSpec>,
    pub orgs: Vec<OrgDecl>,
    /// Deployment groups in promotion order: each is one stage of an apply.
    pub groups: Vec<GroupSpec>,
    #[serde(default)]
    pub policies: Policies,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    pub target: TargetSpec,
    #[serde(default)]
    pub credentials: CredentialsSpec,
    /// The first layer of template variables (then the group's, then the org's).
    #[serde(default)]
    pub variables: Variables,
    /// Logical org name → the org's name on this target, where they differ.
    #[serde(default)]
    pub orgs: BTreeMap<String, String>,
    /// Where the journal lives: a path (SQLite) or a `postgres://` URL.
    #[serde(default)]
    pub journal: Option<String>,
}

/// A real platform (`base_url`, `login_url`) or the embedded emulator (`emulator: true`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub login_url: Option<String>,
    #[serde(default)]
    pub emulator: bool,
}

/// How credentials are found: a mounted `{"orgs":[...]}` file, else the environment variables
/// `SWITCHBOARD_ORG_<NAME>_CLIENT_ID` / `_CLIENT_SECRET`. Literal secrets have no field here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsSpec {
    #[serde(default)]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgDecl {
    pub name: Spanned<String>,
    #[serde(default)]
    pub parent: Option<Spanned<String>>,
    #[serde(default)]
    pub variables: Variables,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub group: Spanned<String>,
    pub org_ids: Vec<Spanned<String>>,
    pub components: Vec<Spanned<String>>,
    #[serde(default)]
    pub variables: Variables,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policies {
    /// Orgs applied at once within a stage.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    #[serde(default)]
    pub approval: ApprovalPolicy,
    #[serde(default)]
    pub canary: CanaryPolicy,
}

impl Default for Policies {
    fn default() -> Self {
        Self { concurrency: default_concurrency(), approval: ApprovalPolicy::default(), canary: CanaryPolicy::default() }
    }
}

fn default_concurrency() -> usize {
    8
}

/// Which changes need `--approve` (seed 002: routing weights, trunk/failover paths, and
/// membership changes touching many agents).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    #[serde(default = "yes")]
    pub routing_weights: bool,
    #[serde(default = "yes")]
    pub trunks: bool,
    /// A queue membership change adding or removing more agents than this needs approval.
    #[serde(default = "default_members")]
    pub queue_members_over: usize,
    /// Deletes (with `--prune`) need approval.
    #[serde(default = "yes")]
    pub deletes: bool,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self { routing_weights: true, trunks: true, queue_members_over: default_members(), deletes: true }
    }
}

fn yes() -> bool {
    true
}

fn default_members() -> usize {
    10
}

/// Org canary settings (seed 002 §4), read by `apply --canary` (`canary::CanarySettings`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanaryPolicy {
    #[serde(default = "default_percent")]
    pub percent: u32,
    #[serde(default = "default_window")]
    pub window: String,
    /// Later expansion steps in percent of each group's orgs, each judged like the first
    /// (e.g. `[50, 100]`); 100 is always the last. Default: straight to 100.
    #[serde(default)]
    pub steps: Vec<u32>,
    #[serde(default = "default_abandonment")]
    pub abandonment_relative_increase: f64,
    #[serde(default = "default_asa")]
    pub asa_increase_seconds: f64,
}

impl Default for CanaryPolicy {
    fn default() -> Self {
        Self { percent: default_percent(), window: default_window(), steps: Vec::new(), abandonment_relative_increase: default_abandonment(), asa_increase_seconds: default_asa() }
    }
}

fn default_percent() -> u32 {
    10
}
fn default_window() -> String {
    "15m".to_string()
}
fn default_abandonment() -> f64 {
    0.15
}
fn default_asa() -> f64 {
    10.0
}
