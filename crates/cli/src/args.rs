//! Command-line flags. Doc comments here are the `--help` text.

use crate::output::OutputFormat;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Config-as-code, safe releases and reliable middleware for Genesys Cloud contact centers.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version)]
pub struct Arguments {
    /// Output format for results.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Log progress to stderr (or set SWITCHBOARD_LOG=debug).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Genesys-Cloud-compatible platform emulator.
    Emulator(EmulatorArgs),
    /// Show the organization tree of a target environment.
    Orgs(TargetArgs),
    /// Run a virtual-time contact-center day from a scenario file and print its metrics.
    Simulate(SimulateArgs),
    /// Start an embedded emulator and show everything Switchboard can do so far.
    Demo(DemoArgs),
    /// Run the CRM bridge (screen pops, activity logging); configured only by BRIDGE_*
    /// environment variables and *_FILE secrets (docs/bridge.md).
    Bridge(BridgeArgs),
    /// Run the WebSocket gateway: agent desktops multiplexed over pooled notification channels.
    Gateway(GatewayArgs),
    /// Archy YAML flows: validate, publish (through Architect jobs), export, convert.
    Flow(FlowArgs),
    /// Show what applying the config repository would change in each org (docs/deploy.md).
    Plan(PlanArgs),
    /// Apply a saved plan or the config repository, stage by stage, org by org.
    Apply(ApplyArgs),
    /// Restore the snapshots a deployment took, then prove the orgs match them again.
    Rollback(RollbackArgs),
    /// List deployments recorded in the journal.
    History(HistoryArgs),
    /// Write a config repository from an org's live state.
    Export(ExportArgs),
    /// List out-of-band changes to managed resources; exit code 3 when there are any.
    Drift(DriftArgs),
    /// The reliability review of flows and integrations before a launch (docs/review.md):
    /// exit 0 pass, 1 fail, 2 could not run.
    Review(ReviewArgs),
    /// The quality gate over a config repository: validate → deploy to the sandbox (plan +
    /// apply) → review → approval → deploy to production, stopping at the first failure with the report.
    Pipeline(PipelineArgs),
    /// Blue-green and canary IVR releases through a Traffic Cop, judged on live calls (docs/rollout.md).
    Rollout(RolloutArgs),
}

/// What a review checks and how strictly (seed 001 defaults).
#[derive(Debug, Args, Clone)]
pub struct ReviewPolicyArgs {
    /// Run only these checks (repeatable): static_validation, latency_sla, failure_modes,
    /// quota_headroom, flow_locks, session_hygiene, environment_parity. Default: all.
    #[arg(long = "check", value_name = "CHECK")]
    pub checks: Vec<String>,
    /// Latency SLA in milliseconds (p95 of the probes, and the data-action timeout ceiling).
    #[arg(long, default_value_t = 4000)]
    pub sla_ms: u64,
    /// A per-integration SLA, INTEGRATION=MS (repeatable).
    #[arg(long = "integration-sla", value_name = "INTEGRATION=MS")]
    pub integration_sla: Vec<String>,
    /// Probes per integration.
    #[arg(long, default_value_t = 5)]
    pub probes: usize,
    /// The HTTP status a healthy integration answers with.
    #[arg(long, default_value_t = 200)]
    pub expected_status: u16,
    /// Fail when less than this percentage of a licence or limit is available.
    #[arg(long, default_value_t = 10.0)]
    pub min_headroom_percent: f64,
    /// The feature's projected peak use of each licence or limit (NAME=COUNT, repeatable).
    #[arg(long = "projected-peak", value_name = "NAME=COUNT")]
    pub projected_peak: Vec<String>,
    /// Longest a call may spend in its flows in a fault drill before it reaches a queue,
    /// voicemail or disconnect (ms).
    #[arg(long, default_value_t = 60_000)]
    pub budget_ms: u64,
    /// Compare each integration's latency with this environment (an org of the same target);
    /// a gap over 200 ms is a warning.
    #[arg(long)]
    pub parity_env: Option<String>,
    /// An org whose objects the reviewed org's flows may name (a hub's global queues, shared
    /// flows, integrations), repeatable. The org's known ancestors are added by themselves.
    #[arg(long = "shared-org", value_name = "ORG")]
    pub shared_orgs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The environment (an org of the target, by name or id) to review against.
    #[arg(long = "env")]
    pub environment: String,
    /// A flow file (Archy YAML or our format) or the name of a flow in the org (repeatable).
    #[arg(long = "flow", value_name = "NAME|FILE")]
    pub flows: Vec<String>,
    /// Write review.json, junit.xml and summary.md here.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    #[command(flatten)]
    pub policy: ReviewPolicyArgs,
    #[command(flatten)]
    pub substitution: SubstitutionArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub command: RolloutCommand,
}

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Set a flow up for rollouts (idempotent): NAME_Blue and NAME_Green slots, the
    /// Deployment_Control table, the Traffic Cop, DIDs repointed, an optional smoke-test DID.
    Init(RolloutInitArgs),
    /// Publish a candidate to the idle slot (after the schema gate) and shift traffic step by step,
    /// judging every interval; runs until promoted or aborted unless --detach.
    Start(RolloutStartArgs),
    /// Resume the controller of a started rollout (after a crash or --detach).
    Run(RolloutFlowArgs),
    /// Weights, per-version calls, abandonment, the last verdict.
    Status(RolloutStatusArgs),
    /// Make the candidate active now (the slots swap).
    Promote(RolloutFlowArgs),
    /// Send no new calls to the candidate, at once.
    Abort(RolloutAbortArgs),
    /// Hold the current weight; intervals are not judged.
    Pause(RolloutFlowArgs),
    /// Continue a paused rollout.
    Resume(RolloutFlowArgs),
    /// Every event of the flow's rollouts from the journal.
    History(RolloutFlowArgs),
}

/// The flow, its org, the journal and the platform.
#[derive(Debug, Args, Clone)]
pub struct RolloutFlowArgs {
    /// The org (name or id).
    #[arg(long)]
    pub org: String,
    /// The IVR flow's name (the slots are NAME_Blue and NAME_Green).
    #[arg(long)]
    pub flow: String,
    /// Journal location: a SQLite path or a postgres:// URL (shared with deploy).
    #[arg(long, env = "SWITCHBOARD_JOURNAL", default_value = "switchboard-journal.db")]
    pub journal: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// The sandbox environment (switchboard.yaml `environments`): deployed, then reviewed.
    #[arg(long, default_value = "sandbox")]
    pub sandbox: String,
    /// The production environment (switchboard.yaml `environments`): deployed after approval.
    #[arg(long, default_value = "prod")]
    pub production: String,
    /// Approve the promotion to production without asking (CI approves by running the job).
    #[arg(long)]
    pub approve: bool,
    /// Write each stage's reports here (review.json, junit.xml, summary.md, pipeline.json).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    #[command(flatten)]
    pub policy: ReviewPolicyArgs,
    /// The config repository, its journal, and an optional target override.
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct RolloutInitArgs {
    #[command(flatten)]
    pub flow: RolloutFlowArgs,
    /// A hidden DID that reaches the candidate slot directly, for smoke tests.
    #[arg(long)]
    pub smoke_did: Option<String>,
}

#[derive(Debug, Args)]
pub struct RolloutStartArgs {
    #[command(flatten)]
    pub flow: RolloutFlowArgs,
    /// The candidate flow file (Archy YAML or our format).
    #[arg(long = "from")]
    pub file: PathBuf,
    /// Policy YAML (steps, interval_ms, alpha, harm_ratio, min_events, min_calls_per_step...); flags win.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Candidate weights in percent, e.g. 5,25,50,100 (reaching 100 promotes).
    #[arg(long, value_delimiter = ',')]
    pub steps: Option<Vec<u8>>,
    /// Analysis interval in seconds.
    #[arg(long)]
    pub interval_seconds: Option<f64>,
    /// Error rate of the whole judgement under continuous monitoring.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Candidate calls per step before it may pass.
    #[arg(long)]
    pub min_calls: Option<u64>,
    /// Start and return; `rollout run` drives it.
    #[arg(long)]
    pub detach: bool,
    /// Place the smoke test's calls through the target's `/_emulator/calls` (the target is a
    /// switchboard emulator; automatic for the embedded one). Without it the smoke test is not
    /// applicable on a real org, which has no API for a synthetic inbound call.
    #[arg(long)]
    pub smoke_via_emulator: bool,
}

#[derive(Debug, Args)]
pub struct RolloutStatusArgs {
    #[command(flatten)]
    pub flow: RolloutFlowArgs,
    /// Refresh every second until the rollout ends.
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct RolloutAbortArgs {
    #[command(flatten)]
    pub flow: RolloutFlowArgs,
    /// Why (recorded in the history).
    #[arg(long, default_value = "aborted by the operator")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct FlowArgs {
    #[command(subcommand)]
    pub command: FlowCommand,
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Check flow files offline (Archy YAML or our format): every diagnostic with file and line.
    Validate(FlowValidateArgs),
    /// Publish a flow file to an org through an Architect job.
    Publish(FlowPublishArgs),
    /// Export an org's flow as Archy YAML through an Architect export job.
    Export(FlowExportArgs),
    /// Convert a flow file between Archy YAML and our flow format.
    Convert(FlowConvertArgs),
}

/// `{{name}}` substitutions for Archy templates (Archy's options file, CX-as-Code's `substitutions`).
#[derive(Debug, Args, Clone, Default)]
pub struct SubstitutionArgs {
    /// A substitution NAME=VALUE (repeatable); wins over --substitutions.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// YAML or JSON file of substitutions: a map, or Archy's options file with a `substitutions:` map.
    #[arg(long, value_name = "FILE")]
    pub substitutions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FlowValidateArgs {
    /// Flow files (Archy YAML or our format).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub substitution: SubstitutionArgs,
}

#[derive(Debug, Args)]
pub struct FlowPublishArgs {
    /// The flow file (Archy YAML or our format).
    pub file: PathBuf,
    /// The org to publish to (name or id).
    #[arg(long)]
    pub org: String,
    #[command(flatten)]
    pub substitution: SubstitutionArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct FlowExportArgs {
    /// The org the flow is in (name or id).
    #[arg(long)]
    pub org: String,
    /// The flow's name.
    #[arg(long)]
    pub flow: String,
    /// Write the YAML here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowFormat {
    /// Archy YAML, as `archy` and Architect read it.
    Archy,
    /// Switchboard's own flow format.
    Switchboard,
}

#[derive(Debug, Args)]
pub struct FlowConvertArgs {
    /// The flow file to convert.
    pub file: PathBuf,
    /// The format to convert to.
    #[arg(long, value_enum)]
    pub to: FlowFormat,
    /// Write the result here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub substitution: SubstitutionArgs,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Topology YAML (orgs, queues, agents, flows); the default topology when absent.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Generate a large hub-and-spoke estate instead of the default topology: ORGS:RESOURCES
    /// (the hub included; about RESOURCES objects per org), e.g. `50:200`.
    #[arg(long, value_name = "ORGS:RESOURCES", conflicts_with = "config")]
    pub topology_scale: Option<switchboard_emulator::ScaleSpec>,
    /// Seed of the generated estate: the same seed gives the same estate.
    #[arg(long, default_value_t = switchboard_emulator::DEFAULT_SCALE_SEED, requires = "topology_scale")]
    pub topology_seed: u64,
    /// Directory where state persists across restarts; every acknowledged write is on disk
    /// (SQLite) before the answer is sent.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Write the development credentials of every org to this JSON file.
    #[arg(long)]
    pub credentials_out: Option<PathBuf>,
    /// Write the control credential (what `/_emulator/*` requires in `x-switchboard-control-token`)
    /// to this file, readable by the owner only; tools read it through
    /// SWITCHBOARD_EMULATOR_CONTROL_TOKEN_FILE. The credential is SWITCHBOARD_EMULATOR_CONTROL_TOKEN
    /// (or _FILE) when set, else random per process. Without this flag it is printed (text output).
    #[arg(long)]
    pub control_token_file: Option<PathBuf>,
    /// Serve only what the real platform serves (no ETag, no X-RateLimit-*, no seed-only endpoints).
    #[arg(long)]
    pub strict: bool,
    /// Requests per minute allowed per token.
    #[arg(long, default_value_t = 300)]
    pub rate_limit: u32,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 86_400)]
    pub token_lifetime: u64,
    /// Start Poisson call arrivals on a number: ORG/DID=CALLS_PER_MINUTE (repeatable), e.g.
    /// `na-east-1/+13175550000=2`. Change or stop them later through /_emulator/traffic.
    #[arg(long = "traffic", value_name = "ORG/DID=RATE")]
    pub traffic: Vec<String>,
    /// Run the call traffic this many times faster than the wall clock.
    #[arg(long, default_value_t = 1.0)]
    pub speed_up: f64,
    /// Also serve the fake CRM over TLS on this address (needs --crm-tls-cert and --crm-tls-key).
    #[arg(long, requires_all = ["crm_tls_cert", "crm_tls_key"])]
    pub crm_tls_listen: Option<SocketAddr>,
    /// PEM certificate chain for the CRM's TLS listener.
    #[arg(long)]
    pub crm_tls_cert: Option<PathBuf>,
    /// PEM private key for the CRM's TLS listener (read from a mounted file, never logged).
    #[arg(long)]
    pub crm_tls_key: Option<PathBuf>,
    /// PEM CA bundle: when given, the CRM requires client certificates signed by it (mutual TLS).
    #[arg(long, requires = "crm_tls_listen")]
    pub crm_client_ca: Option<PathBuf>,
}

/// Which platform to talk to. Without any of these, an embedded emulator is started.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// Target config YAML: `base_url`, optional `login_url`, `credentials_file`, `orgs: [{name, id}]`;
    /// secrets from SWITCHBOARD_ORG_<NAME>_CLIENT_ID / _CLIENT_SECRET.
    #[arg(long, env = "SWITCHBOARD_TARGET", conflicts_with_all = ["base_url", "credentials"])]
    pub target: Option<PathBuf>,
    /// API base URL, e.g. https://api.mypurecloud.com or http://127.0.0.1:8080.
    #[arg(long, env = "SWITCHBOARD_BASE_URL")]
    pub base_url: Option<String>,
    /// Credentials JSON file ({"orgs":[{"id","name","parentId","clientId","clientSecret"}]}).
    #[arg(long, env = "SWITCHBOARD_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
    /// Seconds to wait for a connection to the platform; a target that cannot be reached within
    /// it (every retry included) fails the command at once instead of retrying for a minute.
    #[arg(long, env = "SWITCHBOARD_CONNECT_TIMEOUT", value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub connect_timeout: u64,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario YAML file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Random seed; the same seed gives the same day.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seconds of live (wall-clock) calls to show.
    #[arg(long, default_value_t = 20)]
    pub live_seconds: u64,
}

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Address agent desktops connect to (WebSocket; TLS with --tls-cert and --tls-key).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Address of /health/live, /health/ready and /metrics.
    #[arg(long, default_value = "127.0.0.1:9464")]
    pub admin_listen: SocketAddr,
    /// PEM certificate chain; re-read when it changes (a Kubernetes secret swap included).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key, re-read with the certificate.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// JWT key file (an HS256 secret, or an RS256 PEM `PUBLIC KEY`), or a directory of them (file name = kid); repeatable; re-read on change.
    #[arg(long = "jwt-keys", required = true)]
    pub jwt_keys: Vec<PathBuf>,
    /// Org (name in the credentials) whose OAuth client holds the upstream channels; repeat with
    /// further clients of the same org when 20 channels per client are not enough.
    #[arg(long = "org", default_value = "na-east-1")]
    pub orgs: Vec<String>,
    /// Upstream channels kept open even when idle.
    #[arg(long, default_value_t = 1)]
    pub min_channels: usize,
    /// Pre-warm before a known burst: HH:MM=CHANNELS (UTC, daily; repeatable), e.g. 08:55=6.
    #[arg(long = "prewarm", value_name = "HH:MM=CHANNELS")]
    pub prewarm: Vec<String>,
    /// Seconds over which sessions are closed on SIGTERM.
    #[arg(long, default_value_t = 30)]
    pub drain_seconds: u64,
    /// Set SO_REUSEPORT so several gateway processes share --listen.
    #[arg(long)]
    pub reuse_port: bool,
    /// Concurrent connections allowed from one source address.
    #[arg(long, default_value_t = 256)]
    pub connections_per_address: usize,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct BridgeArgs {
    /// Validate the BRIDGE_* configuration and exit.
    #[arg(long)]
    pub check_config: bool,
}

/// Where the config repository, the journal and the platform are.
#[derive(Debug, Args, Clone)]
pub struct DeployArgs {
    /// The config repository (holds switchboard.yaml).
    #[arg(long, default_value = ".", env = "SWITCHBOARD_CONFIG")]
    pub config: PathBuf,
    /// The journal: a path (SQLite; relative to the current directory) or a postgres:// URL;
    /// default: the environment's `journal` (relative to CONFIG), else CONFIG/.switchboard/journal.db.
    #[arg(long, env = "SWITCHBOARD_JOURNAL")]
    pub journal: Option<String>,
    /// Override the environment's target (e.g. a running emulator): --base-url and --credentials.
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The environment (switchboard.yaml `environments`).
    #[arg(long)]
    pub env: String,
    /// Plan deletes of managed resources the config no longer declares.
    #[arg(long)]
    pub prune: bool,
    /// Plan only these orgs (repeatable).
    #[arg(long = "org")]
    pub orgs: Vec<String>,
    /// Save the plan for `switchboard apply PLAN`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 0 when nothing would change, 2 when something would (for CI).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// List every unchanged resource (by default each org shows their count).
    #[arg(long)]
    pub show_unchanged: bool,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`; without it, plan --env first.
    pub plan: Option<PathBuf>,
    #[arg(long, required_unless_present_any = ["plan", "resume"])]
    pub env: Option<String>,
    /// Finish deployment ID (after a crash): only its unfinished orgs.
    #[arg(long, value_name = "ID", conflicts_with = "plan")]
    pub resume: Option<String>,
    /// Take over the environment's lease first (the previous apply is known to be dead).
    #[arg(long)]
    pub break_lease: bool,
    /// Approve changes the policy flags (routing weights, trunks, many agents, deletes).
    #[arg(long)]
    pub approve: bool,
    /// Overwrite managed fields changed by hand instead of keeping them.
    #[arg(long)]
    pub force: bool,
    /// Stop every org at the first failed one.
    #[arg(long)]
    pub fail_fast: bool,
    /// Delete managed resources the config no longer declares (with --env).
    #[arg(long)]
    pub prune: bool,
    /// Org canary: apply to this share of each group's orgs first (e.g. 10%), judge their calls,
    /// then expand or roll them back (docs/deploy.md § org canary). Without a value: policies.canary.
    #[arg(long, value_name = "PERCENT", num_args = 0..=1, default_missing_value = "", conflicts_with = "resume")]
    pub canary: Option<String>,
    /// The canary's observation window (e.g. 15m); default policies.canary.window.
    #[arg(long, requires = "canary")]
    pub window: Option<String>,
    /// Apply only these orgs (repeatable).
    #[arg(long = "org")]
    pub orgs: Vec<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The deployment id (see `switchboard history`).
    pub id: String,
    /// Take over the environment's lease first (a killed apply or rollback is known to be dead).
    #[arg(long)]
    pub break_lease: bool,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this environment's deployments.
    #[arg(long)]
    pub env: Option<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The org to export (its logical name in the config, or its name on the target).
    #[arg(long)]
    pub org: String,
    /// Where to write the repository.
    #[arg(long)]
    pub dir: PathBuf,
    /// The environment whose target to read (with --config); or give --base-url/--credentials.
    #[arg(long)]
    pub env: Option<String>,
    /// The org's parent, whose objects it may reference (repeatable).
    #[arg(long = "parent")]
    pub parents: Vec<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[arg(long)]
    pub env: String,
    #[command(flatten)]
    pub deploy: DeployArgs,
}
