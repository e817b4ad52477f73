use super::*;

/// The committed CRDs are what the types generate (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn committed_crd_yaml_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/crds.yaml");
    let generated = yaml();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).expect("write examples/crds.yaml");
    }
    let committed = std::fs::read_to_string(&path).expect("examples/crds.yaml exists");
    assert!(committed == generated, "examples/crds.yaml is stale: run UPDATE_GOLDEN=1 cargo test -p crds");
}

#[test]
fn every_kind_has_the_existing_controllers_group_names_and_scope() {
    let crds = all();
    let names: Vec<_> = crds.iter().map(|c| c.metadata.name.clone().unwrap_or_default()).collect();
    assert_eq!(
        names,
        [
            "accesslogpolicies.application-networking.k8s.aws",
            "iamauthpolicies.application-networking.k8s.aws",
            "serviceexports.application-networking.k8s.aws",
            "serviceimports.application-networking.k8s.aws",
            "servicenetworks.application-networking.k8s.aws",
            "targetgrouppolicies.application-networking.k8s.aws",
            "vpcassociationpolicies.application-networking.k8s.aws",
        ]
    );
    for crd in &crds {
        let scope = &crd.spec.scope;
        let cluster_scoped = crd.spec.names.kind == "ServiceNetwork";
        assert_eq!(scope, if cluster_scoped { "Cluster" } else { "Namespaced" }, "{}", crd.spec.names.kind);
        assert_eq!(crd.spec.versions[0].name, VERSION);
        let status = crd.spec.versions[0].subresources.as_ref().and_then(|s| s.status.as_ref());
        assert!(status.is_some(), "{} has a status subresource", crd.spec.names.kind);
    }
    assert_eq!(
        crds.iter().find(|c| c.spec.names.kind == "IAMAuthPolicy").map(|c| c.spec.names.plural.as_str()),
        Some("iamauthpolicies")
    );
}

#[test]
fn schema_carries_the_enums_and_ranges() {
    let tgp = serde_json::to_value(TargetGroupPolicy::crd()).expect("json");
    let spec = &tgp["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
    assert_eq!(spec["protocol"]["enum"], serde_json::json!(["HTTP", "HTTPS", "TCP"]));
    let hc = &spec["healthCheck"]["properties"];
    assert_eq!(hc["intervalSeconds"]["minimum"].as_f64(), Some(5.0));
    assert_eq!(hc["intervalSeconds"]["maximum"].as_f64(), Some(300.0));
    let sn = serde_json::to_value(ServiceNetwork::crd()).expect("json");
    let status = &sn["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"];
    assert!(status.get("serviceNetworkARN").is_some() && status.get("serviceNetworkID").is_some());
}

#[test]
fn manifests_written_for_the_existing_controller_read_unchanged() {
    let doc = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: tgp, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: inventory-ver1}
  protocol: HTTP
  protocolVersion: HTTP1
  healthCheck: {enabled: true, intervalSeconds: 10, timeoutSeconds: 1, healthyThresholdCount: 3,
    unhealthyThresholdCount: 2, path: "/health", port: 80, protocol: HTTP, protocolVersion: HTTP1, statusMatch: "200"}
"#;
    let tgp: TargetGroupPolicy = serde_saphyr::from_str(doc).expect("reads");
    assert_eq!(tgp.spec.target_ref.kind, "Service");
    assert_eq!(tgp.spec.health_check.and_then(|h| h.interval_seconds), Some(10));
    let export = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: rates, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec: {exportedPorts: [{port: 80, routeType: HTTP}, {port: 8081, routeType: GRPC}]}
"#;
    let export: ServiceExport = serde_saphyr::from_str(export).expect("reads");
    assert_eq!(export.spec.exported_ports.map(|p| p.len()), Some(2));
    let sn: ServiceNetwork = serde_saphyr::from_str("apiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceNetwork\nmetadata: {name: my-hotel}\nspec: {}\nstatus: {serviceNetworkARN: arn, serviceNetworkID: sn-1}\n").expect("reads");
    assert_eq!(sn.status.and_then(|s| s.service_network_id).as_deref(), Some("sn-1"));
}
