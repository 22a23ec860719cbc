//! The org's own settings (`/organizations/me`): versioned (a stale `version` is refused), the
//! name required, language and country code kept unless sent. Used by the organization handler.

use super::{DomainError, check_version, require_name};
use crate::state::OrgStore;
use switchboard_api::organization::Organization;

pub fn update(org: &mut OrgStore, body: Organization) -> Result<Organization, DomainError> {
    let current = &mut org.org.organization;
    check_version("organization", body.version, current.version)?;
    require_name(&body.name)?;
    current.name = body.name;
    current.default_language = body.default_language.or(current.default_language.take());
    current.default_country_code = body.default_country_code.or(current.default_country_code.take());
    current.version += 1;
    Ok(current.clone())
}
