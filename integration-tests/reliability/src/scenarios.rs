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
    // crash
    Scenario {
        group: "crash",
        id: "crash-demo-apply",
        guarantee: "the demo's first apply cut off after any of its VPC Lattice calls is finished by the next run, ending exactly as a clean run does: nothing duplicated, no orphan target group",
    },
    Scenario {
        group: "crash",
        id: "crash-routes-deleted",
        guarantee: "deleting the demo's routes cut off after any call is finished by the next run: nothing of theirs is left behind and no service is left half deleted",
    },
    Scenario {
        group: "crash",
        id: "crash-demo-updated",
        guarantee: "an update (weights, a path, a new target) cut off after any call is finished by the next run, ending exactly as a clean update does",
    },
    // noisy-aws
    Scenario {
        group: "noisy-aws",
        id: "noisy-throttling-errors-spikes",
        guarantee: "with half the calls throttled, a tenth failing with 5xx and latency spikes, the demo converges within 4 runs to the account a quiet run makes, without duplicates",
    },
    Scenario {
        group: "noisy-aws",
        id: "noisy-eventual-consistency",
        guarantee: "when lists lag behind creates (by responses or by time), the demo converges within 4 runs without creating anything twice",
    },
    // concurrency
    Scenario {
        group: "concurrency",
        id: "concurrency-sweep-and-route",
        guarantee: "a sweep and a reconcile of one route running at the same time end in one correct account, and the next run plans nothing",
    },
    Scenario {
        group: "concurrency",
        id: "concurrency-two-sweeps",
        guarantee: "two sweeps running at the same time end in one correct account, and the next run plans nothing",
    },
    // kubernetes
    Scenario {
        group: "kubernetes",
        id: "kubernetes-incomplete-reads",
        guarantee: "a sweep whose cluster read fails part-way (an API error on a list, a listing cut short) changes nothing in VPC Lattice and says so; the next complete read deletes what is really gone",
    },
    Scenario {
        group: "kubernetes",
        id: "kubernetes-expired-token",
        guarantee: "a bearer token the API server refuses (401) is minted again and the request sent once more, so the read succeeds",
    },
    // ownership
    Scenario {
        group: "ownership",
        id: "ownership-foreign-untouched",
        guarantee: "other clusters' and untagged resources, including a service, listener and rule names and a service network of ours, are never modified or deleted by any crash, noisy, concurrency or Kubernetes scenario, nor by creation, drift repair and garbage collection",
    },
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
