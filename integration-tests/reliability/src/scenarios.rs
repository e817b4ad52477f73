//! Every scenario of the suite, with the guarantee it proves. A test named `reliability_…`
//! records each one with [`crate::record`].

/// One scenario of the suite.
#[derive(Debug)]
pub struct Scenario {
    /// Group in the table (crash, noisy-aws, concurrency, deadline, kubernetes, gc, bad-input,
    /// ownership, security).
    pub group: &'static str,
    /// Id, as passed to [`crate::record`].
    pub id: &'static str,
    /// The guarantee, stated for the README.
    pub guarantee: &'static str,
}

/// The scenarios, in table order.
pub const EXPECTED: &[Scenario] = &[
    Scenario { group: "suite", id: "suite-records", guarantee: "the suite's own records are written and read back" },
    Scenario {
        group: "deadline",
        id: "deadline-sweep-hand-off",
        guarantee: "a sweep cut by its Lambda deadline starts no new action, hands the routes left to the queue, and the reconcile function finishes them",
    },
];
