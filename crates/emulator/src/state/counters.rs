//! Request counters per org, method and concrete path, with status buckets for the usage API.

use std::collections::BTreeMap;
use switchboard_api::emulator::{RequestCounter, RequestCounters};
use switchboard_api::usage::UsageRow;

#[derive(Debug, Default, Clone)]
struct Cell {
    count: u64,
    client_id: Option<String>,
    template: Option<String>,
    by_class: [u64; 4],
    too_many: u64,
}

#[derive(Debug, Default)]
pub struct Counters {
    cells: BTreeMap<(String, String, String), Cell>,
}

impl Counters {
    #[allow(clippy::too_many_arguments)]
    pub fn record(&mut self, org: &str, client_id: Option<&str>, method: &str, path: &str, template: Option<&str>, status: u16) {
        let cell = self.cells.entry((org.to_string(), method.to_string(), path.to_string())).or_default();
        cell.count += 1;
        if let Some(client) = client_id {
            cell.client_id = Some(client.to_string());
        }
        if let Some(template) = template {
            cell.template = Some(template.to_string());
        }
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

    pub fn snapshot(&self) -> RequestCounters {
        let counters = self
            .cells
            .iter()
            .map(|((org, method, path), cell)| RequestCounter {
                org: org.clone(),
                method: method.clone(),
                path: path.clone(),
                count: cell.count,
            })
            .collect();
        RequestCounters { counters }
    }

    /// Usage rows of one org, grouped by client, route template and method.
    pub fn usage_rows(&self, org_id: &str) -> Vec<UsageRow> {
        let mut rows: BTreeMap<(String, String, String), UsageRow> = BTreeMap::new();
        for ((org, method, path), cell) in &self.cells {
            if org != org_id {
                continue;
            }
            let client = cell.client_id.clone().unwrap_or_default();
            let template = cell.template.clone().unwrap_or_else(|| path.clone());
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
