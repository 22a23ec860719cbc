use super::*;
use super::simulated::from_simulated;
use switchboard_api::analytics::{QueryFilter, QueryPredicate};
use switchboard_api::analytics_summary::AggregateSummary;

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_705_305_600_000; // 2024-01-15T08:00:00Z

fn call(id: &str, version: &str, offset_ms: i64, wait_ms: i64, answered: bool) -> ConversationRecord {
    let entered = T0 + offset_ms;
    ConversationRecord {
        conversation_id: id.to_string(),
        ani: "+15550001".to_string(),
        dnis: "+13175550000".to_string(),
        start_ms: entered - 10_000,
        end_ms: Some(entered + wait_ms + 60_000),
        flows: vec![FlowSegment {
            flow_id: "flow-1".to_string(),
            flow_name: "Main".to_string(),
            flow_version: version.to_string(),
            entered_ms: entered - 10_000,
            exited_ms: Some(entered),
            exit: FlowExit::TransferToQueue { queue_id: "q1".to_string() },
            failed: false,
        }],
        queue: Some(QueueSegment {
            queue_id: "q1".to_string(),
            entered_ms: entered,
            answered_ms: answered.then_some(entered + wait_ms),
            abandoned_ms: (!answered).then_some(entered + wait_ms),
            agent_id: answered.then(|| "agent-1".to_string()),
            talk_end_ms: answered.then_some(entered + wait_ms + 50_000),
            wrapup_end_ms: answered.then_some(entered + wait_ms + 60_000),
        }),
        flow_version_attribute: None,
        time_scale: 1.0,
    }
}

fn query(metrics: &[&str], group_by: &[&str], granularity: Option<&str>) -> AggregationQuery {
    AggregationQuery {
        interval: "2024-01-15T08:00:00.000Z/2024-01-15T10:00:00.000Z".to_string(),
        granularity: granularity.map(str::to_string),
        group_by: group_by.iter().map(|item| item.to_string()).collect(),
        metrics: metrics.iter().map(|item| item.to_string()).collect(),
        ..AggregationQuery::default()
    }
}

#[test]
fn totals_abandonment_and_asa_follow_the_records() {
    let records =
        vec![call("a", "1.0", 0, 20_000, true), call("b", "1.0", 60_000, 40_000, true), call("c", "2.0", HOUR, 5_000, false)];
    let response = conversation_aggregates(&records, &query(&["nOffered", "tAnswered", "tAbandon"], &[], None)).expect("valid");
    assert_eq!(response.total("nOffered").count, Some(3));
    let answered = response.total("tAnswered");
    assert_eq!((answered.count, answered.sum, answered.max), (Some(2), Some(60_000.0), Some(40_000.0)));
    assert_eq!(response.total("tAbandon").count, Some(1));

    // Per version: the grouped results partition the totals.
    let by_version =
        conversation_aggregates(&records, &query(&["nOffered", "tAbandon"], &["flowVersion"], Some("PT30M"))).expect("valid");
    let one = by_version.group("flowVersion", "1.0").expect("version 1.0");
    let two = by_version.group("flowVersion", "2.0").expect("version 2.0");
    assert_eq!(one.data.len(), 1);
    assert_eq!(one.data[0].interval, "2024-01-15T08:00:00.000Z/2024-01-15T08:30:00.000Z");
    assert!(one.data[0].metrics.iter().all(|metric| metric.metric != "tAbandon"));
    assert_eq!(two.data[0].interval, "2024-01-15T09:00:00.000Z/2024-01-15T09:30:00.000Z");
}

#[test]
fn filters_and_errors() {
    let records = vec![call("a", "1.0", 60_000, 20_000, true), call("b", "2.0", 60_000, 20_000, false)];
    let mut filtered = query(&["nOffered"], &[], None);
    filtered.filter = Some(QueryFilter {
        filter_type: "or".to_string(),
        predicates: vec![QueryPredicate::matches("flowVersion", "2.0"), QueryPredicate::matches("flowVersion", "9.9")],
        clauses: Vec::new(),
    });
    assert_eq!(conversation_aggregates(&records, &filtered).expect("valid").total("nOffered").count, Some(1));
    let by_version = conversation_aggregates(&records, &query(&["nOffered", "tAnswered", "tAbandon"], &["flowVersion"], None)).expect("valid");
    let summaries = AggregateSummary::from_response(&by_version, "flowVersion");
    let two = summaries.group("2.0").expect("version 2.0");
    assert_eq!((two.offered, two.abandoned, two.abandon_rate(), two.average_speed_of_answer_ms()), (1, 1, Some(1.0), None));
    let one = summaries.group("1.0").expect("version 1.0");
    assert_eq!((one.abandon_rate(), one.average_speed_of_answer_ms()), (Some(0.0), Some(20_000.0)));
    let unknown = conversation_aggregates(&records, &query(&["nBogus"], &[], None)).expect_err("unknown metric");
    assert!(unknown.0.contains("nBogus"));
    let flows = flow_aggregates(&records, &query(&["nFlow", "tFlowExit"], &["flowVersion"], None)).expect("valid");
    assert_eq!(flows.total("nFlow").count, Some(2));
    assert_eq!(flows.total("tFlowExit").sum, Some(20_000.0));
}

#[test]
fn queue_report_computes_rates() {
    let records = vec![call("a", "1.0", 0, 20_000, true), call("b", "1.0", 0, 30_000, false)];
    let names = BTreeMap::from([("q1".to_string(), "Sales".to_string())]);
    let report = queue_report(&records, "2024-01-15T08:00:00.000Z", "2024-01-15T08:15:00.000Z", "PT5M", &names).expect("valid");
    assert_eq!(report.entities.len(), 1);
    let row = &report.entities[0];
    assert_eq!((row.n_offered, row.n_answered, row.n_abandoned), (2, 1, 1));
    assert_eq!(row.abandon_rate, 0.5);
    assert_eq!(row.average_speed_of_answer_ms, Some(20_000.0));
}

#[test]
fn simulated_records_are_queried_like_wall_clock_ones() {
    use std::sync::Arc;
    use switchboard_simulation::engine::{CallOutcome, CallRecord};
    use switchboard_simulation::runtime::{BlockVisit, CallPath, Terminal, TerminalOutcome};
    let path = CallPath {
        visits: vec![BlockVisit { flow_id: Arc::from("Main"), flow_version: Arc::from("3"), block: Arc::from("q") }],
        data_actions: Vec::new(),
        inputs: Vec::new(),
        modules: Vec::new(),
        terminal: Some(Terminal {
            flow_id: Arc::from("Main"),
            flow_version: Arc::from("3"),
            block: Arc::from("q"),
            outcome: TerminalOutcome::Queue { queue: "Sales".to_string(), priority: 0 },
            detail: None,
        }),
    };
    let simulated = CallRecord {
        call_id: 9,
        did: Arc::from("+13175550000"),
        arrived_at_ms: 1_000,
        ended_at_ms: 200_000,
        flow_ms: 4_000,
        queue: Some(Arc::from("Sales")),
        queued_at_ms: Some(5_000),
        outcome: CallOutcome::Answered { wait_ms: 12_000, talk_ms: 100_000, wrapup_ms: 10_000, agent: 2 },
        path,
        participant_data: BTreeMap::new(),
        in_warmup: false,
    };
    let record = from_simulated(&simulated, T0, |name| format!("id-{name}"));
    let response = conversation_aggregates(&[record], &query(&["nOffered", "tAnswered", "tHandle"], &["queueId", "flowVersion"], None))
        .expect("valid");
    let group = response.group("queueId", "id-Sales").expect("queue group");
    assert_eq!(group.group.get("flowVersion").map(String::as_str), Some("3"));
    assert_eq!(response.total("tAnswered").sum, Some(12_000.0));
    assert_eq!(response.total("tHandle").sum, Some(110_000.0));
}

#[test]
fn records_are_bounded_oldest_first_and_evictions_counted() {
    let mut kept: std::collections::VecDeque<ConversationRecord> =
        (0..5).map(|index| call(&format!("c{index}"), "1", index * 1_000, 0, true)).collect();
    assert_eq!(super::trim(&mut kept, 3), 2);
    let ids: Vec<&str> = kept.iter().map(|record| record.conversation_id.as_str()).collect();
    assert_eq!(ids, ["c2", "c3", "c4"], "the oldest go first");

    // Through the store: a record nine days newer ages the others out, and /metrics counts them.
    let store = super::AnalyticsStore::default();
    store.extend("org", kept);
    store.push("org", call("late", "1", 9 * 86_400_000, 0, true));
    assert_eq!(store.records("org").len(), 1);
    assert_eq!(store.evicted().get(), 3);
    let metrics = crate::middleware::metrics::Metrics::new(store.evicted());
    assert!(metrics.encode().contains("switchboard_emulator_analytics_records_evicted_total 3"), "{}", metrics.encode());
}
