//! `switchboard orgs`: the organization tree of a target environment.

use crate::args::TargetArgs;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_platform::PlatformExt;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub parent_org_id: Option<String>,
    pub depth: usize,
}

pub async fn run(arguments: TargetArgs, output: OutputFormat) -> anyhow::Result<()> {
    let target = Target::resolve(&arguments).await?;
    let rows = org_tree(&target).await;
    target.shutdown().await;
    let rows = rows?;
    output.emit(&rows, |rows| print_tree(rows))
}

/// Each org answers for itself (`/organizations/me`), which works on the real platform too;
/// parents come from the seed's tree endpoint where the platform offers it, else from the
/// credentials file.
pub async fn org_tree(target: &Target) -> anyhow::Result<Vec<OrgRow>> {
    let mut parents: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (name, client) in target.clients() {
        let me = client.orgs().me().await.with_context(|| format!("org {name}"))?;
        names.insert(me.value.id.clone(), me.value.name.clone());
        parents.entry(me.value.id.clone()).or_insert(target.known_parents.get(&me.value.id).cloned().flatten());
        if let Ok(tree) = client.orgs().tree().await {
            for entry in tree {
                names.entry(entry.id.clone()).or_insert(entry.name.clone());
                parents.insert(entry.id, entry.parent_org_id);
            }
        }
    }
    let mut rows = Vec::new();
    let roots: Vec<String> = parents
        .iter()
        .filter(|(_, parent)| parent.as_ref().is_none_or(|parent| !parents.contains_key(parent)))
        .map(|(id, _)| id.clone())
        .collect();
    for root in roots {
        push_subtree(&root, 0, &parents, &names, &mut rows);
    }
    Ok(rows)
}

fn push_subtree(
    id: &str,
    depth: usize,
    parents: &BTreeMap<String, Option<String>>,
    names: &BTreeMap<String, String>,
    rows: &mut Vec<OrgRow>,
) {
    rows.push(OrgRow {
        id: id.to_string(),
        name: names.get(id).cloned().unwrap_or_default(),
        parent_org_id: parents.get(id).cloned().flatten(),
        depth,
    });
    let mut children: Vec<&String> =
        parents.iter().filter(|(_, parent)| parent.as_deref() == Some(id)).map(|(child, _)| child).collect();
    children.sort_by_key(|child| names.get(*child).cloned().unwrap_or_default());
    for child in children {
        push_subtree(child, depth + 1, parents, names, rows);
    }
}

pub fn print_tree(rows: &[OrgRow]) {
    for row in rows {
        println!("{}{}  ({})", "  ".repeat(row.depth), row.name, row.id);
    }
}
