//! Deterministic identifiers: the same topology always yields the same ids and credentials, so
//! demos, docs and tests can name objects. Ids are UUID-shaped (version 8, custom) like the
//! platform's, derived from a 128-bit FNV-1a hash of their inputs.

/// FNV-1a over the parts, separated so `("ab","c")` and `("a","bc")` differ.
fn fnv1a_128(parts: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// A UUID-shaped id derived from `parts`.
pub fn derive_id(parts: &[&str]) -> String {
    uuid::Builder::from_custom_bytes(fnv1a_128(parts).to_be_bytes()).into_uuid().to_string()
}

/// 64-bit hash for seeds and ETags.
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash
}

/// The org's id, from its name.
pub fn org_id(org_name: &str) -> String {
    derive_id(&["org", org_name])
}

/// Development OAuth client id for an org.
pub fn client_id(org_name: &str) -> String {
    derive_id(&["client", org_name])
}

/// Development OAuth client secret for an org: not secret, only stable.
pub fn client_secret(org_name: &str) -> String {
    format!("dev-secret-{:032x}", fnv1a_128(&["secret", org_name]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(org_id("na-east-1"), org_id("na-east-1"));
        assert_ne!(org_id("na-east-1"), org_id("na-east-2"));
        assert_ne!(derive_id(&["ab", "c"]), derive_id(&["a", "bc"]));
        assert!(uuid::Uuid::parse_str(&org_id("global")).is_ok());
    }
}
