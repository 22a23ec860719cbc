//! A handler reads or writes the caller's org only: objects of other orgs are simply not there
//! (404), and a token whose org is gone is a 401.

use crate::error::ApiError;

/// Runs `read` on the caller's org; objects of other orgs are simply not there (404).
pub fn read<R>(
    directory: &crate::state::Directory,
    caller: &crate::state::Caller,
    read: impl FnOnce(&crate::state::OrgStore) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    directory
        .with_org(&caller.org_id, read)
        .unwrap_or_else(|| Err(ApiError::unauthorized("The token's organization no longer exists.")))
}

/// Runs `write` on the caller's org.
pub fn write<R>(
    directory: &crate::state::Directory,
    caller: &crate::state::Caller,
    write: impl FnOnce(&mut crate::state::OrgStore) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    directory
        .with_org_mut(&caller.org_id, write)
        .unwrap_or_else(|| Err(ApiError::unauthorized("The token's organization no longer exists.")))
}
