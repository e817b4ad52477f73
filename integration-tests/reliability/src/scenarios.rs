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
    // gc
    Scenario {
        group: "gc",
        id: "gc-mass-delete-refused",
        guarantee: "a run that would delete more than GC_MAX_DELETE_PERCENT of what it owns deletes nothing, \
                    reports every refused deletion and fails; the explicit override deletes",
    },
    Scenario {
        group: "gc",
        id: "gc-limit-configurable",
        guarantee: "the limit is configurable, validated with errors naming the variable, and can be turned off",
    },
    Scenario {
        group: "gc",
        id: "gc-functions-refuse",
        guarantee: "the sweep and reconcile functions refuse a mass deletion, fail the invocation with a metric, \
                    and apply it only with \"allowMassDelete\": true",
    },
    // security
    Scenario {
        group: "security",
        id: "security-no-secrets-logged",
        guarantee: "no AWS secret key, session token, EKS bearer token, Authorization header or signature \
                    appears in the logs of a full run, even at TRACE",
    },
    Scenario {
        group: "security",
        id: "security-iam-least-privilege",
        guarantee: "every mutating IAM grant of the deployment is limited by the ManagedBy tag where VPC Lattice \
                    supports it, otherwise by ARN, with each exception justified",
    },
    Scenario {
        group: "security",
        id: "security-payload-limits",
        guarantee: "audit-log deliveries over 1 MiB encoded or 2 MiB inflated (gzip bombs) and queue messages \
                    over 16 KiB are refused with a log line and a metric, never a crash",
    },
    Scenario {
        group: "security",
        id: "security-reference-grants",
        guarantee: "every cross-namespace reference (backendRefs to Services and ServiceImports of each route kind, \
                    certificateRefs, parentRefs) needs its ReferenceGrant or allowedRoutes; policy targets stay local",
    },
    // bad-input
    Scenario {
        group: "bad-input",
        id: "bad-input-corpus",
        guarantee: "each of 60+ invalid, unsupported, oversized or hostile manifests gets an input error or status \
                    condition naming the object and field, never a panic, and the valid objects beside it are reconciled",
    },
];
