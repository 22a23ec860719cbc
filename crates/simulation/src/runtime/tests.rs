use super::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::cell::RefCell;
use std::collections::HashMap;
use switchboard_model::flow::FlowDefinition;

#[derive(Default)]
struct TestWorld {
    flows: HashMap<String, FlowHandle>,
    rows: RefCell<HashMap<(String, String), BTreeMap<String, String>>>,
    /// After the first look-up, every row's `Active_Flow_ID` becomes this (a cutover mid-call).
    flip_after_first_read: Option<String>,
    /// Queue names `find_queue` finds.
    queues: Vec<String>,
}

impl FlowWorld for TestWorld {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        self.flows.get(reference).cloned()
    }
    fn queue_by_ref(&self, reference: &str) -> Option<String> {
        self.queues.iter().find(|queue| *queue == reference).map(|queue| format!("{queue}-id"))
    }
    fn datatable_row(&self, table: &str, key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError> {
        if table == "Broken" {
            return Err(LookupError("store down".into()));
        }
        let row = self.rows.borrow().get(&(table.to_string(), key.to_string())).cloned();
        if let Some(target) = &self.flip_after_first_read {
            for row in self.rows.borrow_mut().values_mut() {
                row.insert("Active_Flow_ID".into(), target.clone());
            }
        }
        Ok(row)
    }
}

fn handle(yaml: &str, version: &str) -> FlowHandle {
    let definition: FlowDefinition = serde_saphyr::from_str(yaml).expect("test flow parses");
    let program = FlowProgram::compile(&definition).expect("test flow compiles");
    FlowHandle {
        id: Arc::from(definition.name.as_str()),
        name: Arc::from(definition.name.as_str()),
        version: Arc::from(version),
        program: Arc::new(program),
        stamps_flow_version: true,
    }
}

const MAIN: &str = r#"
name: Main
start: greet
blocks:
  greet: { type: play, prompt: hello, duration_ms: 1500, next: tier }
  tier: { type: set_variable, variable: Tier, value: "=coalesce(Tier, 'basic')", next: vip }
  vip: { type: decision, condition: "=Tier == 'gold'", on_true: gold_q, on_false: lookup }
  lookup:
    type: data_action
    integration: CRM
    inputs: { Phone: "=ANI", Version: "=Flow_Version" }
    outputs: { tier: Tier }
    timeout_ms: 3000
    retry: { max_attempts: 3, backoff: exponential, initial_delay_ms: 1000, max_delay_ms: 8000 }
    on_success: vip2
    on_error: fallback
    on_timeout: timeout_q
  vip2: { type: decision, condition: "=Tier == 'gold'", on_true: gold_q, on_false: basic_q }
  gold_q: { type: transfer_to_queue, queue: Gold, priority: 5 }
  basic_q: { type: transfer_to_queue, queue: Basic }
  fallback: { type: transfer_to_queue, queue: Fallback }
  timeout_q: { type: transfer_to_queue, queue: Slow }
"#;

fn start(world: &TestWorld, flow: &str) -> CallExecution {
    let entry = world.flows.get(flow).cloned().expect("flow exists");
    CallExecution::new(entry, BTreeMap::from([("ANI".to_string(), "+15550100".to_string())]))
}

fn main_world() -> TestWorld {
    let mut world = TestWorld::default();
    world.flows.insert("Main".into(), handle(MAIN, "7"));
    world
}

#[test]
fn runs_to_the_data_action_and_sends_evaluated_inputs() {
    let world = main_world();
    let mut rng = StdRng::seed_from_u64(1);
    let mut call = start(&world, "Main");
    assert_eq!(call.step(&world, &mut rng), Effect::Play { ms: 1500 });
    let Effect::CallDataAction { integration, inputs, attempt, timeout_ms } = call.step(&world, &mut rng) else {
        panic!("expected a data action");
    };
    assert_eq!((&*integration, attempt, timeout_ms), ("CRM", 1, 3000));
    assert_eq!(inputs.get("Phone").map(String::as_str), Some("+15550100"));
    assert_eq!(inputs.get("Version").map(String::as_str), Some("7"));
    let outputs = BTreeMap::from([("tier".to_string(), "gold".to_string())]);
    assert!(call.complete_data_action(DataActionOutcome::Success { outputs }, 120));
    assert_eq!(call.step(&world, &mut rng), Effect::TransferToQueue { queue: "Gold".into(), priority: 5 });
    let blocks: Vec<&str> = call.path().visits.iter().map(|visit| &*visit.block).collect();
    assert_eq!(blocks, ["greet", "tier", "vip", "lookup", "vip2", "gold_q"]);
    assert_eq!(call.elapsed_ms(), 1620);
}

#[test]
fn failures_retry_with_growing_backoff_then_take_on_error() {
    let world = main_world();
    let mut rng = StdRng::seed_from_u64(2);
    let mut call = start(&world, "Main");
    call.step(&world, &mut rng);
    let mut backoffs = Vec::new();
    loop {
        match call.step(&world, &mut rng) {
            Effect::CallDataAction { .. } => {
                let failure = DataActionOutcome::Failure { status: Some(503), retry_after_ms: None };
                assert!(call.complete_data_action(failure, 50));
            }
            Effect::Backoff { ms } => backoffs.push(ms),
            other => {
                assert_eq!(other, Effect::TransferToQueue { queue: "Fallback".into(), priority: 0 });
                break;
            }
        }
    }
    assert_eq!(call.path().data_actions.len(), 3);
    assert_eq!(backoffs.len(), 2);
    assert!(backoffs[0] < backoffs[1], "{backoffs:?}");
}

#[test]
fn retry_after_is_honoured_and_a_final_timeout_takes_on_timeout() {
    let world = main_world();
    let mut rng = StdRng::seed_from_u64(3);
    let mut call = start(&world, "Main");
    call.step(&world, &mut rng);
    call.step(&world, &mut rng);
    call.complete_data_action(DataActionOutcome::Failure { status: Some(429), retry_after_ms: Some(2_000) }, 10);
    let Effect::Backoff { ms } = call.step(&world, &mut rng) else { panic!("expected backoff") };
    assert!(ms >= 2_000);
    assert!(matches!(call.step(&world, &mut rng), Effect::CallDataAction { attempt: 2, .. }));
    call.complete_data_action(DataActionOutcome::Timeout, 3_000);
    call.step(&world, &mut rng);
    call.step(&world, &mut rng);
    call.complete_data_action(DataActionOutcome::Timeout, 3_000);
    assert_eq!(call.step(&world, &mut rng), Effect::TransferToQueue { queue: "Slow".into(), priority: 0 });
}

#[test]
fn client_errors_are_not_retried() {
    let world = main_world();
    let mut rng = StdRng::seed_from_u64(4);
    let mut call = start(&world, "Main");
    call.step(&world, &mut rng);
    call.step(&world, &mut rng);
    call.complete_data_action(DataActionOutcome::Failure { status: Some(404), retry_after_ms: None }, 10);
    assert_eq!(call.step(&world, &mut rng), Effect::TransferToQueue { queue: "Fallback".into(), priority: 0 });
    assert_eq!(call.path().data_actions.len(), 1);
}

const COP: &str = r#"
name: Cop
start: read
blocks:
  read:
    type: datatable_lookup
    datatable: Deployment_Control
    key: Environment_State
    outputs: { Active_Flow_ID: Target }
    on_found: go
    on_not_found: bye
  go: { type: transfer_to_flow, flow: "=Target" }
  bye: { type: disconnect, reason: no_route }
"#;

const LEAF: &str = r#"
name: Leaf
start: back
blocks:
  back: { type: decision, condition: "=coalesce(Looped, 'no') == 'yes'", on_true: q, on_false: mark }
  mark: { type: set_variable, variable: Looped, value: "yes", next: again }
  again: { type: transfer_to_flow, flow: Cop }
  q: { type: transfer_to_queue, queue: "=Flow_Version" }
"#;

#[test]
fn flow_version_sticks_across_transfers_and_rows_are_read_live() {
    let mut world = TestWorld::default();
    let mut cop = handle(COP, "cop-1");
    cop.stamps_flow_version = false;
    world.flows.insert("Cop".into(), cop);
    let mut blue = handle(&LEAF.replace("name: Leaf", "name: Blue"), "blue-3");
    blue.id = Arc::from("blue-id");
    world.flows.insert("blue-id".into(), blue);
    let mut green = handle(&LEAF.replace("name: Leaf", "name: Green"), "green-4");
    green.id = Arc::from("green-id");
    world.flows.insert("green-id".into(), green);
    world.flip_after_first_read = Some("green-id".into());
    let row = BTreeMap::from([("Active_Flow_ID".to_string(), "blue-id".to_string())]);
    world.rows.borrow_mut().insert(("Deployment_Control".into(), "Environment_State".into()), row);
    let mut rng = StdRng::seed_from_u64(5);

    // Cop → Blue (stamps blue-3) → Cop again, but the table now points at Green → Green. The call
    // lands in Green with the Flow_Version it got in Blue.
    let mut call = start(&world, "Cop");
    assert_eq!(call.step(&world, &mut rng), Effect::TransferToQueue { queue: "blue-3".into(), priority: 0 });
    let flows: Vec<String> = call.path().flows().iter().map(|(id, version)| format!("{id}@{version}")).collect();
    assert_eq!(flows, ["Cop@cop-1", "blue-id@blue-3", "green-id@green-4"]);
    assert_eq!(call.participant_data().get("Looped").map(String::as_str), Some("yes"));
}

#[test]
fn a_router_that_does_not_stamp_leaves_the_version_to_the_next_flow() {
    let mut world = main_world();
    let mut cop = handle(&COP.replace("=Target", "Main"), "cop-1");
    cop.stamps_flow_version = false;
    world.flows.insert("Cop".into(), cop);
    let mut call = start(&world, "Cop");
    let mut rng = StdRng::seed_from_u64(9);
    // Row missing: the Cop disconnects, and no version was stamped.
    assert_eq!(call.step(&world, &mut rng), Effect::Disconnect { reason: Arc::from("no_route") });
    assert!(!call.participant_data().contains_key(FLOW_VERSION_ATTRIBUTE));
    let terminal = call.path().terminal.clone().expect("terminal recorded");
    assert_eq!(&*terminal.block, "bye");
}

#[test]
fn an_endless_loop_is_cut_off() {
    let looping = r#"
name: Loop
start: a
blocks:
  a: { type: set_variable, variable: X, value: "1", next: b }
  b: { type: decision, condition: "=X == 1", on_true: a, on_false: a }
"#;
    let mut world = TestWorld::default();
    world.flows.insert("Loop".into(), handle(looping, "1"));
    let mut rng = StdRng::seed_from_u64(6);
    let mut call = start(&world, "Loop").with_step_limit(50);
    assert_eq!(call.step(&world, &mut rng), Effect::Disconnect { reason: Arc::from("loop") });
    assert_eq!(call.path().visits.len(), 50);
}

#[test]
fn dangling_successors_fail_to_compile() {
    let broken = "name: B\nstart: a\nblocks:\n  a: { type: play, prompt: x, next: nowhere }\n";
    let definition: FlowDefinition = serde_saphyr::from_str(broken).expect("parses");
    assert!(matches!(FlowProgram::compile(&definition), Err(ProgramError::DanglingSuccessor { .. })));
}

const CLOCK: &str = r#"
name: Clock
start: greet
blocks:
  greet: { type: play, prompt: hello, duration_ms: 90000, next: stamp }
  stamp: { type: set_variable, variable: Stamp, value: "=ToString(GetCurrentDateTimeUtc())", next: dice }
  dice: { type: set_variable, variable: Dice, value: "=Random(1, 1000000)", next: done }
  done: { type: transfer_to_queue, queue: Basic }
"#;

#[test]
fn expressions_read_the_call_clock_and_the_driver_seed() {
    let mut world = TestWorld::default();
    world.flows.insert("Clock".into(), handle(CLOCK, "1"));
    let run = |seed: u64| {
        let entry = world.flows.get("Clock").cloned().expect("flow exists");
        // The call starts at 2026-11-29T04:00:00Z; the prompt takes 90 s of flow time.
        let mut call = CallExecution::new(entry, BTreeMap::new()).with_clock_origin_ms(1_795_924_800_000);
        let mut rng = StdRng::seed_from_u64(seed);
        let effects: Vec<Effect> = (0..2).map(|_| call.step(&world, &mut rng)).collect();
        assert_eq!(effects[1], Effect::TransferToQueue { queue: "Basic".into(), priority: 0 });
        call.participant_data().clone()
    };
    let first = run(1);
    assert_eq!(first.get("Stamp").map(String::as_str), Some("2026-11-29T04:01:30.000Z"));
    assert_eq!(first, run(1), "the same seed draws the same Random");
    assert_ne!(first.get("Dice"), run(2).get("Dice"), "another seed draws another");
}

// ---- The Architect blocks, one table of cases run through one helper. ----

/// Runs a call to its end: timed effects are skipped, data actions succeed with no outputs.
/// Returns the call, its last effect (a terminal one) and the play/wait time it took.
fn drive(world: &TestWorld, flow: &str, caller: Caller, data: &[(&str, &str)], seed: u64) -> (CallExecution, Effect, u64) {
    let entry = world.flows.get(flow).cloned().expect("flow exists");
    let data = data.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
    let mut call = CallExecution::new(entry, data).with_caller(caller);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut played_ms = 0;
    for _ in 0..10_000 {
        match call.step(world, &mut rng) {
            Effect::Play { ms } | Effect::Wait { ms } | Effect::Backoff { ms } => played_ms += ms,
            Effect::CallDataAction { .. } => {
                call.complete_data_action(DataActionOutcome::Success { outputs: BTreeMap::new() }, 0);
            }
            terminal => return (call, terminal, played_ms),
        }
    }
    panic!("call never ended");
}

fn end_text(effect: &Effect) -> String {
    match effect {
        Effect::TransferToQueue { queue, .. } => format!("queue:{queue}"),
        Effect::Disconnect { reason } => format!("disconnect:{reason}"),
        Effect::TransferToVoicemail { target } => format!("voicemail:{target}"),
        other => format!("{other:?}"),
    }
}

const GREETING_MODULE: &str = r#"
name: Greeting Module
flow_type: common_module
start: greet
blocks:
  greet: { type: update_data, statements: [{ variable: Common.Greeting, type: string, value: "='Hello ' + Common.Name" }], next: done }
  done: { type: end_task }
"#;

const NOT_A_MODULE: &str = "name: Plain\nstart: bye\nblocks:\n  bye: { type: disconnect }\n";

fn architect_world(flow: &str) -> TestWorld {
    let mut world = TestWorld::default();
    world.flows.insert("T".into(), handle(flow, "1"));
    world.flows.insert("Greeting Module".into(), handle(GREETING_MODULE, "1"));
    world.flows.insert("Plain".into(), handle(NOT_A_MODULE, "1"));
    world.queues = vec!["Sales".into(), "Support".into()];
    world
}

const MENU: &str = r#"
name: T
start: main
blocks:
  main:
    type: menu
    prompt: "For sales press 1, for support press 2"
    choices:
      - { dtmf: "1", speech: [sales], next: sales }
      - { dtmf: "2", speech: [support, help], next: support }
    default: bye
  sales: { type: transfer_to_queue, queue: Sales }
  support: { type: transfer_to_queue, queue: Support }
  bye: { type: disconnect, reason: no_choice }
"#;

const MENU_NO_DEFAULT: &str = r#"
name: T
start: main
blocks:
  main: { type: menu, prompt: p, choices: [{ dtmf: "1", next: sales }] }
  sales: { type: transfer_to_queue, queue: Sales }
"#;

const COLLECT: &str = r##"
name: T
start: account
blocks:
  account: { type: collect_input, prompt: "Enter your account", variable: Account, min_digits: 4, max_digits: 6, terminator: "#", on_success: known, on_failure: bye }
  known: { type: transfer_to_queue, queue: "=Account" }
  bye: { type: disconnect, reason: no_account }
"##;

const DATA: &str = r#"
name: T
start: set
blocks:
  set:
    type: update_data
    statements:
      - { variable: Flow.Count, type: integer, value: " 42" }
      - { variable: Flow.Vip, type: boolean, value: "=Tier == 'gold'" }
      - { variable: Flow.Label, type: string, value: "=Flow.Count + '/' + Flow.Vip" }
    next: write
  write: { type: set_participant_data, attributes: [{ name: Label, value: "=Flow.Label" }], next: read }
  read: { type: get_participant_data, attributes: [{ name: Label, variable: Flow.Read }, { name: Missing, variable: Flow.Gone }], next: q }
  q: { type: transfer_to_queue, queue: "=Flow.Read" }
"#;

const BAD_INTEGER: &str = r#"
name: T
start: set
blocks:
  set: { type: update_data, statements: [{ variable: Num, type: integer, value: "abc" }], next: q }
  q: { type: transfer_to_queue, queue: Sales }
"#;

const VOICEMAIL: &str = r#"
name: T
start: vm
blocks:
  vm: { type: transfer_to_voicemail, target: "=coalesce(Box, '')", on_failure: bye }
  bye: { type: disconnect, reason: no_box }
"#;

const FIND_QUEUE: &str = r#"
name: T
start: find
blocks:
  find: { type: find_queue, queue_name: "=Wanted", variable: Flow.Queue, on_found: go, on_not_found: bye }
  go: { type: transfer_to_queue, queue: "=Flow.Queue" }
  bye: { type: disconnect, reason: no_queue }
"#;

const MODULE_CALL: &str = r#"
name: T
start: call
blocks:
  call:
    type: call_common_module
    module: "{{MODULE}}"
    inputs: { Common.Name: "=Caller" }
    outputs: { Common.Greeting: Flow.Greeting }
    next: after
  after: { type: transfer_to_queue, queue: "=Flow.Greeting" }
"#;

const TASKS: &str = r#"
name: T
start: first
blocks:
  first: { type: call_task, task: task_a, next: second }
  task_a: { type: set_variable, variable: Seen, value: "a", next: task_a_end }
  task_a_end: { type: end_task, implicit: true }
  second: { type: call_task, task: task_b, next: q }
  task_b: { type: call_task, task: task_c, next: task_b_end }
  task_b_end: { type: end_task }
  task_c: { type: set_variable, variable: Seen, value: "=Seen + 'c'", next: task_c_end }
  task_c_end: { type: end_task }
  q: { type: transfer_to_queue, queue: "=Seen" }
"#;

const END_OF_FLOW: &str = "name: T\nstart: done\nblocks:\n  done: { type: end_task }\n";

const LOOPS: &str = r#"
name: T
start: init
blocks:
  init: { type: set_variable, variable: Trail, value: "i", next: outer }
  outer: { type: loop, count: "=Times", index_variable: I, body: add, next: q }
  add: { type: set_variable, variable: Trail, value: "=Trail + I", next: check }
  check: { type: decision, condition: "=I == StopAt", on_true: leave, on_false: again }
  again: { type: loop_next, loop_block: outer }
  leave: { type: loop_exit, loop_block: outer, next: q }
  q: { type: transfer_to_queue, queue: "=Trail" }
"#;

const TIMED: &str = r#"
name: T
start: music
blocks:
  music: { type: hold_music, prompt: jazz, duration_ms: 30000, next: ewt }
  ewt: { type: play_estimated_wait_time, duration_ms: 4000, next: q }
  q: { type: transfer_to_queue, queue: Sales }
"#;

const SCHEDULE: &str = r#"
name: T
start: hours
blocks:
  hours: { type: evaluate_schedule_group, schedule_group: Support Hours, emergency_group: Storm, on_open: open, on_closed: closed, on_holiday: holiday, on_emergency: emergency }
  open: { type: transfer_to_queue, queue: Support }
  closed: { type: disconnect, reason: closed }
  holiday: { type: disconnect, reason: holiday }
  emergency: { type: disconnect, reason: emergency }
"#;

struct Case {
    name: &'static str,
    flow: String,
    caller: Caller,
    data: &'static [(&'static str, &'static str)],
    blocks: &'static [&'static str],
    end: &'static str,
    /// Participant data after the call: `None` means the variable must be unset.
    expect: &'static [(&'static str, Option<&'static str>)],
}

fn case(name: &'static str, flow: &str, dtmf: Option<&str>, blocks: &'static [&'static str], end: &'static str) -> Case {
    let caller = dtmf.map(Caller::scripted).unwrap_or_default();
    Case { name, flow: flow.to_string(), caller, data: &[], blocks, end, expect: &[] }
}

fn with_data(mut case: Case, data: &'static [(&'static str, &'static str)]) -> Case {
    case.data = data;
    case
}

fn expecting(mut case: Case, expect: &'static [(&'static str, Option<&'static str>)]) -> Case {
    case.expect = expect;
    case
}

#[test]
fn every_architect_block_runs() {
    let weighted = CallerSpec {
        menus: BTreeMap::from([("main".to_string(), BTreeMap::from([("help".to_string(), 1.0)]))]),
        ..CallerSpec::default()
    };
    let cases = vec![
        case("menu: a scripted key", MENU, Some("2"), &["main", "support"], "queue:Support"),
        case("menu: a key no choice has takes the default", MENU, Some("9"), &["main", "bye"], "disconnect:no_choice"),
        case("menu: no input takes the default", MENU, Some(""), &["main", "bye"], "disconnect:no_choice"),
        case("menu: no input and no default disconnects", MENU_NO_DEFAULT, Some(""), &["main"], "disconnect:menu_no_input"),
        Case {
            caller: Caller::new(Arc::new(weighted)),
            ..case("menu: scenario weights by speech term", MENU, None, &["main", "support"], "queue:Support")
        },
        expecting(
            case("collect_input: digits up to the terminator", COLLECT, Some("12345#"), &["account", "known"], "queue:12345"),
            &[("Account", Some("12345"))],
        ),
        case("collect_input: stops at max_digits", COLLECT, Some("12345678"), &["account", "known"], "queue:123456"),
        expecting(
            case("collect_input: too few digits", COLLECT, Some("12#"), &["account", "bye"], "disconnect:no_account"),
            &[("Account", None)],
        ),
        case("collect_input: no input", COLLECT, Some(""), &["account", "bye"], "disconnect:no_account"),
        expecting(
            with_data(case("update_data and participant data", DATA, None, &["set", "write", "read", "q"], "queue:42/true"), &[
                ("Tier", "gold"),
            ]),
            &[("Flow.Count", Some("42")), ("Label", Some("42/true")), ("Flow.Gone", None)],
        ),
        case("update_data: a value not of its type is a flow error", BAD_INTEGER, None, &["set"], "disconnect:error"),
        with_data(case("transfer_to_voicemail", VOICEMAIL, None, &["vm"], "voicemail:Billing"), &[("Box", "Billing")]),
        case("transfer_to_voicemail: no target takes on_failure", VOICEMAIL, None, &["vm", "bye"], "disconnect:no_box"),
        expecting(
            with_data(case("find_queue: found", FIND_QUEUE, None, &["find", "go"], "queue:Support"), &[("Wanted", "Support")]),
            &[("Flow.Queue", Some("Support")), ("Flow.Queue.id", Some("Support-id")), ("Flow.Queue.name", Some("Support"))],
        ),
        with_data(case("find_queue: not found", FIND_QUEUE, None, &["find", "bye"], "disconnect:no_queue"), &[(
            "Wanted", "Nope",
        )]),
        expecting(
            with_data(
                case(
                    "call_common_module: inputs in, outputs back, then next",
                    &MODULE_CALL.replace("{{MODULE}}", "Greeting Module"),
                    None,
                    &["call", "greet", "done", "after"],
                    "queue:Hello Ada",
                ),
                &[("Caller", "Ada")],
            ),
            &[("Flow.Greeting", Some("Hello Ada"))],
        ),
        case(
            "call_common_module: a missing module ends the call",
            &MODULE_CALL.replace("{{MODULE}}", "Nowhere"),
            None,
            &["call"],
            "disconnect:module_missing",
        ),
        case(
            "call_common_module: a flow that is not a module counts as missing",
            &MODULE_CALL.replace("{{MODULE}}", "Plain"),
            None,
            &["call"],
            "disconnect:module_missing",
        ),
        case(
            "call_task / end_task, nested",
            TASKS,
            None,
            &["first", "task_a", "task_a_end", "second", "task_b", "task_c", "task_c_end", "task_b_end", "q"],
            "queue:ac",
        ),
        case("end_task with no caller ends an inbound flow", END_OF_FLOW, None, &["done"], "disconnect:end_of_flow"),
        with_data(
            case(
                "loop: count iterations with the index",
                LOOPS,
                None,
                &["init", "outer", "add", "check", "again", "outer", "add", "check", "again", "outer", "add", "check", "again", "outer", "q"],
                "queue:i012",
            ),
            &[("Times", "3"), ("StopAt", "99")],
        ),
        with_data(
            case("loop: loop_exit leaves early", LOOPS, None, &["init", "outer", "add", "check", "again", "outer", "add", "check", "leave", "q"], "queue:i01"),
            &[("Times", "5"), ("StopAt", "1")],
        ),
        with_data(case("loop: zero iterations", LOOPS, None, &["init", "outer", "q"], "queue:i"), &[("Times", "0"), ("StopAt", "0")]),
        case("hold_music and play_estimated_wait_time", TIMED, None, &["music", "ewt", "q"], "queue:Sales"),
        case("evaluate_schedule_group: open by default", SCHEDULE, None, &["hours", "open"], "queue:Support"),
        with_data(case("evaluate_schedule_group: closed", SCHEDULE, None, &["hours", "closed"], "disconnect:closed"), &[(
            "Switchboard.ScheduleState",
            "Closed",
        )]),
        with_data(case("evaluate_schedule_group: holiday", SCHEDULE, None, &["hours", "holiday"], "disconnect:holiday"), &[(
            "Switchboard.ScheduleState",
            "holiday",
        )]),
        with_data(
            case("evaluate_schedule_group: emergency", SCHEDULE, None, &["hours", "emergency"], "disconnect:emergency"),
            &[("Switchboard.ScheduleState", "emergency")],
        ),
    ];
    for case in cases {
        let world = architect_world(&case.flow);
        let (call, end, _) = drive(&world, "T", case.caller.clone(), case.data, 1);
        let blocks: Vec<&str> = call.path().visits.iter().map(|visit| &*visit.block).collect();
        assert_eq!(blocks, case.blocks, "{}", case.name);
        assert_eq!(end_text(&end), case.end, "{}", case.name);
        for (variable, value) in case.expect {
            assert_eq!(call.participant_data().get(*variable).map(String::as_str), *value, "{}: {variable}", case.name);
        }
    }
}

#[test]
fn timed_blocks_take_their_time_and_prompts_take_prompt_time() {
    let world = architect_world(TIMED);
    let (call, _, played_ms) = drive(&world, "T", Caller::default(), &[], 1);
    assert_eq!((played_ms, call.elapsed_ms()), (34_000, 34_000));
    let world = architect_world(MENU);
    let (_, _, played_ms) = drive(&world, "T", Caller::scripted("1"), &[], 1);
    assert_eq!(played_ms, PROMPT_MS);
}

#[test]
fn voicemail_is_the_terminal_outcome_and_inputs_are_recorded() {
    let world = architect_world(VOICEMAIL);
    let (call, _, _) = drive(&world, "T", Caller::default(), &[("Box", "Billing")], 1);
    let terminal = call.path().terminal.clone().expect("terminal recorded");
    assert_eq!(terminal.outcome, TerminalOutcome::Voicemail { target: "Billing".into() });
    let world = architect_world(COLLECT);
    let (call, _, _) = drive(&world, "T", Caller::scripted("777#"), &[], 1);
    let inputs: Vec<(&str, Option<&str>, InputSource)> =
        call.path().inputs.iter().map(|input| (&*input.block, input.input.as_deref(), input.source)).collect();
    assert_eq!(inputs, [("account", Some("777"), InputSource::Script)]);
}

#[test]
fn random_menu_choices_follow_the_seed() {
    let world = architect_world(MENU);
    let path_for = |seed: u64| {
        let (call, _, _) = drive(&world, "T", Caller::default(), &[], seed);
        call.path().clone()
    };
    let ends: Vec<String> = (0..40).map(|seed| path_for(seed).visits[1].block.to_string()).collect();
    // Random choices are among the menu's choices, never the no-input default, and both occur.
    assert!(ends.iter().all(|end| end == "sales" || end == "support"), "{ends:?}");
    assert!(ends.iter().any(|end| end == "sales") && ends.iter().any(|end| end == "support"), "{ends:?}");
    for seed in 0..10 {
        assert_eq!(path_for(seed), path_for(seed));
    }
}

#[test]
fn scenario_weights_split_menu_choices_in_proportion() {
    let world = architect_world(MENU);
    let spec = Arc::new(CallerSpec {
        menus: BTreeMap::from([("main".to_string(), BTreeMap::from([("1".to_string(), 60.0), ("2".to_string(), 40.0)]))]),
        ..CallerSpec::default()
    });
    let mut rng = StdRng::seed_from_u64(11);
    let mut sales = 0;
    for _ in 0..2_000 {
        let entry = world.flows.get("T").cloned().expect("flow");
        let mut call = CallExecution::new(entry, BTreeMap::new()).with_caller(Caller::new(spec.clone()));
        while !call.step(&world, &mut rng).is_terminal() {}
        sales += usize::from(call.path().visits.get(1).is_some_and(|visit| &*visit.block == "sales"));
    }
    // Binomial(2000, 0.6): sd ≈ 22; 5 sd bounds.
    assert!((1_090..=1_310).contains(&sales), "{sales}");
}

#[test]
fn an_in_queue_flow_runs_its_start_up_again_and_the_step_limit_bounds_it() {
    let in_queue = r#"
name: T
flow_type: in_queue_call
start: music
blocks:
  music: { type: hold_music, prompt: jazz, duration_ms: 1000, next: done }
  done: { type: end_task, implicit: true }
"#;
    let world = architect_world(in_queue);
    let entry = world.flows.get("T").cloned().expect("flow");
    let mut call = CallExecution::new(entry, BTreeMap::new()).with_step_limit(6);
    let mut rng = StdRng::seed_from_u64(1);
    let mut plays = 0;
    loop {
        match call.step(&world, &mut rng) {
            Effect::Play { .. } => plays += 1,
            other => {
                assert_eq!(other, Effect::Disconnect { reason: Arc::from("loop") });
                break;
            }
        }
    }
    assert_eq!(plays, 3);
}

#[test]
fn loop_next_must_name_a_loop_block() {
    let broken = "name: B\nstart: a\nblocks:\n  a: { type: loop_next, loop_block: b }\n  b: { type: disconnect }\n";
    let definition: FlowDefinition = serde_saphyr::from_str(broken).expect("parses");
    assert!(matches!(FlowProgram::compile(&definition), Err(ProgramError::InvalidBlock { .. })));
}

#[test]
fn a_common_module_is_not_a_flow_segment_of_its_own() {
    let world = architect_world(&MODULE_CALL.replace("{{MODULE}}", "Greeting Module"));
    let (call, _, _) = drive(&world, "T", Caller::default(), &[("Caller", "Ada")], 1);
    let visited: Vec<&str> = call.path().visits.iter().map(|visit| &*visit.flow_id).collect();
    assert_eq!(visited, ["T", "Greeting Module", "Greeting Module", "T"]);
    let flows: Vec<String> = call.path().flows().iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(flows, ["T"]);
    assert_eq!(call.path().terminal.as_ref().map(|terminal| &*terminal.flow_id), Some("T"));
}

#[test]
fn declared_variables_start_with_their_initial_value_unless_already_set() {
    let flow = r#"
name: T
variables:
  Flow.Greeting: { type: string, default: "Hi" }
  Flow.Tries: { type: integer, default: 3 }
start: q
blocks:
  q: { type: transfer_to_queue, queue: "=Flow.Greeting + Flow.Tries" }
"#;
    let world = architect_world(flow);
    let (_, end, _) = drive(&world, "T", Caller::default(), &[], 1);
    assert_eq!(end_text(&end), "queue:Hi3");
    let (_, end, _) = drive(&world, "T", Caller::default(), &[("Flow.Greeting", "Yo")], 1);
    assert_eq!(end_text(&end), "queue:Yo3");
}
