//! Poisson arrivals per DID, optionally shaped by a time-of-day curve.
//!
//! The rate is piecewise constant per hour: `calls_per_hour × curve[hour of day]`. We draw the next
//! arrival by thinning (Lewis–Shedler): candidates come at the peak rate and each is kept with
//! probability rate(t)/peak. Rejected candidates cost a random draw, not an event.

use rand::{Rng, RngCore};

#[derive(Debug, Clone)]
pub(crate) struct ArrivalProcess {
    /// Calls per millisecond at factor 1.
    base_per_ms: f64,
    curve: Option<Vec<f64>>,
    peak_per_ms: f64,
}

const HOUR_MS: u64 = 3_600_000;

impl ArrivalProcess {
    pub fn new(calls_per_hour: f64, curve: Option<Vec<f64>>) -> ArrivalProcess {
        let base_per_ms = calls_per_hour / HOUR_MS as f64;
        let peak = curve.as_ref().map_or(1.0, |curve| curve.iter().copied().fold(0.0, f64::max));
        ArrivalProcess { base_per_ms, curve, peak_per_ms: base_per_ms * peak }
    }

    fn rate_at(&self, at_ms: u64) -> f64 {
        match &self.curve {
            None => self.base_per_ms,
            Some(curve) => self.base_per_ms * curve[((at_ms / HOUR_MS) % 24) as usize],
        }
    }

    /// The first arrival strictly after `after_ms` and before `until_ms`, if any.
    pub fn next_after(&self, after_ms: u64, until_ms: u64, rng: &mut dyn RngCore) -> Option<u64> {
        if self.peak_per_ms <= 0.0 {
            return None;
        }
        let mut time = after_ms as f64;
        loop {
            // Exponential gap by inversion; 1 − U is in (0, 1] so the log is finite.
            let uniform: f64 = rng.random();
            time += -(1.0 - uniform).ln() / self.peak_per_ms;
            if time >= until_ms as f64 {
                return None;
            }
            let at_ms = time as u64;
            if self.curve.is_none() || rng.random::<f64>() * self.peak_per_ms < self.rate_at(at_ms) {
                return Some(at_ms.max(after_ms + 1).min(until_ms));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn count(process: &ArrivalProcess, from: u64, to: u64, rng: &mut StdRng) -> u64 {
        let (mut now, mut calls) = (from, 0);
        while let Some(next) = process.next_after(now, to, rng) {
            now = next;
            calls += 1;
        }
        calls
    }

    #[test]
    fn counts_follow_the_hourly_curve() {
        let mut curve = vec![0.0; 24];
        curve[1] = 1.0;
        curve[2] = 3.0;
        let process = ArrivalProcess::new(3_600.0, Some(curve));
        let mut rng = StdRng::seed_from_u64(3);
        assert_eq!(count(&process, 0, HOUR_MS, &mut rng), 0);
        let first = count(&process, HOUR_MS, 2 * HOUR_MS, &mut rng) as f64;
        let second = count(&process, 2 * HOUR_MS, 3 * HOUR_MS, &mut rng) as f64;
        // Poisson counts: sd = √3600 = 60 and √10800 ≈ 104; 5 sd bounds.
        assert!((first - 3_600.0).abs() < 300.0, "{first}");
        assert!((second - 10_800.0).abs() < 520.0, "{second}");
    }
}
