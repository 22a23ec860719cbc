//! Rate-limit header names: the real platform's and the seeds' extension.

/// Real platform: requests allowed in the window.
pub const ININ_ALLOWED: &str = "inin-ratelimit-allowed";
/// Real platform: requests counted so far in the window.
pub const ININ_COUNT: &str = "inin-ratelimit-count";
/// Real platform: seconds until the window resets.
pub const ININ_RESET: &str = "inin-ratelimit-reset";
/// Seed extension: requests allowed in the window.
pub const X_LIMIT: &str = "x-ratelimit-limit";
/// Seed extension: requests left in the window.
pub const X_REMAINING: &str = "x-ratelimit-remaining";
/// Seed extension: Unix time (seconds) at which the window resets.
pub const X_RESET: &str = "x-ratelimit-reset";
