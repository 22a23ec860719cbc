//! Request counters per org, OAuth client, method and route template (`/api/v2/users/{userId}`;
//! requests no route took share `unmatched`), with status buckets for the usage API. The key
//! space is bounded: orgs and clients come from valid tokens, methods from a fixed list, routes
//! from the router.

use std::collections::BTreeMap;
use switchboard_api::emulator::{RequestCounter, RequestCounters};
use switchboard_api::usage::UsageRow;

#[derive(Debug, Default, Clone)]
struct Cell {
    count: u64,
    by_class: [u64; 4],
    too_many: u64,
}

/// Lets the map be searched with borrowed `(&str, &str, &str)` keys (the usual tuple-borrow trick:
/// both owned and borrowed keys compare through this trait's view).
trait CellKey {
    fn parts(&self) -> (&str, &str, &str, &str);
}

/// (org, client, method, route)
type Key = (String, String, String, String);

impl CellKey for Key {
    fn parts(&self) -> (&str, &str, &str, &str) {
        (&self.0, &self.1, &self.2, &self.3)
    }
}

impl CellKey for (&str, &str, &str, &str) {
    fn parts(&self) -> (&str, &str, &str, &str) {
        (self.0, self.1, self.2, self.3)
    }
}

impl<'a> std::borrow::Borrow<dyn CellKey + 'a> for Key {
    fn borrow(&self) -> &(dyn CellKey + 'a) {
        self
    }
}

impl PartialEq for dyn CellKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn CellKey + '_ {}

impl PartialOrd for dyn CellKey + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn CellKey + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

#[derive(Debug, Default)]
pub struct Counters {
    cells: BTreeMap<Key, Cell>,
}

impl Counters {
    pub fn record(&mut self, org: &str, client_id: Option<&str>, method: &str, route: &str, status: u16) {
        // Look up before inserting: the hot path (a route already seen) allocates nothing.
        let client = client_id.unwrap_or("");
        let key = (org, client, method, route);
        let cell = match self.cells.get_mut(&key as &dyn CellKey) {
            Some(cell) => cell,
            None => self.cells.entry((org.to_string(), client.to_string(), method.to_string(), route.to_string())).or_default(),
        };
        cell.count += 1;
        match status {
            200..=299 => cell.by_class[0] += 1,
            300..=399 => cell.by_class[1] += 1,
            400..=499 => cell.by_class[2] += 1,
            _ => cell.by_class[3] += 1,
        }
        if status == 429 {
            cell.too_many += 1;
        }
    }

    /// Counts per org, method and route (summed over clients).
    pub fn snapshot(&self) -> RequestCounters {
        let mut merged: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
        for ((org, _, method, path), cell) in &self.cells {
            *merged.entry((org, method, path)).or_default() += cell.count;
        }
        let counters = merged
            .into_iter()
            .map(|((org, method, path), count)| RequestCounter { org: org.to_string(), method: method.to_string(), path: path.to_string(), count })
            .collect();
        RequestCounters { counters }
    }

    /// Usage rows of one org (of one client when `client_id` is given), grouped by client,
    /// route template and method.
    pub fn usage_rows(&self, org_id: &str, client_id: Option<&str>) -> Vec<UsageRow> {
        let mut rows: BTreeMap<(String, String, String), UsageRow> = BTreeMap::new();
        for ((org, client, method, template), cell) in &self.cells {
            if org != org_id || client_id.is_some_and(|wanted| wanted != client) {
                continue;
            }
            let client = client.clone();
            let row = rows.entry((client.clone(), template.clone(), method.clone())).or_insert_with(|| UsageRow {
                client_id: Some(client),
                organization_id: Some(org.clone()),
                template_uri: Some(template.trim_start_matches('/').to_string()),
                http_method: Some(method.clone()),
                ..UsageRow::default()
            });
            row.status200 += cell.by_class[0];
            row.status300 += cell.by_class[1];
            row.status400 += cell.by_class[2];
            row.status500 += cell.by_class[3];
            row.status429 += cell.too_many;
            row.requests += cell.count;
        }
        rows.into_values().collect()
    }

    pub fn clear(&mut self) {
        self.cells.clear();
    }
}
