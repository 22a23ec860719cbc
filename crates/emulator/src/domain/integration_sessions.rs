//! Integration sessions (seed 001, edge case 3): a conversation's first data action on an
//! integration opens a session; the session closes when the flow ends, or — for an integration
//! whose middleware keeps connections (`terminateSessions: false` in its configuration
//! properties) — only through the seed's `POST /api/v2/integrations/{id}/terminate`. A flow that
//! never ends, or a keeping integration, leaks sessions, which is what the review's session
//! hygiene check looks for. Counts are per org and integration and only ever grow, so a test reads
//! opened/terminated before and after a run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use switchboard_api::integration::IntegrationSessionCounts;

/// Open sessions kept per org and integration; beyond it the oldest is dropped and counted in
/// `evicted` (a leak that large has long failed any review).
pub const OPEN_SESSIONS_MAX: usize = 100_000;

/// The integration configuration property that, set to `false`, keeps sessions open after the
/// flow ends (an emulator convention: the real platform's properties are free-form).
pub const KEEP_PROPERTY: &str = "terminateSessions";

#[derive(Debug, Default, Clone)]
struct Counts {
    /// Open sessions by conversation id, with their opening order for eviction.
    open: BTreeMap<String, u64>,
    order: BTreeSet<(u64, String)>,
    opened: u64,
    terminated: u64,
    evicted: u64,
}

/// The pure book: (org id, integration id) → sessions.
#[derive(Debug, Default)]
pub struct SessionBook {
    integrations: BTreeMap<(String, String), Counts>,
    sequence: u64,
}

impl SessionBook {
    /// Opens the conversation's session with the integration; a second open is the same session.
    pub fn open(&mut self, org_id: &str, integration_id: &str, conversation_id: &str) {
        self.sequence += 1;
        let sequence = self.sequence;
        let counts = self.integrations.entry((org_id.to_string(), integration_id.to_string())).or_default();
        if counts.open.contains_key(conversation_id) {
            return;
        }
        counts.open.insert(conversation_id.to_string(), sequence);
        counts.order.insert((sequence, conversation_id.to_string()));
        counts.opened += 1;
        while counts.open.len() > OPEN_SESSIONS_MAX {
            let Some(oldest) = counts.order.pop_first() else { break };
            counts.open.remove(&oldest.1);
            counts.evicted += 1;
        }
    }

    /// The flow of a conversation ended: closes its sessions with every integration for which
    /// `closes_at_flow_end` is true. Returns how many closed.
    pub fn flow_ended(&mut self, org_id: &str, conversation_id: &str, closes_at_flow_end: impl Fn(&str) -> bool) -> u64 {
        let mut closed = 0;
        for ((org, integration), counts) in self.integrations.iter_mut() {
            if org == org_id && closes_at_flow_end(integration) && close(counts, conversation_id) {
                closed += 1;
            }
        }
        closed
    }

    /// Terminates the integration's sessions: one conversation's, or all when `conversation_id`
    /// is `None`. Returns how many closed.
    pub fn terminate(&mut self, org_id: &str, integration_id: &str, conversation_id: Option<&str>) -> u64 {
        let Some(counts) = self.integrations.get_mut(&(org_id.to_string(), integration_id.to_string())) else { return 0 };
        match conversation_id {
            Some(conversation_id) => u64::from(close(counts, conversation_id)),
            None => {
                let all = counts.open.len() as u64;
                counts.open.clear();
                counts.order.clear();
                counts.terminated += all;
                all
            }
        }
    }

    /// Counts of one integration (zeros when it never opened a session).
    pub fn counts(&self, org_id: &str, integration_id: &str) -> IntegrationSessionCounts {
        let counts = self.integrations.get(&(org_id.to_string(), integration_id.to_string())).cloned().unwrap_or_default();
        summary(org_id, integration_id, &counts)
    }

    /// Counts of every integration that opened a session, of one org or of all.
    pub fn all(&self, org_id: Option<&str>) -> Vec<IntegrationSessionCounts> {
        self.integrations
            .iter()
            .filter(|((org, _), _)| org_id.is_none_or(|wanted| wanted == org))
            .map(|((org, integration), counts)| summary(org, integration, counts))
            .collect()
    }

    /// Forgets everything (`/_emulator/reset`).
    pub fn clear(&mut self) {
        self.integrations.clear();
    }
}

fn close(counts: &mut Counts, conversation_id: &str) -> bool {
    let Some(sequence) = counts.open.remove(conversation_id) else { return false };
    counts.order.remove(&(sequence, conversation_id.to_string()));
    counts.terminated += 1;
    true
}

fn summary(org_id: &str, integration_id: &str, counts: &Counts) -> IntegrationSessionCounts {
    IntegrationSessionCounts {
        organization_id: org_id.to_string(),
        integration_id: integration_id.to_string(),
        opened: counts.opened,
        terminated: counts.terminated,
        open: counts.open.len() as u64,
        evicted: counts.evicted,
    }
}

/// Whether an integration's sessions close when the flow ends (the default) or stay open until
/// terminated (`terminateSessions: false`).
pub fn closes_at_flow_end(integration: &switchboard_api::integration::Integration) -> bool {
    let keep = integration.config.as_ref().and_then(|config| config.current.properties.get(KEEP_PROPERTY));
    !matches!(keep, Some(serde_json::Value::Bool(false)))
        && !matches!(keep, Some(serde_json::Value::String(text)) if text.eq_ignore_ascii_case("false"))
}

/// The book behind a lock, shared by the contact center and the handlers.
#[derive(Debug, Default)]
pub struct Sessions(Mutex<SessionBook>);

impl Sessions {
    pub fn book(&self) -> MutexGuard<'_, SessionBook> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn open(&self, org_id: &str, integration_id: &str, conversation_id: &str) {
        self.book().open(org_id, integration_id, conversation_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_end_closes_only_integrations_that_close_at_flow_end() {
        let mut book = SessionBook::default();
        book.open("org", "crm", "c1");
        book.open("org", "crm", "c1");
        book.open("org", "leaky", "c1");
        assert_eq!(book.flow_ended("org", "c1", |integration| integration != "leaky"), 1);
        let crm = book.counts("org", "crm");
        assert_eq!((crm.opened, crm.terminated, crm.open), (1, 1, 0));
        let leaky = book.counts("org", "leaky");
        assert_eq!((leaky.opened, leaky.terminated, leaky.open), (1, 0, 1));
        assert_eq!(book.terminate("org", "leaky", None), 1);
        assert_eq!(book.counts("org", "leaky").open, 0);
        assert_eq!(book.terminate("org", "leaky", None), 0);
    }

    #[test]
    fn terminate_one_conversation_leaves_the_others_open() {
        let mut book = SessionBook::default();
        book.open("org", "crm", "c1");
        book.open("org", "crm", "c2");
        book.open("other", "crm", "c3");
        assert_eq!(book.terminate("org", "crm", Some("c2")), 1);
        assert_eq!(book.terminate("org", "crm", Some("c2")), 0);
        let counts = book.counts("org", "crm");
        assert_eq!((counts.opened, counts.terminated, counts.open), (2, 1, 1));
        assert_eq!(book.all(Some("other")).len(), 1);
        assert_eq!(book.all(None).len(), 2);
    }
}
