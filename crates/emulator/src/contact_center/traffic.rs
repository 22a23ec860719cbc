//! Poisson call arrivals per DID in wall-clock time: start, change the rate, stop. Each stream is
//! a task drawing exponential gaps (rate × the hour's curve multiplier × speed-up); a rate change
//! takes effect at once (arrivals are memoryless, so re-drawing the gap is exact).

use super::Runtime;
use super::driver::{CallRequest, place_call};
use chrono::Timelike;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use switchboard_api::traffic::{TrafficRequest, TrafficStream, TrafficUpdate};
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrafficError {
    #[error("org '{0}' does not exist")]
    UnknownOrg(String),
    #[error("number '{did}' is not routed to a flow in org '{org}'")]
    NoFlow { org: String, did: String },
    #[error("traffic stream '{0}' does not exist")]
    UnknownStream(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Rate {
    per_minute: f64,
    curve: Option<Vec<f64>>,
}

struct Stream {
    info: TrafficStream,
    rate: watch::Sender<Rate>,
    placed: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

/// The running arrival streams of one emulator.
#[derive(Default)]
pub struct TrafficController {
    streams: Mutex<BTreeMap<String, Stream>>,
    next_id: AtomicU64,
}

fn per_minute(calls_per_minute: Option<f64>, calls_per_hour: Option<f64>) -> Result<Option<f64>, TrafficError> {
    let rate = match (calls_per_minute, calls_per_hour) {
        (Some(_), Some(_)) => return Err(TrafficError::Invalid("give callsPerMinute or callsPerHour, not both".into())),
        (Some(rate), None) => Some(rate),
        (None, Some(rate)) => Some(rate / 60.0),
        (None, None) => None,
    };
    let max = crate::limits::CALLS_PER_MINUTE_MAX;
    match (rate, calls_per_minute.is_some()) {
        (Some(_), true) => calls_per_minute.map(|rate| checked("callsPerMinute", rate, max)).transpose(),
        (Some(_), false) => calls_per_hour.map(|rate| checked("callsPerHour", rate, max * 60.0).map(|rate| rate / 60.0)).transpose(),
        (None, _) => Ok(None),
    }
}

fn checked(field: &str, value: f64, max: f64) -> Result<f64, TrafficError> {
    crate::limits::number_in(field, value, 0.0, max).map_err(|error| TrafficError::Invalid(error.message))
}

/// Refuses a stream whose arrivals per wall-clock second would exceed the limit.
fn check_arrivals(per_minute: f64, curve: &Option<Vec<f64>>, speed_up: f64) -> Result<(), TrafficError> {
    let peak = curve.as_ref().map_or(1.0, |values| values.iter().copied().fold(0.0, f64::max));
    let per_second = per_minute * peak * speed_up / 60.0;
    let max = crate::limits::ARRIVALS_PER_SECOND_MAX;
    if per_second > max {
        return Err(TrafficError::Invalid(format!(
            "callsPerMinute × curve × speedUp makes {per_second} calls per second; at most {max}"
        )));
    }
    Ok(())
}

fn check_curve(curve: &Option<Vec<f64>>) -> Result<(), TrafficError> {
    match curve {
        Some(values)
            if values.len() != 24
                || values.iter().any(|value| !(value.is_finite() && (0.0..=crate::limits::CURVE_MULTIPLIER_MAX).contains(value))) =>
        {
            Err(TrafficError::Invalid(format!(
                "curve: must hold 24 hourly multipliers from 0 to {}, got {} values",
                crate::limits::CURVE_MULTIPLIER_MAX,
                values.len()
            )))
        }
        _ => Ok(()),
    }
}

impl TrafficController {
    /// Starts Poisson arrivals on a number.
    pub fn start(&self, runtime: &Runtime, request: TrafficRequest) -> Result<TrafficStream, TrafficError> {
        let org_id = runtime.directory.find_org(&request.org).ok_or_else(|| TrafficError::UnknownOrg(request.org.clone()))?;
        let routed = runtime.directory.with_org(&org_id, |org| org.flow_for_number(&request.did).is_some()).unwrap_or(false);
        if !routed {
            return Err(TrafficError::NoFlow { org: request.org.clone(), did: request.did.clone() });
        }
        let rate = per_minute(request.calls_per_minute, request.calls_per_hour)?
            .ok_or_else(|| TrafficError::Invalid("callsPerMinute or callsPerHour is required".into()))?;
        check_curve(&request.curve)?;
        let speed_up = crate::limits::speed_up(request.speed_up.unwrap_or(1.0)).map_err(|error| TrafficError::Invalid(error.message))?;
        check_arrivals(rate, &request.curve, speed_up)?;
        if self.lock().len() >= crate::limits::TRAFFIC_STREAMS_MAX {
            return Err(TrafficError::Invalid(format!("at most {} traffic streams run at once", crate::limits::TRAFFIC_STREAMS_MAX)));
        }
        let number = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("traffic-{number}");
        let seed = request.seed.unwrap_or(number);
        let info = TrafficStream {
            id: id.clone(),
            org: org_id.clone(),
            did: request.did.clone(),
            calls_per_minute: rate,
            curve: request.curve.clone(),
            speed_up,
            seed,
            calls_placed: 0,
            started_at: runtime.directory.now(),
        };
        let (sender, receiver) = watch::channel(Rate { per_minute: rate, curve: request.curve.clone() });
        let placed = Arc::new(AtomicU64::new(0));
        let call = CallRequest { org: org_id, did: request.did, ani: None, attributes: BTreeMap::new(), speed_up, dtmf: None };
        let task = tokio::spawn(arrivals(runtime.clone(), call, request.anis, receiver, placed.clone(), seed));
        self.lock().insert(id, Stream { info: info.clone(), rate: sender, placed, task });
        Ok(info)
    }

    /// Changes the rate or curve of a running stream.
    pub fn update(&self, id: &str, update: TrafficUpdate) -> Result<TrafficStream, TrafficError> {
        let rate = per_minute(update.calls_per_minute, update.calls_per_hour)?;
        check_curve(&update.curve)?;
        let mut streams = self.lock();
        let stream = streams.get_mut(id).ok_or_else(|| TrafficError::UnknownStream(id.to_string()))?;
        let curve = if update.curve.is_some() { &update.curve } else { &stream.info.curve };
        check_arrivals(rate.unwrap_or(stream.info.calls_per_minute), curve, stream.info.speed_up)?;
        if let Some(rate) = rate {
            stream.info.calls_per_minute = rate;
        }
        if update.curve.is_some() {
            stream.info.curve = update.curve;
        }
        stream.rate.send_replace(Rate { per_minute: stream.info.calls_per_minute, curve: stream.info.curve.clone() });
        Ok(snapshot(stream))
    }

    /// Stops a stream; calls already placed run to their end.
    pub fn stop(&self, id: &str) -> Result<TrafficStream, TrafficError> {
        let stream = self.lock().remove(id).ok_or_else(|| TrafficError::UnknownStream(id.to_string()))?;
        stream.task.abort();
        Ok(snapshot(&stream))
    }

    pub fn stop_all(&self) {
        for (_, stream) in std::mem::take(&mut *self.lock()) {
            stream.task.abort();
        }
    }

    pub fn list(&self) -> Vec<TrafficStream> {
        self.lock().values().map(snapshot).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Stream>> {
        self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn snapshot(stream: &Stream) -> TrafficStream {
    TrafficStream { calls_placed: stream.placed.load(Ordering::Relaxed), ..stream.info.clone() }
}

async fn arrivals(
    runtime: Runtime,
    call: CallRequest,
    anis: Vec<String>,
    mut rate: watch::Receiver<Rate>,
    placed: Arc<AtomicU64>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let current = rate.borrow_and_update().clone();
        let hour = runtime.clock.utc().hour() as usize;
        let multiplier = current.curve.as_ref().and_then(|curve| curve.get(hour).copied()).unwrap_or(1.0);
        let per_second = current.per_minute * multiplier * call.speed_up / 60.0;
        let gaps = if per_second > 0.0 { Exp::new(per_second).ok() } else { None };
        let Some(gaps) = gaps else {
            // Rate zero: nothing arrives until the rate changes.
            if rate.changed().await.is_err() {
                return;
            }
            continue;
        };
        // An hour boundary can change the curve's multiplier, so never sleep past a minute.
        let gap = gaps.sample(&mut rng).min(60.0);
        let arrived = tokio::select! {
            _ = tokio::time::sleep(crate::limits::seconds(gap)) => gap < 60.0,
            changed = rate.changed() => {
                if changed.is_err() {
                    return;
                }
                false
            }
        };
        if !arrived {
            continue;
        }
        let mut request = call.clone();
        if !anis.is_empty() {
            request.ani = Some(anis[rng.random_range(0..anis.len())].clone());
        }
        match place_call(&runtime, request) {
            Ok(_) => {
                placed.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => tracing::warn!("traffic on {}: {error}", call.did),
        }
    }
}
