//! CPU time of this process by phase, as `latticectl -o json` reports it in `cpu`.

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;
use serde::Serialize;

/// User plus system CPU time this process has used so far, in milliseconds; `None` where the
/// platform cannot tell.
pub fn used_ms() -> Option<f64> {
    let usage = getrusage(UsageWho::RUSAGE_SELF).ok()?;
    let ms = |t: TimeVal| t.tv_sec() as f64 * 1000.0 + t.tv_usec() as f64 / 1000.0;
    Some(ms(usage.user_time()) + ms(usage.system_time()))
}

/// CPU time of the phases of a run, in milliseconds (to a tenth), every thread counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phases {
    /// Reading the manifest files (or the cluster).
    pub input_ms: f64,
    /// Reading VPC Lattice, translating, planning and applying, up to the report.
    pub pipeline_ms: f64,
}

impl Phases {
    /// The phases between three readings of [`used_ms`]: at the start, after the input was read
    /// and after the pipeline ran. `None` when a reading is missing.
    pub fn between(start: Option<f64>, read: Option<f64>, ran: Option<f64>) -> Option<Self> {
        let (start, read, ran) = (start?, read?, ran?);
        let tenth = |ms: f64| (ms.max(0.0) * 10.0).round() / 10.0;
        Some(Self { input_ms: tenth(read - start), pipeline_ms: tenth(ran - read) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_the_differences_between_readings() {
        let phases = Phases::between(Some(10.0), Some(35.25), Some(135.3)).expect("all readings");
        assert_eq!(phases, Phases { input_ms: 25.3, pipeline_ms: 100.1 });
        assert_eq!(Phases::between(Some(1.0), None, Some(2.0)), None);
    }

    #[test]
    fn busy_work_uses_cpu_time() {
        let before = used_ms().expect("getrusage works here");
        let mut x = 0_u64;
        for i in 0..20_000_000_u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(x != 1);
        assert!(used_ms().expect("getrusage works here") > before);
    }
}
