//! The Mann–Whitney U test (Wilcoxon rank-sum) with the normal approximation, tie correction and a
//! continuity correction: is B's distribution shifted above A's (slower answers)? Rank-based, so
//! one very long wait cannot dominate as it does a mean.

use super::StatsError;
use super::normal::normal_cdf;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MannWhitney {
    pub n_a: u64,
    pub n_b: u64,
    /// U of sample B: the number of (a, b) pairs with b > a, ties counting one half.
    pub u_b: f64,
    /// U_b / (n_a·n_b): P(B > A) + ½P(B = A); 0.5 when the samples are alike.
    pub effect: f64,
    pub z: f64,
    /// One-sided p-value for "B tends to be larger".
    pub p_greater: f64,
    pub p_two_sided: f64,
}

/// Compares samples `a` and `b` (each needs at least one value).
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Result<MannWhitney, StatsError> {
    if a.is_empty() {
        return Err(StatsError::Empty { name: "sample a" });
    }
    if b.is_empty() {
        return Err(StatsError::Empty { name: "sample b" });
    }
    if let Some(value) = a.iter().chain(b).find(|value| !value.is_finite()) {
        return Err(StatsError::InvalidParameter { name: "sample value", expected: "finite", value: *value });
    }
    let mut all: Vec<(f64, bool)> = a.iter().map(|v| (*v, false)).chain(b.iter().map(|v| (*v, true))).collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_sum_b, mut tie_term) = (0.0, 0.0);
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && all[end].0 == all[start].0 {
            end += 1;
        }
        // Tied values share the mean of the ranks they span (1-based).
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let tied = (end - start) as f64;
        tie_term += tied * tied * tied - tied;
        rank_sum_b += mean_rank * all[start..end].iter().filter(|(_, is_b)| *is_b).count() as f64;
        start = end;
    }
    let (na, nb, total) = (a.len() as f64, b.len() as f64, n as f64);
    let u_b = rank_sum_b - nb * (nb + 1.0) / 2.0;
    let mean = na * nb / 2.0;
    let variance = na * nb / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)).max(1.0));
    // Continuity-corrected: P(U ≥ u) ≈ 1 − Φ((u − ½ − mean)/sd) for the upper tail.
    let deviation = u_b - mean;
    let (z, z_two) = if variance > 0.0 {
        let sd = variance.sqrt();
        ((deviation - 0.5) / sd, (deviation.abs() - 0.5).max(0.0) / sd)
    } else {
        (0.0, 0.0)
    };
    Ok(MannWhitney {
        n_a: a.len() as u64,
        n_b: b.len() as u64,
        u_b,
        effect: u_b / (na * nb),
        z,
        p_greater: 1.0 - normal_cdf(z),
        p_two_sided: (2.0 * (1.0 - normal_cdf(z_two))).min(1.0),
    })
}
