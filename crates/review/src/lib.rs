//! The reliability review (seed 001): every check a launch needs, run automatically, as findings
//! with stable codes and reports a CI system shows natively (JSON, JUnit XML, Markdown, a table).
//!
//! `finding` is the data model; `static_checks` runs the model's one validator over flows;
//! `report` renders. Live checks reach the platform only through `platform::Platform`.

pub mod catalog;
pub mod drills;
pub mod engine;
pub mod failure_modes;
pub mod finding;
pub mod hygiene;
pub mod integrations;
pub mod latency;
pub mod live;
pub mod locks;
pub mod quota;
pub mod report;
pub mod static_checks;

pub use engine::{FlowRef, ReviewConfig, run};
pub use finding::{Check, CheckRun, CheckStatus, Finding, Outcome, Review, Severity};
