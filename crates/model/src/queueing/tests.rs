use super::*;

/// Erlang B and C by the textbook sums `a^k/k!` — an independent method for small `n`.
fn direct_erlang_b(servers: u32, load: f64) -> f64 {
    let terms: Vec<f64> = (0..=servers).map(|k| load.powi(k as i32) / factorial(k)).collect();
    terms[servers as usize] / terms.iter().sum::<f64>()
}

fn direct_erlang_c(servers: u32, load: f64) -> f64 {
    let n = f64::from(servers);
    let top = load.powi(servers as i32) / factorial(servers) * n / (n - load);
    let below: f64 = (0..servers).map(|k| load.powi(k as i32) / factorial(k)).sum();
    top / (below + top)
}

fn factorial(k: u32) -> f64 {
    (1..=k).map(f64::from).product()
}

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance * expected.abs().max(1e-300)
}

#[test]
fn erlang_b_matches_tables_and_direct_sum() {
    // Erlang B table: 10 trunks, 10 Erlangs → 0.2146.
    assert!(close(erlang_b(10, 10.0), 0.214_582, 1e-5));
    for (servers, load) in [(1, 0.5), (5, 3.0), (20, 15.0), (50, 45.0)] {
        assert!(close(erlang_b(servers, load), direct_erlang_b(servers, load), 1e-10), "B({servers}, {load})");
    }
}

#[test]
fn erlang_c_matches_textbook_cases() {
    // 10 Erlangs on 12 agents: 44.9% of callers wait.
    assert!(close(erlang_c(12, 10.0).expect("stable"), 0.449_388, 1e-5));
    for (servers, load) in [(2, 1.0), (11, 10.0), (30, 25.0)] {
        let value = erlang_c(servers, load).expect("stable");
        assert!(close(value, direct_erlang_c(servers, load), 1e-10), "C({servers}, {load})");
    }
    // M/M/1: P(wait) = ρ and W_q = ρ / (μ − λ).
    let single = ErlangC::new(0.8, 1.0, 1).expect("stable");
    assert!(close(single.probability_of_wait, 0.8, 1e-12));
    assert!(close(single.mean_wait, 0.8 / 0.2, 1e-12));
    assert!(close(single.service_level(0.0), 0.2, 1e-12));
}

#[test]
fn erlang_c_rejects_overload_and_bad_input() {
    assert!(matches!(erlang_c(10, 10.0), Err(QueueingError::Unstable { .. })));
    assert!(matches!(ErlangC::new(1.0, 0.0, 3), Err(QueueingError::InvalidParameter { .. })));
    assert!(matches!(ErlangA::new(f64::NAN, 1.0, 3, 1.0), Err(QueueingError::InvalidParameter { .. })));
    assert!(matches!(ErlangA::new(12.0, 1.0, 10, 0.0), Err(QueueingError::Unstable { .. })));
}

#[test]
fn erlang_a_converges_to_erlang_c_as_patience_grows() {
    for (arrival, servers) in [(10.0, 12), (45.0, 50), (0.9, 1)] {
        let erlang_c = ErlangC::new(arrival, 1.0, servers).expect("stable");
        let erlang_a = ErlangA::new(arrival, 1.0, servers, 1e-9).expect("computes");
        assert!(close(erlang_a.probability_of_wait, erlang_c.probability_of_wait, 1e-6));
        assert!(close(erlang_a.mean_wait, erlang_c.mean_wait, 1e-6));
        assert!(close(erlang_a.mean_wait_of_served, erlang_c.mean_wait, 1e-6));
        assert!(erlang_a.probability_of_abandon < 1e-8);
    }
}

/// With θ = μ every caller leaves at rate μ whether waiting or served, so the number in system is
/// Poisson(λ/μ) as in M/M/∞; the Erlang-A measures must follow from that distribution.
#[test]
fn erlang_a_with_patience_equal_to_service_is_poisson() {
    for (servers, load) in [(1_u32, 0.7_f64), (1, 3.0), (3, 2.5), (8, 12.0)] {
        let poisson: Vec<f64> = (0..200_u32)
            .scan((-load).exp(), |term, k| {
                let current = *term;
                *term *= load / f64::from(k + 1);
                Some(current)
            })
            .collect();
        let expected_queue: f64 =
            poisson.iter().enumerate().skip(servers as usize).map(|(k, p)| (k as f64 - f64::from(servers)) * p).sum();
        let expected_wait: f64 = poisson.iter().skip(servers as usize).sum();
        let result = ErlangA::new(load, 1.0, servers, 1.0).expect("computes");
        assert!(close(result.mean_queue_length, expected_queue, 1e-9), "L_q n={servers} a={load}");
        assert!(close(result.probability_of_wait, expected_wait, 1e-9), "P(wait) n={servers} a={load}");
        assert!(close(result.probability_of_abandon, expected_queue / load, 1e-9));
    }
    // M/M/1+M with θ = μ has the closed form P(abandon) = (a − 1 + e^{−a}) / a.
    let load: f64 = 2.0;
    let single = ErlangA::new(load, 1.0, 1, 1.0).expect("computes");
    assert!(close(single.probability_of_abandon, (load - 1.0 + (-load).exp()) / load, 1e-9));
}

#[test]
fn erlang_a_flow_balance_and_overload() {
    // Overloaded but stable because callers abandon: 120 Erlangs on 100 agents, patience 2 service times.
    let result = ErlangA::new(120.0, 1.0, 100, 0.5).expect("computes");
    assert!(close(result.probability_of_service, 1.0 - result.probability_of_abandon, 1e-9));
    // Served throughput cannot exceed capacity: λ·P(served) ≤ nμ, and agents are nearly all busy.
    assert!(120.0 * result.probability_of_service <= 100.0 + 1e-9);
    assert!(result.occupancy > 0.99);
    assert!(result.mean_wait_of_served > 0.0 && result.mean_wait_of_served < 2.0);
}

#[test]
fn erlang_a_is_finite_for_ten_thousand_agents() {
    let result = ErlangA::new(9_900.0, 1.0, 10_000, 1.0).expect("computes");
    for value in [result.probability_of_wait, result.probability_of_abandon, result.mean_wait, result.mean_wait_of_served] {
        assert!(value.is_finite() && value >= 0.0, "{result:?}");
    }
    assert!(close(result.probability_of_service, 1.0 - result.probability_of_abandon, 1e-9));
    // Heavy traffic with abandonment: some but not all callers wait (QED regime).
    assert!(result.probability_of_wait > 0.01 && result.probability_of_wait < 0.99);
    assert!(close(result.occupancy * 10_000.0, 9_900.0 * result.probability_of_service, 1e-9));
}
