//! How much of a plan a run may still start: the executor asks a [`Budget`] before each action.
//!
//! The budget itself is plain data plus a predicate supplied by the caller (a Lambda deadline, a
//! count of actions in a test); the core reads no clock. Once a budget has refused, it refuses
//! for good, so an executor that stops at one action never starts a later one: what a cut run
//! applied is always a prefix of the plan (up to the reordering of independent actions), which
//! the next run completes.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Decides, before each action, whether it may still start. Cheap to clone; clones share the
/// decision, so concurrent chains of one apply stop together.
#[derive(Clone)]
pub struct Budget {
    allows: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
    spent: Arc<AtomicBool>,
}

impl Budget {
    /// A budget that never runs out.
    pub fn unlimited() -> Self {
        Self { allows: None, spent: Arc::new(AtomicBool::new(false)) }
    }

    /// A budget that lasts while `allows` answers `true` (asked once per action about to start).
    pub fn new(allows: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        Self { allows: Some(Arc::new(allows)), spent: Arc::new(AtomicBool::new(false)) }
    }

    /// Whether one more action may start. The first `false` is final.
    pub fn allows(&self) -> bool {
        if self.spent.load(Ordering::SeqCst) {
            return false;
        }
        match &self.allows {
            Some(allows) if !allows() => {
                self.spent.store(true, Ordering::SeqCst);
                false
            }
            _ => true,
        }
    }

    /// Whether the budget has refused an action.
    pub fn is_spent(&self) -> bool {
        self.spent.load(Ordering::SeqCst)
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::unlimited()
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget").field("limited", &self.allows.is_some()).field("spent", &self.is_spent()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[test]
    fn an_unlimited_budget_always_allows() {
        let budget = Budget::unlimited();
        assert!((0..1000).all(|_| budget.allows()));
        assert!(!budget.is_spent());
    }

    #[test]
    fn the_first_refusal_is_final_and_shared_by_clones() {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        // Refuses the third action only; a budget must not start the fourth after that.
        let budget = Budget::new(move || counter.fetch_add(1, Ordering::SeqCst) != 2);
        let clone = budget.clone();
        assert!(budget.allows() && clone.allows());
        assert!(!budget.allows());
        assert!(clone.is_spent());
        assert!(!clone.allows() && !budget.allows());
        assert_eq!(asked.load(Ordering::SeqCst), 3, "not asked again once spent");
    }
}
