//! `ReadCompareWrite`: converge one object on a desired state without clobbering someone else's
//! concurrent change where the platform lets us detect it.
//!
//! Each round reads the object (with its ETag when the server sends one), asks the caller what
//! it should become, and writes only if that differs. The write is conditional whenever the
//! platform offers a guard: the ETag as `If-Match` (seed extension) or the body `version` the
//! caller copies from what was read (users, DIDs, IVRs, trunks, the org). A 409/412 means
//! someone else wrote in between: read again and recompute, up to `max_rounds`.
//!
//! The race that remains: for objects nothing versions (queues and data tables on a real org or
//! a `--strict` emulator) the write is unconditional, so a change another client makes between
//! our read and our write is silently overwritten. The window is one round trip; we do not
//! pretend to close it. Callers that must not lose such edits should re-read after writing and
//! report a difference as drift.

use std::future::Future;

use crate::error::{PlatformError, Result};
use crate::typed::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCompareWrite {
    /// Read-compute-write rounds before giving up on a contended object.
    pub max_rounds: u32,
}

impl Default for ReadCompareWrite {
    fn default() -> Self {
        Self { max_rounds: 5 }
    }
}

/// What `ReadCompareWrite::run` did.
#[derive(Debug, Clone, PartialEq)]
pub enum RcwOutcome<T> {
    /// The object already matched; nothing was written.
    Unchanged(T),
    /// Written after `conflicts` lost races.
    Written { value: T, conflicts: u32 },
}

impl ReadCompareWrite {
    /// `read` fetches the current object; `desired` returns `None` if it is already right, or the
    /// object to write (with the body `version` carried over from what was read); `write` sends
    /// it, using the ETag when one is given.
    pub async fn run<T, Read, ReadFut, Desired, Write, WriteFut>(&self, mut read: Read, mut desired: Desired, mut write: Write) -> Result<RcwOutcome<T>>
    where
        Read: FnMut() -> ReadFut,
        ReadFut: Future<Output = Result<Versioned<T>>>,
        Desired: FnMut(&T) -> Option<T>,
        Write: FnMut(T, Option<String>) -> WriteFut,
        WriteFut: Future<Output = Result<T>>,
    {
        let mut conflicts = 0;
        loop {
            let current = read().await?;
            let Some(target) = desired(&current.value) else {
                return Ok(RcwOutcome::Unchanged(current.value));
            };
            match write(target, current.etag).await {
                Ok(value) => return Ok(RcwOutcome::Written { value, conflicts }),
                Err(error) if error.is_conflict() && conflicts + 1 < self.max_rounds => conflicts += 1,
                Err(error) if error.is_conflict() => {
                    return Err(PlatformError::Conflict {
                        resource: "object".into(),
                        id: None,
                        message: format!("still conflicting after {} rounds: {error}", conflicts + 1),
                    });
                }
                Err(error) => return Err(error),
            }
        }
    }
}
