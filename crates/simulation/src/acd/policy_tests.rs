//! The routing policy's table of cases, run against `policy` itself and against the simulation's
//! indexed ACD, so both (and the emulator's live ACD, which calls `policy`) route alike.

use super::policy::{IdleAgent, WaitingCall, longest_idle, next_call};
use super::{Acd, AgentStatus, CallRef, Placement};

struct Case {
    name: &'static str,
    /// Per agent: when it became idle.
    agents_idle_since: &'static [i64],
    /// The agent that answers a call arriving now.
    answers: usize,
    /// Per waiting call: (priority, arrival ms).
    calls: &'static [(i32, i64)],
    /// The order one free agent serves the waiting calls in (indexes into `calls`).
    served: &'static [usize],
}

const CASES: &[Case] = &[
    Case { name: "one of each", agents_idle_since: &[5], answers: 0, calls: &[(0, 1)], served: &[0] },
    Case {
        name: "first come first served at one priority",
        agents_idle_since: &[30, 10, 20],
        answers: 1,
        calls: &[(0, 1), (0, 2), (0, 3)],
        served: &[0, 1, 2],
    },
    Case {
        name: "priority before arrival",
        agents_idle_since: &[10, 40],
        answers: 0,
        calls: &[(0, 1), (5, 2), (0, 3), (9, 4), (5, 5)],
        served: &[3, 1, 4, 0, 2],
    },
    Case {
        name: "negative priorities wait behind the default",
        agents_idle_since: &[7, 7],
        answers: 0,
        calls: &[(-1, 1), (0, 2), (-5, 3), (0, 4)],
        served: &[1, 3, 0, 2],
    },
    Case {
        name: "same millisecond keeps the order of arrival",
        agents_idle_since: &[100, 50, 50],
        answers: 1,
        calls: &[(2, 10), (2, 10), (2, 10)],
        served: &[0, 1, 2],
    },
];

fn policy_order(calls: &[(i32, i64)]) -> Vec<usize> {
    let mut left: Vec<(usize, WaitingCall)> = calls
        .iter()
        .enumerate()
        .map(|(index, &(priority, arrived_ms))| {
            (index, WaitingCall { priority, arrived_ms, sequence: index as u64 })
        })
        .collect();
    let mut order = Vec::new();
    while let Some(best) = next_call(left.iter().map(|(_, call)| call)) {
        order.push(left.remove(best).0);
    }
    order
}

fn ms(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[test]
fn the_policy_answers_every_case() {
    for case in CASES {
        let agents = case
            .agents_idle_since
            .iter()
            .enumerate()
            .map(|(index, &idle_since_ms)| IdleAgent { idle_since_ms, key: index });
        assert_eq!(longest_idle(agents), Some(case.answers), "{}: answering agent", case.name);
        assert_eq!(policy_order(case.calls), case.served, "{}: service order", case.name);
    }
    assert_eq!(longest_idle(std::iter::empty::<IdleAgent<u32>>()), None);
    assert_eq!(next_call(&[]), None);
}

#[test]
fn the_simulation_acd_routes_every_case_as_the_policy_does() {
    for case in CASES {
        // Agents join in the order they became idle, as the engine's clock only moves forward.
        let mut by_idle: Vec<(usize, i64)> = case.agents_idle_since.iter().copied().enumerate().collect();
        by_idle.sort_by_key(|&(index, since)| (since, index));
        let mut acd = Acd::new(1);
        let mut case_index_of = Vec::new();
        for &(index, since) in &by_idle {
            acd.add_agent(&[0], ms(since));
            case_index_of.push(index);
        }
        let now = by_idle.last().map_or(0, |&(_, since)| ms(since)) + 1;
        let Placement::Answered { agent } = acd.enqueue(0, CallRef { index: 0, generation: 0 }, 0, now) else {
            panic!("{}: idle agents but the call waits", case.name);
        };
        assert_eq!(case_index_of[agent as usize], case.answers, "{}: answering agent", case.name);

        // One agent, busy; the calls arrive in time order; then it serves them one by one.
        let mut acd = Acd::new(1);
        let agent = acd.add_agent(&[0], 0);
        assert!(matches!(acd.enqueue(0, CallRef { index: 0, generation: 0 }, 0, 0), Placement::Answered { .. }));
        for (index, &(priority, arrived)) in case.calls.iter().enumerate() {
            let call = CallRef { index: index as u32 + 1, generation: 0 };
            assert_eq!(acd.enqueue(0, call, priority, ms(arrived)), Placement::Waiting, "{}", case.name);
        }
        let mut served = Vec::new();
        let mut now = 1_000;
        while let AgentStatus::Busy { .. } = acd.agent_status(agent).unwrap_or(AgentStatus::OffQueue) {
            acd.finish_handle(agent);
            now += 1;
            match acd.finish_wrapup(agent, now) {
                Some(next) => served.push(next.call.index as usize - 1),
                None => break,
            }
        }
        assert_eq!(served, case.served, "{}: service order", case.name);
        assert_eq!(served, policy_order(case.calls), "{}: simulation and policy agree", case.name);
    }
}
