//! The `application-networking.k8s.aws/v1alpha1` kinds.

use super::*;
use model::snapshot::{name_of, namespace_of};

fn load(text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    load_str(text, Path::new("aws.yaml"), &mut loaded);
    loaded
}

const ALL_KINDS: &str = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: rates, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec: {exportedPorts: [{port: 80, routeType: HTTP}]}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: tgp, namespace: shop}
spec: {targetRef: {group: "", kind: Service, name: rates}, protocol: HTTP, healthCheck: {intervalSeconds: 10}}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: vap}
spec: {targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: my-hotel}, securityGroupIds: [sg-1]}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: AccessLogPolicy
metadata: {name: alp}
spec: {targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: my-hotel}, destinationArn: "arn:aws:s3:::logs"}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: iap}
spec: {targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: rates}, policy: "{}"}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceNetwork
metadata: {name: my-hotel, namespace: ignored}
"#;

#[test]
fn reads_every_kind_with_defaults() {
    let loaded = load(ALL_KINDS);
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let s = &loaded.snapshot;
    assert_eq!(s.service_exports.len(), 1);
    assert_eq!(namespace_of(&s.service_exports[0].metadata), "default");
    assert_eq!(namespace_of(&s.target_group_policies[0].metadata), "shop");
    assert_eq!(s.target_group_policies[0].spec.health_check.as_ref().and_then(|h| h.interval_seconds), Some(10));
    assert_eq!(s.vpc_association_policies[0].spec.security_group_ids.as_deref(), Some(&["sg-1".to_owned()][..]));
    assert_eq!(s.access_log_policies[0].spec.destination_arn.as_deref(), Some("arn:aws:s3:::logs"));
    assert_eq!(s.iam_auth_policies[0].spec.policy, "{}");
    assert_eq!(name_of(&s.service_networks[0].metadata), "my-hotel");
    assert_eq!(s.service_networks[0].metadata.namespace, None, "cluster-scoped");
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
}

#[test]
fn wrong_types_name_the_field_and_keep_the_others() {
    let text = format!(
        "{ALL_KINDS}---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: TargetGroupPolicy\nmetadata: {{name: bad}}\nspec: {{targetRef: {{kind: Service, name: x}}, healthCheck: {{intervalSeconds: often}}}}\n"
    );
    let loaded = load(&text);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let error = &loaded.errors[0];
    assert_eq!(error.object.as_deref(), Some("TargetGroupPolicy default/bad"));
    assert_eq!(error.field.as_deref(), Some("spec.healthCheck.intervalSeconds"));
    assert_eq!(loaded.snapshot.target_group_policies.len(), 1);
    assert_eq!(loaded.snapshot.unreadable, vec![ObjectRef::new("TargetGroupPolicy", "default", "bad")]);
}

#[test]
fn unknown_spec_fields_are_recorded_and_other_versions_skipped() {
    let text = "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\nmetadata: {name: iap}\nspec: {targetRef: {kind: Gateway, name: gw}, policy: '{}', sectionName: http}\n---\napiVersion: application-networking.k8s.aws/v2\nkind: IAMAuthPolicy\nmetadata: {name: other}\nspec: {}\n";
    let loaded = load(text);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let key = ObjectRef::new("IAMAuthPolicy", "default", "iap");
    assert_eq!(loaded.snapshot.unknown_fields.get(&key), Some(&vec!["spec.sectionName".to_owned()]));
    assert_eq!(loaded.skipped.get("IAMAuthPolicy"), Some(&1));
}

#[test]
fn a_legacy_service_export_without_a_spec_is_read() {
    let text = "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceExport\nmetadata:\n  name: rates\n  annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice, application-networking.k8s.aws/port: '80,8080'}\n";
    let loaded = load(text);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.snapshot.service_exports.len(), 1);
    assert_eq!(loaded.snapshot.service_exports[0].spec.exported_ports, None);
}
