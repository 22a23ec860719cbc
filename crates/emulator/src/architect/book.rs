//! The emulator's Architect jobs: registered, uploaded, running, finished. Bounded: the oldest
//! jobs are forgotten first, as the real platform expires its job records.

use std::collections::{HashMap, VecDeque};
use switchboard_api::EntityRef;
use switchboard_api::architect::{ArchitectJobMessage, job_status};

/// Jobs kept at once across all orgs; registering more forgets the oldest.
pub const MAX_JOBS: usize = 2_000;

#[derive(Debug, Clone)]
pub enum JobKind {
    /// A publish job: waits for its upload, then runs.
    Publish {
        /// The client that registered the job; the flow is created and published as this client.
        client: EntityRef,
    },
    /// An export job of one flow version. The YAML is made when it is downloaded, so a kept job
    /// holds a reference, never a document (jobs are bounded in number, and so in memory).
    Export { flow_id: String, version_id: String, file_name: String },
}

#[derive(Debug, Clone)]
pub struct Job {
    pub org_id: String,
    /// The secret part of the presigned URL; the upload or download is refused without it.
    pub signature: String,
    pub status: &'static str,
    pub messages: Vec<ArchitectJobMessage>,
    pub flow: Option<EntityRef>,
    pub kind: JobKind,
}

#[derive(Debug, Default)]
pub struct JobBook {
    jobs: HashMap<String, Job>,
    order: VecDeque<String>,
}

impl JobBook {
    pub fn insert(&mut self, id: String, job: Job) {
        while self.order.len() >= MAX_JOBS {
            if let Some(oldest) = self.order.pop_front() {
                self.jobs.remove(&oldest);
            }
        }
        self.order.push_back(id.clone());
        self.jobs.insert(id, job);
    }

    /// The job, only when it belongs to `org_id` (another org's job does not exist for the caller).
    pub fn get(&self, org_id: &str, id: &str) -> Option<&Job> {
        self.jobs.get(id).filter(|job| job.org_id == org_id)
    }

    /// The job behind a presigned URL, when the signature matches.
    pub fn signed(&self, id: &str, signature: &str) -> Option<&Job> {
        self.jobs.get(id).filter(|job| constant_time_equal(job.signature.as_bytes(), signature.as_bytes()))
    }

    pub fn update(&mut self, id: &str, change: impl FnOnce(&mut Job)) {
        if let Some(job) = self.jobs.get_mut(id) {
            change(job);
        }
    }

    /// Moves a registered job to `Started`; false when it was not waiting (a second upload).
    pub fn start(&mut self, id: &str) -> bool {
        match self.jobs.get_mut(id) {
            Some(job) if job.status == job_status::REGISTERED => {
                job.status = job_status::STARTED;
                true
            }
            _ => false,
        }
    }
}

/// Compares signatures without leaking where they differ through timing.
fn constant_time_equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
}
