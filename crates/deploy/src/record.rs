//! Placeholder until the journal lands.
