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
}

impl FlowWorld for TestWorld {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        self.flows.get(reference).cloned()
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
