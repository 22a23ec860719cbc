//! A fake CRM served by the emulator (`/crm/*`), the external system data actions and the
//! bridge talk to: contacts looked up by phone number, activities created idempotently by a
//! client key, and a status endpoint. It sits behind the same fault rules as the platform API
//! (with no org), and can also listen on its own TLS or mutual-TLS socket ([`tls`]).
//!
//! Contacts: any number in the test range `+1555…` (the numbers traffic generates) is a known
//! contact with a tier derived from the number (10% gold, 30% silver, 60% basic); others only
//! once created with `POST /crm/contacts`.

pub mod routes;
pub mod tls;

pub use routes::routes;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use switchboard_api::crm::{Activity, Contact, NewActivity};

/// Every path the fake CRM serves starts with this; the only part of the emulator's own listener
/// a data action or health check may call (`crate::outbound`).
pub const PATH_PREFIX: &str = "/crm/";

/// Placeholder host in topology endpoint URLs, replaced by the emulator's address once bound.
pub const EMULATOR_HOST_PLACEHOLDER: &str = "http://emulator.invalid";

#[derive(Debug, Default)]
struct Books {
    contacts: BTreeMap<String, Contact>,
    activities: BTreeMap<String, Activity>,
    /// Idempotency key → activity id.
    keys: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct Crm {
    books: Mutex<Books>,
}

/// Whether an activity was created by this request or replayed from an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    New(Activity),
    Replayed(Activity),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("idempotency key '{0}' was already used with a different request body")]
pub struct KeyReused(pub String);

fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The test-range contact for a number, derived from its digits.
fn synthesized(phone: &str) -> Option<Contact> {
    let digits = digits(phone);
    if !digits.starts_with("1555") || digits.len() < 8 {
        return None;
    }
    let bucket = digits.bytes().fold(0u64, |hash, byte| hash.wrapping_mul(31).wrapping_add(u64::from(byte))) % 10;
    let tier = match bucket {
        0 => "gold",
        1..=3 => "silver",
        _ => "basic",
    };
    Some(Contact {
        id: format!("contact-{digits}"),
        name: format!("Test Caller {}", &digits[digits.len() - 4..]),
        phone: format!("+{digits}"),
        email: Some(format!("caller{digits}@example.com")),
        tier: tier.to_string(),
        account_id: format!("account-{}", &digits[digits.len() - 4..]),
    })
}

impl Crm {
    fn lock(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn find_by_phone(&self, phone: &str) -> Option<Contact> {
        let wanted = digits(phone);
        if wanted.is_empty() {
            return None;
        }
        let books = self.lock();
        books.contacts.values().find(|contact| digits(&contact.phone) == wanted).cloned().or_else(|| synthesized(phone))
    }

    /// Creates or replaces a contact (matched by phone number); returns it with its id.
    pub fn upsert_contact(&self, mut contact: Contact) -> Contact {
        let mut books = self.lock();
        let existing = books.contacts.values().find(|known| digits(&known.phone) == digits(&contact.phone)).map(|known| known.id.clone());
        if contact.id.is_empty() {
            contact.id = existing.unwrap_or_else(|| format!("contact-{}", digits(&contact.phone)));
        }
        books.contacts.retain(|_, known| digits(&known.phone) != digits(&contact.phone));
        books.contacts.insert(contact.id.clone(), contact.clone());
        contact
    }

    /// Creates an activity once per idempotency key; a replay with the same body returns the
    /// first record, a replay with another body is refused.
    pub fn create_activity(&self, key: &str, activity: NewActivity, now: String) -> Result<Created, KeyReused> {
        let mut books = self.lock();
        if let Some(existing) = books.keys.get(key).and_then(|id| books.activities.get(id)) {
            return if existing.activity == activity {
                Ok(Created::Replayed(existing.clone()))
            } else {
                Err(KeyReused(key.to_string()))
            };
        }
        let id = crate::state::ids::derive_id(&["crm-activity", key]);
        let record = Activity {
            id: id.clone(),
            idempotency_key: key.to_string(),
            activity,
            created_at: now,
        };
        books.keys.insert(key.to_string(), id.clone());
        books.activities.insert(id, record.clone());
        Ok(Created::New(record))
    }

    pub fn activity(&self, id: &str) -> Option<Activity> {
        self.lock().activities.get(id).cloned()
    }

    pub fn activities(&self) -> Vec<Activity> {
        self.lock().activities.values().cloned().collect()
    }

    pub fn clear(&self) {
        *self.lock() = Books::default();
    }

    /// (explicit contacts, activities).
    pub fn counts(&self) -> (u64, u64) {
        let books = self.lock();
        (books.contacts.len() as u64, books.activities.len() as u64)
    }
}

/// Rewrites integration endpoints that start with [`EMULATOR_HOST_PLACEHOLDER`] to `base_url`
/// (the emulator's own address, known only after bind), so topology integrations can point at
/// this CRM. Returns how many endpoints changed.
pub fn point_integrations_at(directory: &crate::state::Directory, center: &crate::contact_center::ContactCenter, base_url: &str) -> usize {
    let base_url = base_url.trim_end_matches('/');
    center.set_own_base_url(base_url);
    // Saved before the rewritten rows, so a restart knows which prefix is its own.
    directory.save_meta(crate::state::persist::META_OWN_BASE_URL, base_url);
    let mut changed = 0;
    for org_id in directory.org_ids() {
        changed += directory.with_org_mut(&org_id, |org| rewrite_endpoints(org, EMULATOR_HOST_PLACEHOLDER, base_url)).unwrap_or(0);
    }
    changed
}

/// The inverse, for saved state: endpoints at this emulator's own address go back to the
/// placeholder, so a restart on another port points them at the new address.
pub fn unpoint_integrations(store: &mut crate::state::Store, base_url: &str) {
    for org in store.orgs.values_mut() {
        rewrite_endpoints(org, base_url, EMULATOR_HOST_PLACEHOLDER);
    }
}

/// Replaces the `from` prefix of integration endpoints and data-action URL templates with `to`.
fn rewrite_endpoints(org: &mut crate::state::OrgStore, from: &str, to: &str) -> usize {
    let mut changed = 0;
    for integration in org.integrations.values_mut() {
        let Some(config) = integration.config.as_mut() else { continue };
        let properties = &mut config.current.properties;
        let Some(url) = properties.get("endpointUrl").and_then(|value| value.as_str()) else { continue };
        if let Some(rest) = url.strip_prefix(from) {
            let rewritten = format!("{to}{rest}");
            properties.insert("endpointUrl".to_string(), serde_json::Value::String(rewritten));
            changed += 1;
        }
    }
    for action in org.actions.values_mut() {
        let Some(config) = action.config.as_mut() else { continue };
        if let Some(rest) = config.request.request_url_template.strip_prefix(from) {
            config.request.request_url_template = format!("{to}{rest}");
        }
    }
    changed
}
