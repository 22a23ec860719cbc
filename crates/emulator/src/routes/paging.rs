//! The platform's paging envelope (`entities`, `pageSize`, `pageNumber`, `total`, the URIs).

use super::extract::Params;
use crate::error::ApiError;
use switchboard_api::paging::EntityListing;

/// One page of `items` in the real envelope; URIs keep the request's other parameters.
pub fn paginate<T: Clone>(items: Vec<T>, params: &Params, path: &str) -> Result<EntityListing<T>, ApiError> {
    let page_size = params.page_size()?;
    let page_number = params.page_number()?;
    let total = items.len() as u64;
    let page_count = total.div_ceil(u64::from(page_size)) as u32;
    let start = (u64::from(page_number) - 1).saturating_mul(u64::from(page_size));
    let entities: Vec<T> = items.into_iter().skip(start as usize).take(page_size as usize).collect();
    let others: String = params
        .0
        .iter()
        .filter(|(key, _)| key != "pageSize" && key != "pageNumber")
        .map(|(key, value)| format!("&{}={}", encode(key), encode(value)))
        .collect();
    let uri = |number: u32| format!("{path}?pageSize={page_size}&pageNumber={number}{others}");
    Ok(EntityListing {
        entities,
        page_size,
        page_number,
        total,
        page_count,
        self_uri: Some(uri(page_number)),
        first_uri: Some(uri(1)),
        next_uri: (page_number < page_count).then(|| uri(page_number + 1)),
        previous_uri: (page_number > 1).then(|| uri(page_number - 1)),
        last_uri: Some(uri(page_count.max(1))),
    })
}

/// Minimal percent-encoding for query values we echo back in paging URIs.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
