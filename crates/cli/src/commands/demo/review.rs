//! The demo's review part: `switchboard review` on a flow with a planted defect
//! (`examples/demo/review-defect.yaml`: a CRM retry loop with no bound, a timeout past the SLA)
//! catches it — static rules, a fault drill's call path, live CRM probes through the data-action
//! test call, the flow's lock taken and released — then passes the fixed flow.

use super::flows::repository_file;
use anyhow::{Context, bail};
use serde::Serialize;
use switchboard_platform::OrgClient;
use switchboard_review::static_checks::FlowText;
use switchboard_review::{Check, FlowRef, Outcome, ReviewConfig, report};

const DEFECT: &str = "examples/demo/review-defect.yaml";
const FIXED: &str = "examples/demo/review-fixed.yaml";

#[derive(Debug, Serialize)]
pub struct ReviewSummary {
    pub defect_outcome: Outcome,
    pub defect_codes: Vec<String>,
    pub fixed_outcome: Outcome,
}

fn config(org: &str, file: &str) -> anyhow::Result<ReviewConfig> {
    let path = repository_file(file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut config = ReviewConfig::new(org, vec![FlowRef::Text(FlowText { origin: file.to_string(), text })]);
    // Session hygiene needs a window of live traffic; the demo keeps to the quick checks.
    config.checks = [Check::StaticValidation, Check::LatencySla, Check::FailureModes, Check::FlowLocks].into_iter().collect();
    Ok(config)
}

pub async fn run(client: &OrgClient, org: &str, print: bool) -> anyhow::Result<ReviewSummary> {
    let defect = switchboard_review::run(client, &config(org, DEFECT)?, std::future::pending::<()>()).await;
    let mut codes: Vec<String> = defect.findings.iter().map(|finding| finding.code.clone()).collect();
    codes.dedup();
    if print {
        println!("\n== reliability review: a planted defect ({DEFECT}) ==");
        for line in report::table(&defect).lines().filter(|line| !line.is_empty()) {
            println!("  {line}");
        }
        if let Some(drill) = defect.findings.iter().find(|finding| finding.code == "fault-retries-forever") {
            println!("  the fault drill's call path (503 always):");
            for line in drill.evidence.iter().take(4) {
                println!("    {line}");
            }
        }
    }
    if defect.outcome != Outcome::Fail || !codes.iter().any(|code| code == "retry-unbounded") {
        bail!("the review did not catch the planted defect (outcome {:?}, codes {codes:?})", defect.outcome);
    }
    let fixed = switchboard_review::run(client, &config(org, FIXED)?, std::future::pending::<()>()).await;
    if print {
        println!(
            "  after the fix ({FIXED}): {} ({} errors, {} warnings); exit code {}",
            match fixed.outcome {
                Outcome::Pass => "PASS",
                Outcome::Fail => "FAIL",
                Outcome::CouldNotRun => "COULD NOT RUN",
            },
            fixed.errors(),
            fixed.warnings(),
            fixed.outcome.exit_code()
        );
    }
    if fixed.outcome != Outcome::Pass {
        bail!("the fixed flow does not pass the review: {:?}", fixed.findings.iter().map(|finding| &finding.code).collect::<Vec<_>>());
    }
    Ok(ReviewSummary { defect_outcome: defect.outcome, defect_codes: codes, fixed_outcome: fixed.outcome })
}
