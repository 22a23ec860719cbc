use super::*;
use crate::load::parse_flow_yaml;

/// Validates a YAML flow and renders each diagnostic as `severity code @block`, sorted, so a
/// case states exactly what must be found and nothing else.
fn findings(yaml: &str, catalog: &Catalog) -> Vec<String> {
    let flow = parse_flow_yaml(yaml, "test.yaml").unwrap_or_else(|error| panic!("test flow must parse: {error}"));
    let mut rendered: Vec<String> = validate(&flow, catalog)
        .iter()
        .map(|diagnostic| {
            let severity = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!("{severity} {} @{}", diagnostic.code, diagnostic.block.as_deref().unwrap_or("-"))
        })
        .collect();
    rendered.sort();
    rendered
}

const HEADER: &str = "name: T\nvariables:\n  Region: {type: string}\nstart: begin\nblocks:\n";

fn flow(blocks: &str) -> String {
    format!("{HEADER}{blocks}")
}

#[test]
fn a_sound_flow_has_no_findings() {
    let yaml = flow(
        "  begin: {type: decision, condition: \"=Region == 'eu'\", on_true: lookup, on_false: queue}
  lookup:
    type: data_action
    integration: CRM
    inputs: {ani: '=Call.Ani'}
    outputs: {tier: Tier}
    timeout_ms: 3000
    retry: {max_attempts: 3, initial_delay_ms: 200}
    on_success: queue
    on_error: fallback
  queue: {type: transfer_to_queue, queue: Support, on_failure: bye}
  fallback: {type: transfer_to_queue, queue: Support, priority: 5, on_failure: bye}
  bye: {type: disconnect}
",
    );
    let catalog = Catalog {
        integrations: Some(["CRM".to_string()].into()),
        queues: Some(["Support".to_string()].into()),
        ..Catalog::default()
    };
    assert_eq!(findings(&yaml, &catalog), Vec::<String>::new());
}

#[test]
fn graph_problems() {
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "dangling successor and unreachable block",
            flow("  begin: {type: play, prompt: hi, next: nowhere}\n  orphan: {type: disconnect}\n"),
            vec!["error missing-block @begin", "error no-terminal @-", "warning unreachable-block @orphan"],
        ),
        (
            "missing start",
            "name: T\nstart: ghost\nblocks:\n  bye: {type: disconnect}\n".to_string(),
            vec!["error missing-block @-"],
        ),
        (
            "tight loop without wait, no exit",
            flow("  begin: {type: set_variable, variable: Region, value: eu, next: again}\n  again: {type: set_variable, variable: Region, value: us, next: begin}\n"),
            vec!["error cycle-without-wait @again", "error no-terminal @-"],
        ),
        (
            "loop with a wait and an exit is fine",
            flow("  begin: {type: decision, condition: \"=Region == 'eu'\", on_true: hold, on_false: bye}\n  hold: {type: wait, duration_ms: 1000, next: begin}\n  bye: {type: disconnect}\n"),
            vec![],
        ),
        (
            "trapped sub-loop with a wait",
            flow("  begin: {type: decision, condition: '=true', on_true: hold, on_false: bye}\n  hold: {type: wait, duration_ms: 1000, next: hold}\n  bye: {type: disconnect}\n"),
            vec!["warning no-terminal @hold"],
        ),
        (
            "self loop",
            flow("  begin: {type: decision, condition: '=true', on_true: begin, on_false: bye}\n  bye: {type: disconnect}\n"),
            vec!["error cycle-without-wait @begin"],
        ),
    ];
    for (label, yaml, expected) in cases {
        assert_eq!(findings(&yaml, &Catalog::default()), expected, "{label}");
    }
}

#[test]
fn block_problems() {
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unparsable and undeclared",
            flow("  begin: {type: decision, condition: '=Region ==', on_true: bye, on_false: other}\n  other: {type: set_variable, variable: X, value: '=Nope + 1', next: bye}\n  bye: {type: disconnect}\n"),
            vec!["error undeclared-variable @other", "error unparsable-expression @begin"],
        ),
        (
            "condition written without =",
            flow("  begin: {type: decision, condition: \"Region == 'eu'\", on_true: bye, on_false: bye}\n  bye: {type: disconnect}\n"),
            vec!["error literal-condition @begin"],
        ),
        (
            "weights over 100 and negative",
            flow("  begin:\n    type: randomize\n    branches: [{weight: 70, next: bye}, {weight: 40, next: bye}, {weight: -1, next: bye}]\n    default: bye\n  bye: {type: disconnect}\n"),
            vec!["error invalid-weight @begin", "error weights-over-100 @begin"],
        ),
        (
            "retry storm, slow timeout, error path that goes nowhere safe",
            flow("  begin:\n    type: data_action\n    integration: CRM\n    timeout_ms: 8000\n    retry: {max_attempts: 3, initial_delay_ms: 0}\n    on_success: bye\n    on_error: elsewhere\n  bye: {type: disconnect}\n  elsewhere: {type: transfer_to_flow, flow: Other}\n"),
            vec!["error retry-without-backoff @begin", "warning on-error-not-handled @begin", "warning timeout-over-sla @begin"],
        ),
        (
            "wait with both durations and an unknown variable",
            flow("  begin: {type: wait, duration_ms: 5, duration_from: Delay, next: bye}\n  bye: {type: disconnect}\n"),
            vec!["error invalid-wait @begin", "error undeclared-variable @begin"],
        ),
    ];
    for (label, yaml, expected) in cases {
        assert_eq!(findings(&yaml, &Catalog::default()), expected, "{label}");
    }
}

#[test]
fn catalog_references_are_checked_only_when_known() {
    let yaml = flow(
        "  begin: {type: datatable_lookup, datatable: Control, key: Main, outputs: {Active_Flow_ID: Target, Bogus: B}, on_found: hop, on_not_found: queue}
  hop: {type: transfer_to_flow, flow: '=Target', on_failure: queue}
  queue: {type: transfer_to_queue, queue: Sales, on_failure: flow}
  flow: {type: transfer_to_flow, flow: Missing_Flow, on_failure: action}
  action: {type: data_action, integration: Ghost, timeout_ms: 1000, on_success: bye, on_error: failed}
  bye: {type: disconnect}
  failed: {type: disconnect, reason: error}
",
    );
    assert_eq!(findings(&yaml, &Catalog::default()), Vec::<String>::new());
    let catalog = Catalog {
        integrations: Some(["CRM".to_string()].into()),
        queues: Some(["Support".to_string()].into()),
        datatables: Some([("Control".to_string(), ["Active_Flow_ID".to_string()].into())].into()),
        flows: Some(["Main".to_string()].into()),
    };
    assert_eq!(
        findings(&yaml, &catalog),
        vec![
            "error unknown-datatable-column @begin",
            "error unknown-flow @flow",
            "error unknown-integration @action",
            "error unknown-queue @queue",
        ]
    );
    // Unresolved template variables are not reported as unknown names.
    let templated = yaml.replace("Sales", "'{{QUEUE}}'");
    assert!(!findings(&templated, &catalog).contains(&"error unknown-queue @queue".to_string()));
}

#[test]
fn report_splits_errors_and_warnings() {
    let report = ValidationReport::from_diagnostics(vec![
        Diagnostic::warning("timeout-over-sla", Some("a"), "slow"),
        Diagnostic::error("missing-block", None, "gone"),
    ]);
    assert!(!report.valid);
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(json["errors"][0]["severity"], "error");
    assert_eq!(json["warnings"][0]["code"], "timeout-over-sla");
    assert_eq!(json["warnings"][0]["block"], "a");
    assert!(ValidationReport::from_diagnostics(vec![Diagnostic::warning("x", None, "y")]).valid);
}

/// The Architect blocks: their successors are graph edges, the variables they write are known,
/// bounded loops are not spinning loops, and their own rules hold.
#[test]
fn architect_blocks() {
    let sound = flow(
        "  begin:
    type: menu
    prompt: Press 1 or 2.
    choices:
      - {dtmf: '1', next: collect}
      - {dtmf: '2', speech: [agent], next: queue}
  collect:
    type: collect_input
    prompt: Your account?
    variable: Flow.Account
    min_digits: 4
    max_digits: 8
    on_success: retries
    on_failure: begin
  retries: {type: loop, count: 3, index_variable: Flow.Try, body: find, next: queue}
  find: {type: find_queue, queue_name: Support, variable: Flow.Queue, on_found: got, on_not_found: again}
  again: {type: loop_next, loop_block: retries}
  got: {type: loop_exit, loop_block: retries, next: remember}
  remember:
    type: update_data
    statements:
      - {variable: Flow.Seen, type: boolean, value: true}
      - {variable: Flow.Copy, type: string, value: '=Flow.Account'}
    next: hours
  hours:
    type: evaluate_schedule_group
    schedule_group: Hours
    on_open: queue
    on_closed: voicemail
    on_holiday: voicemail
    on_emergency: done
  voicemail: {type: transfer_to_voicemail, target: Support}
  done: {type: end_task}
  queue: {type: transfer_to_queue, queue: '=Flow.Queue', on_failure: done}
",
    );
    // Menu choice 2 goes straight to `queue`, which reads `Flow.Queue` before `find` sets it.
    assert_eq!(findings(&sound, &Catalog::default()), vec!["warning read-before-set @queue"]);

    let broken = flow(
        "  begin:
    type: collect_input
    prompt: ''
    variable: Flow.X
    min_digits: 5
    max_digits: 2
    on_success: next
    on_failure: next
  next: {type: loop_next, loop_block: begin}
",
    );
    assert_eq!(
        findings(&broken, &Catalog::default()),
        vec!["error invalid-digits @begin", "error no-terminal @-", "error not-a-loop @next"]
    );
}

#[test]
fn a_shared_catalog_joins_without_unchecking_a_family() {
    let names = |items: &[&str]| Some(items.iter().map(|item| item.to_string()).collect::<BTreeSet<String>>());
    let mut spoke = Catalog { queues: names(&["Support"]), flows: names(&["Main"]), ..Catalog::default() };
    let hub = Catalog { queues: names(&["Global Escalation"]), integrations: names(&["CRM"]), ..Catalog::default() };
    spoke.extend(hub);
    assert_eq!(spoke.queues, names(&["Support", "Global Escalation"]));
    assert_eq!(spoke.integrations, names(&["CRM"]), "a family the hub lists becomes checked");
    assert_eq!(spoke.flows, names(&["Main"]), "a family only the spoke lists stays as it was");
    assert_eq!(spoke.datatables, None, "neither lists tables: still unchecked");
}
