//! The `-o json` document against the output contract: the demo applied (with every optional part
//! filled in), rendered for manifests, for a cluster run and for a cluster dry run, must hold exactly
//! the members and values the contract spells out, with the top-level members, and those of the
//! objects the CLI shapes itself, in alphabetical order.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::jiff::Timestamp;
use model::lattice::OwnerKey;
use model::plan::valve::MassDelete;
use model::readiness::{PodGate, Recheck};
use model::snapshot::ObjectRef;
use reconciler::{ActionProblem, Mode, ReadinessOutcome, Waiting, WriteOutcome};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

use crate::engine::{Input, Limits, Outcome, Target, run_pipeline};

/// The demo applied to an embedded emulator, with input problems, apply problems, a mass deletion
/// and a protected route added so that no member of the document is empty.
async fn demo() -> Outcome {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut loaded = manifests::load_paths(&[examples]).expect("examples load");
    loaded.errors.push(manifests::DocumentError {
        file: PathBuf::from("broken.yaml"),
        index: 2,
        line: Some(7),
        object: Some("HTTPRoute default/broken".into()),
        field: Some("spec.rules[0]".into()),
        message: "invalid type: string \"x\", expected a sequence".into(),
    });
    let config = model::config::Config::new(crate::offline_identity());
    let limits = Limits { tps: 0, max_attempts: 1 };
    let now = Timestamp::from_second(1_700_000_000).expect("timestamp");
    let mut o = run_pipeline(loaded, &config, &Target::Embedded, limits, Mode::Apply, now).await.expect("demo runs");
    let r = &mut o.report;
    assert!(r.plan.actions.len() > 3, "the demo plans calls");
    let problem =
        |i: usize, message: &str| ActionProblem { action: r.plan.actions[i].clone(), message: message.into() };
    let (failed, skipped, pending) = (problem(0, "throttled"), problem(1, "after a failure"), problem(2, "creating"));
    let apply = r.apply.as_mut().expect("applied");
    apply.failed.push(failed);
    apply.skipped.push(skipped);
    apply.pending.push(pending);
    r.mass_delete =
        Some(MassDelete { deletions: 9, owned: 10, max_delete_percent: 50, refused_calls: 9, overridden: false });
    r.protected.insert(OwnerKey { kind: "HTTPRoute".into(), namespace: "default".into(), name: "held".into() });
    assert!(matches!(&o.input, Input::Manifests(l) if !l.skipped.is_empty()), "the demo skips kinds it does not read");
    o.cpu = Some(crate::cpu::Phases { input_ms: 1.5, pipeline_ms: 20.25 });
    o
}

/// `o` as a cluster run (a dry run without a status write).
fn as_cluster(mut o: Outcome, write: bool) -> Outcome {
    let pod = ObjectRef::new("Pod", "default", "parking-1");
    let condition = PodCondition {
        type_: "application-networking.k8s.aws/pod-readiness-gate".into(),
        status: "False".into(),
        reason: Some("TargetUnhealthy".into()),
        message: None,
        ..PodCondition::default()
    };
    let waiting = Waiting {
        gate: PodGate { pod: pod.clone(), uid: "u-1".into(), gated: true, condition: Some(condition.clone()) },
        targets: Vec::new(),
        recheck: Recheck::Soon,
    };
    let failure = |kind: &str, name: &str, message: &str| (ObjectRef::new(kind, "default", name), message.to_owned());
    o.input = Input::Cluster {
        description: "cluster of kubeconfig /tmp/kubeconfig".into(),
        write: write.then(|| WriteOutcome {
            written: vec![ObjectRef::new("HTTPRoute", "default", "rates")],
            unchanged: vec![ObjectRef::new("Gateway", "default", "my-hotel")],
            failed: vec![failure("HTTPRoute", "inventory", "conflict")],
        }),
        dns: Box::new(model::dns::DnsOutcome {
            served: true,
            created: vec![ObjectRef::new("DNSEndpoint", "default", "rates-dns")],
            updated: vec![ObjectRef::new("DNSEndpoint", "default", "parking-dns")],
            deleted: vec![ObjectRef::new("DNSEndpoint", "default", "old-dns")],
            unchanged: vec![ObjectRef::new("DNSEndpoint", "default", "review-dns")],
            foreign: vec![failure("HTTPRoute", "taken", "DNSEndpoint default/taken-dns is not ours")],
            failed: vec![failure("DNSEndpoint", "broken-dns", "forbidden")],
        }),
        readiness: Box::new(ReadinessOutcome {
            pods_read: 3,
            gated: 2,
            written: vec![(pod, condition)],
            waiting: vec![waiting],
            failed: vec![failure("Pod", "gone", "not found")],
        }),
    };
    o
}

/// The contract, spelled out member by member from the outcome.
fn contract(o: &Outcome) -> Value {
    let r = &o.report;
    let problems = |list: &[ActionProblem]| -> Vec<Value> {
        list.iter().map(|p| json!({"action": p.action, "message": p.message})).collect()
    };
    let names = |list: &[ObjectRef]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
    let objects = |list: &[(ObjectRef, String)]| -> Vec<Value> {
        list.iter().map(|(o, m)| json!({"object": o.to_string(), "message": m})).collect()
    };
    let mut doc = json!({
        "target": o.target,
        "actions": r.plan.actions,
        "desired": r.translation.desired,
        "status": r.translation.status.iter().map(model::status::StatusEntry::to_json).collect::<Vec<_>>(),
        "calls": r.calls,
        "apply": r.apply.as_ref().map(|a| json!({
            "applied": a.applied,
            "failed": problems(&a.failed),
            "skipped": problems(&a.skipped),
            "pending": problems(&a.pending),
        })),
        "refused": r.plan.refused,
        "massDelete": r.mass_delete,
        "protected": r.protected,
    });
    if let Some(cpu) = &o.cpu {
        doc["cpu"] = json!({"inputMs": cpu.input_ms, "pipelineMs": cpu.pipeline_ms});
    }
    match &o.input {
        Input::Manifests(loaded) => {
            doc["input"] = json!({
                "errors": loaded.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "skipped": loaded.skipped,
            });
        }
        Input::Cluster { description, write, dns, readiness } => {
            doc["cluster"] = json!(description);
            doc["dnsRecords"] = json!({
                "served": dns.served,
                "created": names(&dns.created),
                "updated": names(&dns.updated),
                "deleted": names(&dns.deleted),
                "unchanged": names(&dns.unchanged),
                "notOurs": objects(&dns.foreign),
                "failed": objects(&dns.failed),
            });
            let written: Vec<Value> = readiness
                .written
                .iter()
                .map(|(pod, c)| {
                    json!({"pod": pod.to_string(), "status": c.status, "reason": c.reason, "message": c.message})
                })
                .collect();
            doc["readinessGates"] = json!({
                "podsRead": readiness.pods_read,
                "gated": readiness.gated,
                "written": written,
                "waiting": readiness.waiting.iter().map(|w| w.gate.pod.to_string()).collect::<Vec<_>>(),
                "failed": objects(&readiness.failed),
            });
            doc["statusWrites"] = match write {
                Some(w) => json!({
                    "written": names(&w.written),
                    "unchanged": names(&w.unchanged),
                    "failed": objects(&w.failed),
                }),
                None => Value::Null,
            };
        }
    }
    doc
}

/// A JSON value that keeps object members in the order they were written.
#[derive(Debug)]
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar,
}

impl Ordered {
    fn keys(&self) -> Vec<&str> {
        match self {
            Ordered::Object(members) => members.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn get(&self, key: &str) -> &Ordered {
        match self {
            Ordered::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v).expect("member"),
            _ => panic!("{key}: not an object"),
        }
    }

    /// Whether this object's members, and those of the objects in its arrays, are in
    /// alphabetical order (objects nested deeper are not looked at).
    fn assert_sorted(&self, path: &str) {
        let keys = self.keys();
        assert!(keys.is_sorted(), "{path}: {keys:?}");
        if let Ordered::Object(members) = self {
            for (k, v) in members {
                if let Ordered::Array(items) = v {
                    for item in items {
                        assert!(item.keys().is_sorted(), "{path}.{k}[]: {:?}", item.keys());
                    }
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Ordered::Object(members))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn render(o: &Outcome) -> String {
    let mut out = Vec::new();
    crate::output::json(o, &mut out).expect("written");
    String::from_utf8(out).expect("UTF-8")
}

/// Checks the document of `o`: its values against the contract, its member order, and that
/// it is one pretty-printed object ending in a newline.
fn check(o: &Outcome, top: &[&str], shaped: &[&str]) {
    let text = render(o);
    let parsed: Value = serde_json::from_str(&text).expect("one JSON object");
    let expected = contract(o);
    let keys = |v: &Value| v.as_object().expect("an object").keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&parsed), keys(&expected));
    for key in keys(&expected) {
        assert_eq!(parsed[&key], expected[&key], "{key}");
    }
    assert!(
        text.starts_with("{\n  \"actions\": [\n    {\n      \"op\": ") && text.ends_with("\n}\n"),
        "pretty-printed"
    );
    let ordered: Ordered = serde_json::from_str(&text).expect("one JSON object");
    assert_eq!(ordered.keys(), top);
    for member in shaped {
        ordered.get(member).assert_sorted(member);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_holds_the_contract_in_alphabetical_member_order() {
    let o = demo().await;
    let common =
        ["actions", "apply", "calls", "cpu", "desired", "massDelete", "protected", "refused", "status", "target"];
    let mut top = common.to_vec();
    top.insert(5, "input");
    check(&o, &top, &["apply", "input"]);
    let mut unmeasured = demo().await;
    unmeasured.cpu = None;
    assert!(!render(&unmeasured).contains("\"cpu\""), "no CPU member where it was not measured");

    let o = as_cluster(o, true);
    let top = [
        "actions",
        "apply",
        "calls",
        "cluster",
        "cpu",
        "desired",
        "dnsRecords",
        "massDelete",
        "protected",
        "readinessGates",
        "refused",
        "status",
        "statusWrites",
        "target",
    ];
    let shaped = ["apply", "dnsRecords", "readinessGates", "statusWrites"];
    check(&o, &top, &shaped);

    let dry = as_cluster(o, false);
    check(&dry, &top, &shaped[..3]);
    assert!(render(&dry).contains("\n  \"statusWrites\": null,\n"), "a dry run writes no status");
}
