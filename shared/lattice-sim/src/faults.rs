//! Runtime fault injection: throttling, internal errors and latency spikes by probability, and `failAfter`
//! (every request after the k-th from the moment it was set fails). Randomness comes from a seeded generator.
//! The lag of lists after creates (`listLag`, `listLagMs`) is carried out by `lag`.

use serde_json::Value;

use crate::config::Faults;
use crate::errors::ApiError;
use crate::router::Op;

/// The faults in force and the counters they need.
#[derive(Debug, Clone)]
pub(crate) struct FaultEngine {
    faults: Faults,
    seen_since_set: u64,
    rng: u64,
}

impl FaultEngine {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self { faults, seen_since_set: 0, rng: seed ^ 0x5eed_fa17_0000_0001 }
    }

    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// Replaces every fault setting; `failAfter` counts from now.
    pub fn set(&mut self, faults: Faults) {
        self.faults = faults;
        self.seen_since_set = 0;
    }

    /// Applies a `PUT /_sim/faults` body: absent keys stay, `failAfter: null` clears it.
    pub fn patch(&mut self, body: &Value) -> Result<(), String> {
        let obj = body.as_object().ok_or("expected a JSON object")?;
        let mut next = self.faults;
        let rate = |key: &str| -> Result<Option<f64>, String> {
            match obj.get(key) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(0.0)),
                Some(v) => match v.as_f64() {
                    Some(r) if (0.0..=1.0).contains(&r) => Ok(Some(r)),
                    _ => Err(format!("{key} must be a number between 0 and 1")),
                },
            }
        };
        if let Some(r) = rate("throttleRate")? {
            next.throttle_rate = r;
        }
        if let Some(r) = rate("errorRate")? {
            next.error_rate = r;
        }
        if let Some(r) = rate("spikeRate")? {
            next.spike_rate = r;
        }
        let counters: [(&str, &mut u64); 6] = [
            ("latencyMs", &mut next.latency_ms),
            ("commitFailures", &mut next.commit_failures),
            ("createFailures", &mut next.create_failures),
            ("spikeMs", &mut next.spike_ms),
            ("listLag", &mut next.list_lag),
            ("listLagMs", &mut next.list_lag_ms),
        ];
        for (key, slot) in counters {
            match obj.get(key) {
                None => {}
                Some(Value::Null) => *slot = 0,
                Some(v) => *slot = v.as_u64().ok_or_else(|| format!("{key} must be a non-negative integer"))?,
            }
        }
        let fail_after_set = obj.contains_key("failAfter");
        match obj.get("failAfter") {
            None => {}
            Some(Value::Null) => next.fail_after = None,
            Some(v) => next.fail_after = Some(v.as_u64().ok_or("failAfter must be a non-negative integer or null")?),
        }
        self.faults = next;
        if fail_after_set {
            self.seen_since_set = 0;
        }
        Ok(())
    }

    fn random(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The delay of the next request: the constant latency, plus a spike with probability `spikeRate`.
    pub fn latency_ms(&mut self) -> u64 {
        let spike = self.faults.spike_rate > 0.0 && self.random() < self.faults.spike_rate;
        self.faults.latency_ms + if spike { self.faults.spike_ms } else { 0 }
    }

    /// Called after a mutating request succeeded: the error to answer instead, if a commit failure is due.
    pub fn after_commit(&mut self) -> Option<ApiError> {
        if self.faults.commit_failures == 0 {
            return None;
        }
        self.faults.commit_failures -= 1;
        Some(ApiError::Internal {
            message: "Injected failure after the change was applied".to_owned(),
            retry_after: None,
        })
    }

    /// Counts down `createFailures` after a creation took it up.
    pub fn creation_failed(&mut self) {
        self.faults.create_failures = self.faults.create_failures.saturating_sub(1);
    }

    /// Decides the fate of one API request: None lets it through.
    pub fn decide(&mut self, op: Op) -> Option<ApiError> {
        self.seen_since_set += 1;
        if self.faults.fail_after.is_some_and(|k| self.seen_since_set > k) {
            return Some(ApiError::Internal { message: "Injected failure (failAfter)".to_owned(), retry_after: None });
        }
        if !op.never_throttled() && self.faults.throttle_rate > 0.0 && self.random() < self.faults.throttle_rate {
            return Some(ApiError::Throttling { retry_after: 1 });
        }
        if self.faults.error_rate > 0.0 && self.random() < self.faults.error_rate {
            return Some(ApiError::Internal { message: "Injected internal error".to_owned(), retry_after: None });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fail_after_counts_from_when_it_was_set() {
        let mut f = FaultEngine::new(Faults::default(), 1);
        assert!(f.decide(Op::GetService).is_none());
        f.patch(&json!({"failAfter": 2})).expect("valid");
        assert!(f.decide(Op::GetService).is_none());
        assert!(f.decide(Op::GetService).is_none());
        assert_eq!(f.decide(Op::GetService).map(|e| e.status()), Some(500));
        assert_eq!(f.decide(Op::GetService).map(|e| e.status()), Some(500));
        f.patch(&json!({"latencyMs": 5})).expect("valid");
        assert_eq!(f.decide(Op::GetService).map(|e| e.status()), Some(500));
        f.patch(&json!({"failAfter": null})).expect("valid");
        assert!(f.decide(Op::GetService).is_none());
        assert_eq!(f.faults().latency_ms, 5);
    }

    #[test]
    fn throttling_spares_untag_and_list_tags() {
        let mut f = FaultEngine::new(Faults { throttle_rate: 1.0, ..Faults::default() }, 1);
        assert_eq!(f.decide(Op::GetService).map(|e| e.status()), Some(429));
        assert!(f.decide(Op::ListTagsForResource).is_none());
        assert!(f.decide(Op::UntagResource).is_none());
    }

    #[test]
    fn commit_failures_count_down() {
        let mut f = FaultEngine::new(Faults::default(), 1);
        assert!(f.after_commit().is_none());
        f.patch(&json!({"commitFailures": 2})).expect("valid");
        assert!(f.after_commit().is_some());
        assert_eq!(f.faults().commit_failures, 1);
        assert!(f.after_commit().is_some());
        assert!(f.after_commit().is_none());
    }

    #[test]
    fn spikes_delay_a_share_of_requests() {
        let mut f = FaultEngine::new(Faults { latency_ms: 2, ..Faults::default() }, 3);
        assert_eq!(f.latency_ms(), 2);
        f.patch(&json!({"spikeRate": 0.5, "spikeMs": 100, "listLag": 2, "listLagMs": 50})).expect("valid");
        let delays: Vec<u64> = (0..200).map(|_| f.latency_ms()).collect();
        let spikes = delays.iter().filter(|d| **d == 102).count();
        assert!(delays.iter().all(|d| *d == 2 || *d == 102));
        assert!((60..=140).contains(&spikes), "{spikes} spikes of 200");
        assert_eq!((f.faults().list_lag, f.faults().list_lag_ms), (2, 50));
        f.patch(&json!({"listLag": null})).expect("valid");
        assert_eq!(f.faults().list_lag, 0);
        assert!(f.patch(&json!({"spikeRate": 1.5})).is_err());
        assert!(f.patch(&json!({"listLag": -1})).is_err());
    }

    #[test]
    fn rejects_bad_rates() {
        let mut f = FaultEngine::new(Faults::default(), 1);
        assert!(f.patch(&json!({"errorRate": 2})).is_err());
        assert!(f.patch(&json!([1])).is_err());
    }
}
