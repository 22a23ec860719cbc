//! Typed calls end to end: the flow lifecycle (published by an Architect job, checkout, check-in), data tables and rows,
//! users' presence and routing status.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_platform::api::datatable::{DataTable, DataTableRow, JsonSchemaDocument, SchemaProperty};
use switchboard_platform::api::flow::{Flow, FlowVersion};
use switchboard_platform::api::user::{PresenceDefinition, RoutingStatus, UserPresence};
use switchboard_model::flow::FlowDefinition;
use switchboard_platform::{FlowSource, OperationWait, PlatformError, PlatformExt};

use crate::support::{CHILD, client_for, ok, start_default};

#[tokio::test]
async fn flow_lifecycle_publish_by_job_checkout_checkin() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    // Content goes in only through an Architect job: the client has no call that saves a version.
    let definition: FlowDefinition = serde_json::from_value(json!({"name": "lifecycle", "start": "bye", "blocks": {"bye": {"type": "disconnect"}}}))
        .unwrap_or_else(|error| panic!("fixture: {error}"));
    let published = ok("publish", client.flows().publish(FlowSource::Definition(&definition), OperationWait::default(), |_| {}).await);
    let id = published.flow.id.clone();
    ok("checkout", client.flows().checkout(&id).await);
    ok("checkout again (idempotent for the holder)", client.flows().checkout(&id).await);
    let operation = ok("checkin", client.flows().checkin(&id).await);
    ok("checkin finishes", client.flows().wait_for_operation(&id, &operation, OperationWait::default()).await);
    // Checkin released the lock: checking in again is a distinct conflict, not a generic failure.
    let unlocked = client.flows().checkin(&id).await;
    assert!(matches!(unlocked, Err(PlatformError::Conflict { .. })), "{unlocked:?}");

    let flow = ok("get", client.flows().get(&id).await).value;
    let published_version = flow.published_version.clone().unwrap_or_else(|| panic!("no published version: {flow:?}"));
    assert!(flow.active);
    let versions: Vec<FlowVersion> = ok("versions", client.flows().versions(&id).try_collect().await);
    assert!(versions.iter().any(|version| version.id == published_version.id));
    let configuration: serde_json::Value = ok("configuration", client.flows().version_configuration(&id, &published_version.id).await);
    assert_eq!(configuration.get("start"), Some(&json!("bye")));

    let found: Vec<Flow> = ok("by name and type", client.flows().list(Some("lifecycle"), Some("INBOUNDCALL")).try_collect().await);
    assert_eq!(found.iter().map(|flow| flow.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    let deactivated = ok("deactivate", client.flows().deactivate(&id).await);
    assert!(!deactivated.active);
    emulator.shutdown().await;
}

#[tokio::test]
async fn data_tables_and_rows() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let mut properties = BTreeMap::new();
    properties.insert("key".to_owned(), SchemaProperty { property_type: "string".into(), ..SchemaProperty::default() });
    properties.insert("region".to_owned(), SchemaProperty { property_type: "string".into(), ..SchemaProperty::default() });
    let schema = JsonSchemaDocument { schema_type: Some("object".into()), required: vec!["key".into()], properties, ..JsonSchemaDocument::default() };
    let table = ok("create table", client.datatables().create(&DataTable { name: "routing".into(), schema: Some(schema), ..DataTable::default() }).await);

    for (key, region) in [("a b", "east"), ("c/d", "west"), ("e", "north")] {
        let row: DataTableRow = serde_json::from_value(json!({"key": key, "region": region})).unwrap_or_default();
        ok("create row", client.datatables().create_row(&table.id, &row).await);
    }
    let duplicate: DataTableRow = serde_json::from_value(json!({"key": "e", "region": "again"})).unwrap_or_default();
    let error = client.datatables().create_row(&table.id, &duplicate).await;
    assert!(error.as_ref().is_err_and(PlatformError::is_conflict) || matches!(error, Err(PlatformError::BadRequest { .. })), "{error:?}");

    let rows: Vec<DataTableRow> = ok("rows", client.datatables().rows(&table.id).try_collect().await);
    assert_eq!(rows.len(), 3);
    // Keys with spaces and slashes survive the path.
    let row = ok("row with slash", client.datatables().row(&table.id, "c/d").await);
    assert_eq!(row.get("region"), Some(&json!("west")));
    let mut changed = row.clone();
    changed.insert("region".into(), json!("south"));
    ok("update row", client.datatables().update_row(&table.id, "c/d", &changed).await);
    assert_eq!(ok("reread", client.datatables().row(&table.id, "c/d").await).get("region"), Some(&json!("south")));
    ok("delete row", client.datatables().delete_row(&table.id, "a b").await);
    assert!(client.datatables().row(&table.id, "a b").await.is_err_and(|error| error.is_not_found()));
    emulator.shutdown().await;
}

#[tokio::test]
async fn presence_and_routing_status() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let users: Vec<_> = ok("users", client.users().list().try_collect().await);
    let Some(user) = users.first() else { panic!("seeded org has no users") };
    let presence = UserPresence {
        presence_definition: PresenceDefinition { system_presence: Some("On Queue".into()), ..PresenceDefinition::default() },
        ..UserPresence::default()
    };
    ok("set presence", client.users().set_presence(&user.id, &presence).await);
    let read = ok("presence", client.users().presence(&user.id).await);
    assert_eq!(read.presence_definition.system_presence.as_deref(), Some("On Queue"));
    let status = ok("routing status", client.users().routing_status(&user.id).await);
    assert_ne!(status.status, "OFF_QUEUE", "on queue means routable");
    ok("set status", client.users().set_routing_status(&user.id, &RoutingStatus { status: "IDLE".into(), ..RoutingStatus::default() }).await);
    emulator.shutdown().await;
}
