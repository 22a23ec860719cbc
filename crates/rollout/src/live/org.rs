//! The rollout's objects in one org, through the platform client only: the slots and the Traffic
//! Cop (published as Archy YAML through Architect jobs), the `Deployment_Control` table and row,
//! the IVR configurations that map DIDs to flows.

use super::error::RolloutError;
use crate::control_row::{ACTIVE_FLOW_ID, ACTIVE_VERSION, CANDIDATE_FLOW_ID, CANDIDATE_VERSION, CONTROL_KEY, CONTROL_TABLE, ControlRow, TRAFFIC_WEIGHT};
use crate::controller::Slot;
use crate::traffic_cop::{slot_names, traffic_cop, traffic_cop_name};
use futures_util::TryStreamExt;
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_model::flow::{Block, Expression, FlowDefinition};
use switchboard_platform::api::EntityRef;
use switchboard_platform::api::datatable::{DRAFT_04, DataTable, DataTableRow, JsonSchemaDocument, SchemaProperty};
use switchboard_platform::api::flow::Flow;
use switchboard_platform::api::telephony::Ivr;
use switchboard_platform::{FlowSource, OperationWait, Platform, PlatformExt};

/// What `init` found or did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InitReport {
    pub flow: String,
    pub blue: Option<Slot>,
    pub green: Option<Slot>,
    pub traffic_cop_id: String,
    pub table_id: String,
    /// Objects made now (empty on a second run: init is idempotent).
    pub created: Vec<String>,
    /// IVR configurations whose DIDs now reach the Traffic Cop.
    pub repointed: Vec<String>,
    pub smoke_did: Option<String>,
}

/// What `start` published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartReport {
    pub active: Slot,
    pub candidate: Slot,
    pub publishes: u32,
    /// The data actions of both slots, with `Cache-Control: no-cache` and a `Flow_Version` input.
    pub actions: Vec<super::actions::ActionChange>,
    /// The smoke test's result (`None` until it has run).
    pub smoke: Option<crate::smoke::SmokeOutcome>,
}

pub struct Org<'a, P: ?Sized> {
    pub platform: &'a P,
    pub flow: String,
    pub wait: OperationWait,
}

/// The candidate as it is published to a slot: renamed to the slot, and every data action gets a
/// `Flow_Version` input so the backend can tell the versions apart (seed 004, edge case 2).
pub fn prepare_candidate(mut definition: FlowDefinition, slot_name: &str) -> FlowDefinition {
    definition.name = slot_name.to_string();
    for block in definition.blocks.values_mut() {
        if let Block::DataAction(action) = block {
            action.inputs.entry("Flow_Version".to_string()).or_insert_with(|| Expression::formula("Flow_Version"));
        }
    }
    definition
}

fn column(property_type: &str, order: u32) -> SchemaProperty {
    SchemaProperty { property_type: property_type.to_string(), title: None, display_order: Some(order), default: None }
}

fn row_json(row: &ControlRow) -> DataTableRow {
    let mut out = DataTableRow::new();
    out.insert("key".into(), CONTROL_KEY.into());
    out.insert(ACTIVE_FLOW_ID.into(), row.active_flow_id.clone().into());
    out.insert(ACTIVE_VERSION.into(), row.active_version.clone().into());
    out.insert(CANDIDATE_FLOW_ID.into(), row.candidate_flow_id.clone().into());
    out.insert(CANDIDATE_VERSION.into(), row.candidate_version.clone().into());
    out.insert(TRAFFIC_WEIGHT.into(), u64::from(row.traffic_weight).into());
    out
}

fn row_from_json(row: &DataTableRow) -> Option<ControlRow> {
    let columns: BTreeMap<String, String> = row
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())))
        .collect();
    ControlRow::from_columns(&columns)
}

impl<'a, P: Platform + ?Sized> Org<'a, P> {
    pub fn new(platform: &'a P, flow: &str) -> Org<'a, P> {
        Org { platform, flow: flow.to_string(), wait: OperationWait::default() }
    }

    pub async fn find_flow(&self, name: &str) -> Result<Option<Flow>, RolloutError> {
        let flows: Vec<Flow> = self.platform.flows().list(Some(name), None).try_collect().await?;
        Ok(flows.into_iter().find(|flow| flow.name == name && !flow.deleted))
    }

    async fn slot(&self, flow_id: &str) -> Result<Slot, RolloutError> {
        let flow = self.platform.flows().get(flow_id).await?.value;
        let version = flow.published_version.map(|version| version.id).unwrap_or_default();
        Ok(Slot { flow_id: flow.id, version })
    }

    /// The published definition of a flow, through an export job.
    pub async fn definition(&self, flow_id: &str) -> Result<FlowDefinition, RolloutError> {
        let yaml = self.platform.flows().export(flow_id, None, self.wait).await?;
        switchboard_model::load_flow(&yaml, flow_id).map_err(|error| RolloutError::Flow(format!("exported flow {flow_id}: {error}")))
    }

    async fn publish(&self, definition: &FlowDefinition) -> Result<Slot, RolloutError> {
        let published = self.platform.flows().publish(FlowSource::Definition(definition), self.wait, |_| {}).await?;
        self.slot(&published.flow.id).await
    }

    pub async fn table_id(&self) -> Result<Option<String>, RolloutError> {
        let tables: Vec<DataTable> = self.platform.datatables().list(false).try_collect().await?;
        Ok(tables.into_iter().find(|table| table.name == CONTROL_TABLE).map(|table| table.id))
    }

    pub async fn read_row(&self, table_id: &str) -> Result<Option<ControlRow>, RolloutError> {
        match self.platform.datatables().row(table_id, CONTROL_KEY).await {
            Ok(row) => Ok(row_from_json(&row)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Writes the control row: from here the very next call routes by it.
    pub async fn write_row(&self, table_id: &str, row: &ControlRow) -> Result<(), RolloutError> {
        self.platform.datatables().update_row(table_id, CONTROL_KEY, &row_json(row)).await?;
        Ok(())
    }

    /// Idempotent set-up: slots, control table and row, Traffic Cop, DIDs, smoke-test DID.
    pub async fn init(&self, smoke_did: Option<&str>, mut progress: impl FnMut(&str)) -> Result<InitReport, RolloutError> {
        let mut report = InitReport { flow: self.flow.clone(), ..InitReport::default() };
        let [blue_name, green_name] = slot_names(&self.flow);
        let cop_name = traffic_cop_name(&self.flow);
        let original = self.find_flow(&self.flow).await?;

        let mut slots = Vec::new();
        for name in [&blue_name, &green_name] {
            let slot = match self.find_flow(name).await? {
                Some(flow) => self.slot(&flow.id).await?,
                None => {
                    let Some(original) = &original else {
                        return Err(RolloutError::Flow(format!("no flow named '{}' in the org to copy into the slots", self.flow)));
                    };
                    progress(&format!("publishing {name} from {}", self.flow));
                    let definition = prepare_candidate(self.definition(&original.id).await?, name);
                    report.created.push(format!("flow {name}"));
                    self.publish(&definition).await?
                }
            };
            slots.push(slot);
        }
        let (blue, green) = (slots[0].clone(), slots[1].clone());

        let table_id = match self.table_id().await? {
            Some(id) => id,
            None => {
                progress(&format!("creating data table {CONTROL_TABLE}"));
                let properties = BTreeMap::from([
                    ("key".to_string(), column("string", 0)),
                    (ACTIVE_FLOW_ID.to_string(), column("string", 1)),
                    (ACTIVE_VERSION.to_string(), column("string", 2)),
                    (CANDIDATE_FLOW_ID.to_string(), column("string", 3)),
                    (CANDIDATE_VERSION.to_string(), column("string", 4)),
                    (TRAFFIC_WEIGHT.to_string(), column("integer", 5)),
                ]);
                let table = DataTable {
                    name: CONTROL_TABLE.to_string(),
                    description: Some("Traffic Cop routing, written by switchboard rollout".into()),
                    schema: Some(JsonSchemaDocument {
                        schema: Some(DRAFT_04.to_string()),
                        schema_type: Some("object".into()),
                        required: vec!["key".into()],
                        properties,
                        additional_properties: Some(serde_json::Value::Bool(false)),
                        ..JsonSchemaDocument::default()
                    }),
                    ..DataTable::default()
                };
                report.created.push(format!("data table {CONTROL_TABLE}"));
                self.platform.datatables().create(&table).await?.id
            }
        };
        if self.read_row(&table_id).await?.is_none() {
            let row = ControlRow {
                active_flow_id: blue.flow_id.clone(),
                active_version: blue.version.clone(),
                candidate_flow_id: green.flow_id.clone(),
                candidate_version: green.version.clone(),
                traffic_weight: 0,
            };
            self.platform.datatables().create_row(&table_id, &row_json(&row)).await?;
            report.created.push(format!("row {CONTROL_KEY}"));
        }

        let cop_id = match self.find_flow(&cop_name).await? {
            Some(flow) => flow.id,
            None => {
                progress(&format!("publishing {cop_name}"));
                let definition = traffic_cop(&self.flow, &blue_name).map_err(|error| RolloutError::Flow(error.to_string()))?;
                report.created.push(format!("flow {cop_name}"));
                self.publish(&definition).await?.flow_id
            }
        };
        let cop_ref = EntityRef::new(cop_id.clone(), cop_name.clone(), format!("/api/v2/flows/{cop_id}"));

        let ivrs: Vec<Ivr> = self.platform.telephony().ivrs().try_collect().await?;
        if let Some(original) = &original {
            for ivr in &ivrs {
                let mut changed = ivr.clone();
                let mut touched = false;
                for flow in [&mut changed.open_hours_flow, &mut changed.closed_hours_flow, &mut changed.holiday_hours_flow].into_iter().flatten() {
                    if flow.id == original.id {
                        *flow = cop_ref.clone();
                        touched = true;
                    }
                }
                if touched {
                    progress(&format!("pointing {} ({}) at {cop_name}", ivr.name, ivr.dnis.join(", ")));
                    self.platform.telephony().update_ivr(&ivr.id, &changed).await?;
                    report.repointed.push(ivr.name.clone());
                }
            }
        }
        if let Some(did) = smoke_did {
            let name = self.smoke_ivr_name();
            if !ivrs.iter().any(|ivr| ivr.name == name) {
                let green_ref = EntityRef::new(green.flow_id.clone(), green_name.clone(), format!("/api/v2/flows/{}", green.flow_id));
                let ivr = Ivr {
                    name: name.clone(),
                    description: Some("Hidden DID that reaches the candidate slot directly (switchboard rollout)".into()),
                    dnis: vec![did.to_string()],
                    open_hours_flow: Some(green_ref),
                    ..Ivr::default()
                };
                self.platform.telephony().create_ivr(&ivr).await?;
                report.created.push(format!("IVR {name}"));
            }
            report.smoke_did = Some(did.to_string());
        }
        report.blue = Some(blue);
        report.green = Some(green);
        report.traffic_cop_id = cop_id;
        report.table_id = table_id;
        Ok(report)
    }

    fn smoke_ivr_name(&self) -> String {
        format!("{} smoke test", self.flow)
    }

    /// The smoke-test DID, its IVR configuration pointed at `candidate` first (after a promotion the
    /// idle slot is the other one). `None` when init made no smoke DID.
    pub async fn smoke_did(&self, candidate: &Slot) -> Result<Option<String>, RolloutError> {
        let name = self.smoke_ivr_name();
        let ivrs: Vec<Ivr> = self.platform.telephony().ivrs().try_collect().await?;
        let Some(ivr) = ivrs.into_iter().find(|ivr| ivr.name == name) else { return Ok(None) };
        if ivr.open_hours_flow.as_ref().map(|flow| flow.id.as_str()) != Some(candidate.flow_id.as_str()) {
            let flow = self.platform.flows().get(&candidate.flow_id).await?.value;
            let mut changed = ivr.clone();
            changed.open_hours_flow = Some(EntityRef::new(flow.id.clone(), flow.name.clone(), format!("/api/v2/flows/{}", flow.id)));
            self.platform.telephony().update_ivr(&ivr.id, &changed).await?;
        }
        Ok(ivr.dnis.first().cloned())
    }

    /// Publishes `candidate` to the idle slot (the one the row does not name active) after the
    /// schema gate. Returns the slots and the control table's id.
    pub async fn publish_candidate(&self, candidate: &FlowDefinition, file: &str) -> Result<(StartReport, String), RolloutError> {
        let not_ready = |detail: &str| RolloutError::NotInitialized { flow: self.flow.clone(), detail: detail.to_string() };
        let table_id = self.table_id().await?.ok_or_else(|| not_ready("no Deployment_Control table"))?;
        let row = self.read_row(&table_id).await?.ok_or_else(|| not_ready("no Environment_State row"))?;
        let [blue_name, green_name] = slot_names(&self.flow);
        let blue = self.find_flow(&blue_name).await?.ok_or_else(|| not_ready("no Blue slot"))?;
        let green = self.find_flow(&green_name).await?.ok_or_else(|| not_ready("no Green slot"))?;
        let (active_id, idle_name) =
            if row.active_flow_id == green.id { (green.id.clone(), blue_name) } else { (blue.id.clone(), green_name) };
        let active_definition = self.definition(&active_id).await?;
        let problems = crate::schema::check_schema(&active_definition, candidate);
        if !problems.is_empty() {
            return Err(RolloutError::Schema { file: file.to_string(), problems });
        }
        let active = self.slot(&active_id).await?;
        // Before publishing: a real org validates the flow's action inputs against the contract.
        let actions = super::actions::prepare_actions(self.platform, &crate::actions::action_refs([&active_definition, candidate])).await?;
        let prepared = prepare_candidate(candidate.clone(), &idle_name);
        let mut candidate_slot = self.publish(&prepared).await?;
        let mut publishes = 1;
        // The Traffic Cop tells a returning call's slot by its Flow_Version: the two slots' version
        // strings must differ, so publish once more if the idle slot's counter caught up.
        while candidate_slot.version == active.version && publishes < 3 {
            candidate_slot = self.publish(&prepared).await?;
            publishes += 1;
        }
        Ok((StartReport { active, candidate: candidate_slot, publishes, actions, smoke: None }, table_id))
    }
}
