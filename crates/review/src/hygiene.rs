//! Session hygiene (seed 001, edge case 3): integration sessions that data actions open must close.
//! The emulator books them (`GET /api/v2/integrations/{id}/sessions`, an extension with the
//! seed's `POST /api/v2/integrations/{id}/terminate`); a real org has no such API, so there the
//! check reports itself not applicable rather than passing.
//!
//! The counts only grow, so the check reads them when the live checks start and again after an
//! observation window. A leak is: sessions open at the start that are still open at the end (at
//! least `open_end − opened_during` of them), or sessions opened in the window with none closed.
//! The window (default 3 s) must be longer than the flows' longest time in IVR, or calls still in
//! their flows at the end count as leaks.

use crate::finding::{Check, Finding, Severity};
use crate::integrations::{ProbeTarget, subject};
use switchboard_platform::api::integration::IntegrationSessionCounts;
use switchboard_platform::{Platform, PlatformError, PlatformExt};

/// Counts per integration at one moment; `None` when the platform has no session API.
pub async fn snapshot<P: Platform + ?Sized>(platform: &P, targets: &[ProbeTarget]) -> Result<Option<Vec<IntegrationSessionCounts>>, PlatformError> {
    let mut counts = Vec::new();
    for target in targets {
        match platform.integrations().session_counts(&target.integration_id).await {
            Ok(found) => counts.push(found),
            // A real org (or a --strict emulator) has no session API.
            Err(PlatformError::NotFound { .. } | PlatformError::Unsupported { .. }) => return Ok(None),
            Err(error) => return Err(error),
        }
    }
    Ok(Some(counts))
}

pub fn judge(targets: &[ProbeTarget], before: &[IntegrationSessionCounts], after: &[IntegrationSessionCounts]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ((target, start), end) in targets.iter().zip(before).zip(after) {
        let opened = end.opened.saturating_sub(start.opened);
        let terminated = end.terminated.saturating_sub(start.terminated);
        let survivors = end.open.saturating_sub(opened).min(start.open);
        let evidence = vec![
            format!("at start: opened {}, terminated {}, open {}", start.opened, start.terminated, start.open),
            format!("at end: opened {}, terminated {}, open {}, evicted {}", end.opened, end.terminated, end.open, end.evicted),
            format!("GET /api/v2/integrations/{}/sessions", target.integration_id),
        ];
        let message = if survivors > 0 {
            Some(format!("{survivors} session(s) open when the review started were still open at its end; calls that ended left their sessions open"))
        } else if opened > 0 && terminated == 0 {
            Some(format!("{opened} session(s) opened during the review and none closed"))
        } else {
            None
        };
        if let Some(message) = message {
            findings.push(Finding {
                check: Check::SessionHygiene,
                code: "session-leak".into(),
                severity: Severity::Error,
                subject: subject(target),
                message,
                evidence,
            });
        }
    }
    findings
}
