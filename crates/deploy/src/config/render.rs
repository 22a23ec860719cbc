//! Rendering one environment: variables layered environment → group → org (plus `ENV`, `ORG`,
//! `GROUP`, `PARENT`), every component templated per org and typed, flows read and checked as
//! Archy YAML, references collected with their lines, dependency cycles refused naming the cycle.

use std::collections::BTreeMap;

use serde_json::Value;

use super::component::ComponentFile;
use super::error::{ConfigError, Diagnostic, from_load};
use super::manifest::Variables;
use super::repository::{MANIFEST, Repository};
use crate::desired::{Dependency, Desired, DesiredOrg, DesiredResource, Source};
use crate::graph;
use crate::key::{Reference, ResourceKey, find_references, parse_reference};

/// Kinds a reference may name; `user` is read-only (looked up live, never created).
pub const KINDS: [&str; 7] = ["queue", "flow", "datatable", "integration", "data_action", "ivr", "user"];

impl Repository {
    /// The desired state of `environment`, or every problem found.
    pub fn render(&self, environment: &str) -> Result<Desired, ConfigError> {
        let manifest = &self.manifest;
        let mut diagnostics = Vec::new();
        let Some(env) = manifest.environments.get(environment) else {
            let known: Vec<&str> = manifest.environments.keys().map(String::as_str).collect();
            return Err(Diagnostic::new(MANIFEST, 0, format!("unknown environment `{environment}`; known: {}", known.join(", "))).into());
        };
        let declared: BTreeMap<&str, &super::manifest::OrgDecl> = manifest.orgs.iter().map(|org| (org.name.value.as_str(), org)).collect();
        for org in &manifest.orgs {
            if let Some(parent) = &org.parent
                && !declared.contains_key(parent.value.as_str())
            {
                diagnostics.push(Diagnostic::new(MANIFEST, parent.referenced.line() as usize, format!("org `{}`: parent `{}` is not declared under orgs", org.name.value, parent.value)));
            }
        }
        let mut placed: BTreeMap<String, usize> = BTreeMap::new();
        let mut orgs = Vec::new();
        for (stage, group) in manifest.groups.iter().enumerate() {
            for org_name in &group.org_ids {
                let line = org_name.referenced.line() as usize;
                let Some(decl) = declared.get(org_name.value.as_str()) else {
                    diagnostics.push(Diagnostic::new(MANIFEST, line, format!("group `{}`: org `{}` is not declared under orgs", group.group.value, org_name.value)));
                    continue;
                };
                if placed.insert(org_name.value.clone(), stage).is_some() {
                    diagnostics.push(Diagnostic::new(MANIFEST, line, format!("org `{}` is in more than one group", org_name.value)));
                    continue;
                }
                let parent = decl.parent.as_ref().map(|parent| parent.value.clone());
                let mut variables: Variables = env.variables.clone();
                variables.extend(group.variables.clone());
                variables.extend(decl.variables.clone());
                variables.insert("ENV".into(), environment.to_string());
                variables.insert("ORG".into(), org_name.value.clone());
                variables.insert("GROUP".into(), group.group.value.clone());
                variables.insert("PARENT".into(), parent.clone().unwrap_or_default());
                let mut resources: Vec<DesiredResource> = Vec::new();
                for component in &group.components {
                    let Some((file, text)) = self.components.get(&component.value) else { continue };
                    self.render_component(file, text, &variables, &mut resources, &mut diagnostics);
                }
                let target_org = env.orgs.get(&org_name.value).cloned().unwrap_or_else(|| org_name.value.clone());
                orgs.push(DesiredOrg { org: org_name.value.clone(), target_org, group: group.group.value.clone(), stage, parent, resources });
            }
        }
        check_references(&orgs, &placed, &mut diagnostics);
        if diagnostics.is_empty()
            && let Err(cycle) = graph::check_cycles(&orgs)
        {
            diagnostics.push(cycle);
        }
        if diagnostics.is_empty() { Ok(Desired { environment: environment.to_string(), orgs }) } else { Err(ConfigError { diagnostics }) }
    }

    fn render_component(&self, file: &str, text: &str, variables: &Variables, out: &mut Vec<DesiredResource>, diagnostics: &mut Vec<Diagnostic>) {
        let text = match switchboard_model::template::resolve_text(text, variables) {
            Ok(text) => text,
            Err(found) => {
                diagnostics.extend(found.into_iter().map(|problem| Diagnostic::new(file, problem.line, problem.error.to_string())));
                return;
            }
        };
        let parsed: ComponentFile = match switchboard_model::load::parse_yaml(&text, file) {
            Ok(parsed) => parsed,
            Err(error) => {
                diagnostics.push(from_load(error));
                return;
            }
        };
        for doc in parsed.resources {
            // Values of the right shape but the wrong type for their column (the schema is the
            // table's own), before anything is planned or written.
            if let super::component::ResourceDoc::Datatable(table) = &doc {
                let problems = table.check_rows();
                if !problems.is_empty() {
                    diagnostics.extend(problems.into_iter().map(|(line, message)| Diagnostic::new(file, line, message)));
                    continue;
                }
            }
            let rendered = doc.render();
            let key = ResourceKey::new(rendered.kind, rendered.name.clone());
            let source = Source { file: file.to_string(), line: rendered.line };
            if out.iter().any(|existing| existing.key == key) {
                diagnostics.push(Diagnostic::new(file, rendered.line, format!("{key} is declared twice for this org")));
                continue;
            }
            let mut body = rendered.body;
            // `{capacity: queue/X}` becomes a reference, so it is a dependency like any other.
            for bad in crate::capacity::normalize(&mut body) {
                diagnostics.push(Diagnostic::new(file, line_of(&text, &bad).unwrap_or(rendered.line), format!("capacity `{bad}`: expected kind/name or org:kind/name (e.g. queue/Support)")));
            }
            let mut reference_text = serde_json::to_string(&body).unwrap_or_default();
            if let Some((flow_file, line)) = &rendered.flow_file {
                match self.flow_text(flow_file, *line, file, &rendered.name, variables) {
                    Ok((yaml, flow_type)) => {
                        reference_text.push_str(&yaml);
                        if let Value::Object(map) = &mut body {
                            map.insert("type".into(), Value::String(flow_type));
                            map.insert("yaml".into(), Value::String(yaml));
                        }
                    }
                    Err(found) => {
                        diagnostics.extend(found);
                        continue;
                    }
                }
            }
            let mut depends_on = Vec::new();
            for (_, reference) in find_references(&reference_text) {
                match reference {
                    Ok(reference) => {
                        let line = line_of(&text, &reference_line_text(&reference)).unwrap_or(rendered.line);
                        push_unique(&mut depends_on, reference, line, file);
                    }
                    Err(bad) => diagnostics.push(Diagnostic::new(file, line_of(&text, &bad).unwrap_or(rendered.line), format!("malformed reference `{bad}`: expected $ref{{kind/name}} or $ref{{org:kind/name}}"))),
                }
            }
            for entry in &rendered.depends_on {
                match parse_reference(entry) {
                    Some(reference) => push_unique(&mut depends_on, reference, line_of(&text, entry).unwrap_or(rendered.line), file),
                    None => diagnostics.push(Diagnostic::new(file, line_of(&text, entry).unwrap_or(rendered.line), format!("malformed depends_on `{entry}`: expected kind/name or org:kind/name"))),
                }
            }
            out.push(DesiredResource { key, body, depends_on, source });
        }
    }

    /// A flow's Archy YAML, templated, checked (it must import and carry the resource's name),
    /// with its flow type (`inboundCall`, ...).
    fn flow_text(&self, flow_file: &str, line: usize, component: &str, name: &str, variables: &Variables) -> Result<(String, String), Vec<Diagnostic>> {
        let raw = self.read(flow_file).map_err(|error| vec![Diagnostic::new(component, line, format!("flow file {flow_file}: {error}"))])?;
        let text = switchboard_model::template::resolve_text(&raw, variables)
            .map_err(|found| found.into_iter().map(|problem| Diagnostic::new(flow_file, problem.line, problem.error.to_string())).collect::<Vec<_>>())?;
        // References are replaced by ids at apply time; a placeholder keeps the import honest.
        let probe = crate::key::replace_references(&text, |_| Some("00000000-0000-0000-0000-000000000000".to_string()));
        let flow = switchboard_model::archy::import(&probe, flow_file)
            .map_err(|error| error.diagnostics.into_iter().map(|problem| Diagnostic::new(problem.file, problem.line, format!("{} {}", problem.path, problem.message))).collect::<Vec<_>>())?;
        if flow.name != name {
            return Err(vec![Diagnostic::new(component, line, format!("flow `{name}`: {flow_file} names its flow `{}`", flow.name))]);
        }
        let flow_type = text
            .lines()
            .find(|candidate| !candidate.trim().is_empty() && !candidate.trim_start().starts_with('#') && !candidate.starts_with([' ', '\t']))
            .and_then(|first| first.trim().strip_suffix(':'))
            .unwrap_or("inboundCall")
            .to_string();
        Ok((text, flow_type))
    }
}

fn reference_line_text(reference: &Reference) -> String {
    crate::key::reference_text(reference)
}

fn push_unique(depends_on: &mut Vec<Dependency>, reference: Reference, line: usize, file: &str) {
    if !depends_on.iter().any(|existing| existing.reference == reference) {
        depends_on.push(Dependency { reference, source: Source { file: file.to_string(), line } });
    }
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|offset| text[..offset].matches('\n').count() + 1)
}

/// Reference checks that need no live state: known kinds, declared orgs, cross-org references
/// only into an org of this or an earlier stage, and same-stage references resolvable in config
/// (references to resources outside the config are checked against live state by `plan`).
fn check_references(orgs: &[DesiredOrg], placed: &BTreeMap<String, usize>, diagnostics: &mut Vec<Diagnostic>) {
    for org in orgs {
        for resource in &org.resources {
            for dependency in &resource.depends_on {
                let source = &dependency.source;
                let reference = &dependency.reference;
                if !KINDS.contains(&reference.key.kind.as_str()) {
                    diagnostics.push(Diagnostic::new(&source.file, source.line, format!("{} (in org {}): unknown kind `{}` in reference {reference}; kinds: {}", resource.key, org.org, reference.key.kind, KINDS.join(", "))));
                    continue;
                }
                let Some(target_org) = &reference.org else { continue };
                match placed.get(target_org) {
                    None => diagnostics.push(Diagnostic::new(&source.file, source.line, format!("{} (in org {}): reference {reference} names org `{target_org}`, which is in no group", resource.key, org.org))),
                    Some(stage) if *stage > org.stage => diagnostics.push(Diagnostic::new(
                        &source.file,
                        source.line,
                        format!("{} (in org {}): reference {reference} points into a later stage; put `{target_org}`'s group before `{}`", resource.key, org.org, org.group),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
}
