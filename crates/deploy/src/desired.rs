//! The desired state of an environment, rendered from a config repository: per org, resources
//! as provider-neutral JSON documents that may still hold `$ref{...}` references.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::key::{Reference, ResourceKey};

/// Where a resource or reference was written, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{}", self.file, self.line)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    pub key: ResourceKey,
    /// The fields we manage, in the provider's document shape; strings may hold `$ref{...}`.
    pub body: Value,
    /// Every resource this one needs first: its references and its `depends_on`.
    pub depends_on: Vec<Dependency>,
    pub source: Source,
}

/// A reference (or `depends_on` entry) and where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub reference: Reference,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredOrg {
    /// The logical org name of the config.
    pub org: String,
    /// The org's name on the target (the environment may map logical names).
    pub target_org: String,
    pub group: String,
    /// Position of the org's group in promotion order (0 = first stage).
    pub stage: usize,
    pub parent: Option<String>,
    pub resources: Vec<DesiredResource>,
}

/// Everything one environment should hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    pub environment: String,
    /// Orgs in stage order, then manifest order.
    pub orgs: Vec<DesiredOrg>,
}

impl Desired {
    pub fn org(&self, name: &str) -> Option<&DesiredOrg> {
        self.orgs.iter().find(|org| org.org == name)
    }
}
