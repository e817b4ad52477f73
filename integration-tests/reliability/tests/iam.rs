//! Least privilege in `template.yaml` (and, through the SAM/CDK parity test in `infra/`, in the
//! CDK app): every mutating action is limited by a condition (the `ManagedBy` tag where VPC Lattice
//! supports one) or by resource ARNs, unless it is on the allow-list below with the reason; reads
//! on `"*"` are only the actions that have no resource type.

use std::collections::BTreeMap;

use serde_json::Value;

/// Mutating actions allowed without a condition, and why. They must still name resource ARNs
/// unless the reason says the action has no resource type.
const UNCONDITIONED: &[(&str, &str)] = &[
    // The service authorization reference lists no condition keys for target registration; the
    // statement is limited to this account's target groups.
    ("vpc-lattice:RegisterTargets", "no condition keys; ARN-limited to targetgroup/*"),
    ("vpc-lattice:DeregisterTargets", "no condition keys; ARN-limited to targetgroup/*"),
    // Access log subscriptions are vended-log deliveries: no resource type, "*" is the only resource.
    ("logs:CreateLogDelivery", "no resource type"),
    ("logs:UpdateLogDelivery", "no resource type"),
    ("logs:DeleteLogDelivery", "no resource type"),
    // Each function writes only its own log group; the queues are named by ARN.
    ("logs:CreateLogStream", "ARN-limited to the function's log group"),
    ("logs:PutLogEvents", "ARN-limited to the function's log group"),
    ("sqs:SendMessage", "ARN-limited to the stack's queues"),
    // The SQS event source polls the reconcile queue on the function's behalf.
    ("sqs:ReceiveMessage", "ARN-limited to the reconcile queue"),
    ("sqs:DeleteMessage", "ARN-limited to the reconcile queue"),
    ("sqs:ChangeMessageVisibility", "ARN-limited to the reconcile queue"),
    ("lambda:InvokeFunction", "ARN-limited to the sweep function"),
];

/// Reads allowed on `"*"`: actions without a resource type.
const READS_ON_ANY: &[&str] = &[
    "vpc-lattice:ListServiceNetworks",
    "vpc-lattice:ListServices",
    "vpc-lattice:ListListeners",
    "vpc-lattice:ListRules",
    "vpc-lattice:ListTargetGroups",
    "vpc-lattice:ListServiceNetworkServiceAssociations",
    "vpc-lattice:ListServiceNetworkVpcAssociations",
    "tag:GetResources",
    "acm:ListCertificates",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
];

fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    ["Get", "List", "Describe"].iter().any(|p| verb.starts_with(p))
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// Every identity-policy statement of the template: `(where, statement)`.
fn statements(template: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let resources = template["Resources"].as_object().expect("Resources");
    for (id, resource) in resources {
        let props = &resource["Properties"];
        let mut documents: Vec<(String, &Value)> = Vec::new();
        match resource["Type"].as_str() {
            Some("AWS::IAM::ManagedPolicy") => documents.push((id.clone(), &props["PolicyDocument"])),
            Some("AWS::IAM::Role") => {
                for p in props["Policies"].as_array().into_iter().flatten() {
                    documents.push((format!("{id}/{}", p["PolicyName"].as_str().unwrap_or("?")), &p["PolicyDocument"]));
                }
                assert!(
                    props
                        .get("ManagedPolicyArns")
                        .is_none_or(|arns| { !arns.to_string().contains("arn:aws:iam::aws:policy") }),
                    "{id}: AWS managed policies are broader than needed"
                );
            }
            Some("AWS::Serverless::Function") => {
                assert!(props.get("Policies").is_none(), "{id}: SAM policy templates bypass this review");
            }
            _ => {}
        }
        for (place, doc) in documents {
            for s in doc["Statement"].as_array().expect("statements") {
                out.push((place.clone(), s.clone()));
            }
        }
    }
    out
}

#[test]
fn reliability_security_iam_is_least_privilege() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
        .expect("template.yaml at the repository root");
    let template: Value = serde_saphyr::from_str(&text).expect("template.yaml parses");
    let allow: BTreeMap<&str, &str> = UNCONDITIONED.iter().copied().collect();
    let mut problems = Vec::new();
    let mut mutating = 0;
    let mut tag_conditioned = 0;
    let statements = statements(&template);
    assert!(statements.len() >= 10, "the template's policies were found: {}", statements.len());
    for (place, s) in &statements {
        assert_eq!(s["Effect"], "Allow", "{place}: only Allow statements are expected");
        let sid = s["Sid"].as_str().unwrap_or("?");
        let actions = strings(&s["Action"]);
        let resources = strings(&s["Resource"]);
        let on_any = s["Resource"].as_str() == Some("*") || resources.is_empty();
        let condition = s.get("Condition").filter(|c| c.as_object().is_some_and(|o| !o.is_empty()));
        let by_tag = condition.is_some_and(|c| c.to_string().contains("application-networking.k8s.aws/ManagedBy"));
        for action in &actions {
            assert!(!action.contains('*'), "{place}/{sid}: wildcard action {action}");
            if is_read(action) {
                if on_any && !READS_ON_ANY.contains(&action.as_str()) {
                    problems.push(format!("{place}/{sid}: read {action} on \"*\" although it has a resource type"));
                }
                continue;
            }
            mutating += 1;
            if action.starts_with("vpc-lattice:") && condition.is_some() {
                if by_tag || action == "vpc-lattice:UntagResource" {
                    tag_conditioned += 1;
                } else {
                    problems.push(format!("{place}/{sid}: {action} is conditioned but not on the ManagedBy tag"));
                }
                continue;
            }
            if condition.is_some() {
                continue;
            }
            match allow.get(action.as_str()) {
                None => problems.push(format!("{place}/{sid}: mutating {action} without a condition")),
                Some(reason) if on_any && !reason.contains("no resource type") => {
                    problems.push(format!("{place}/{sid}: {action} on \"*\" ({reason})"));
                }
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "IAM review:\n{}", problems.join("\n"));
    reliability::record(
        "security-iam-least-privilege",
        &format!(
            "{} statements, {mutating} mutating grants: {tag_conditioned} Lattice grants limited by the ManagedBy tag, \
             the rest by ARN or an allow-listed reason ({} entries)",
            statements.len(),
            UNCONDITIONED.len()
        ),
    );
}
