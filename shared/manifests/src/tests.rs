use super::*;
use model::snapshot::{AWS_GROUP, MCS_GROUP, name_of, namespace_of};

fn load(text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    load_str(text, Path::new("test.yaml"), &mut loaded);
    loaded
}

fn route(name: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {name}
spec:
  parentRefs:
  - name: gw
  rules:
  - backendRefs:
    - name: svc
      port: 80
"
    )
}

fn route_names(loaded: &Loaded) -> Vec<&str> {
    let routes = &loaded.snapshot.http_routes;
    routes.iter().map(|r| name_of(&r.metadata)).collect()
}

fn assert_no_errors(loaded: &Loaded) {
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn splits_documents_with_leading_separator_and_comments() {
    let text = format!("# routes\n---\n{}--- # second\n{}---\n# nothing here\n---\n...\n", route("a"), route("b"));
    let loaded = load(&text);
    assert_no_errors(&loaded);
    assert_eq!(route_names(&loaded), ["a", "b"]);
}

#[test]
fn yaml_syntax_error_does_not_stop_other_documents() {
    let text = format!("{}---\nkind: [unclosed\n---\n{}", route("a"), route("b"));
    let loaded = load(&text);
    assert_eq!(route_names(&loaded), ["a", "b"]);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.index, 1);
    let line = error.line.unwrap_or(0);
    assert!((13..=15).contains(&line), "{error}");
    assert!(error.message.starts_with("invalid YAML"), "{error}");
}

#[test]
fn malformed_document_between_good_ones_reports_its_field() {
    let bad = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bad
spec:
  rules:
  - matches:
    - path:
        type: Glob
        value: /x
";
    let text = format!("{}---\n{bad}---\n{}", route("a"), route("b"));
    let loaded = load(&text);
    assert_eq!(route_names(&loaded), ["a", "b"]);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.index, 1);
    assert_eq!(error.object.as_deref(), Some("HTTPRoute default/bad"));
    assert_eq!(error.field.as_deref(), Some("spec.rules[0].matches[0].path.type"));
    assert!(error.message.contains("unknown variant `Glob`"), "{error}");
}

#[test]
fn wrong_type_names_the_field_path() {
    let text = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
spec:
  rules:
  - backendRefs:
    - name: svc
      weight: x
";
    let mut loaded = Loaded::default();
    load_str(text, Path::new("examples/x.yaml"), &mut loaded);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(
        loaded.errors[0].to_string(),
        "examples/x.yaml#0 HTTPRoute default/rates: spec.rules[0].backendRefs[0].weight: \
         invalid type: string \"x\", expected i32"
    );
}

#[test]
fn missing_name_and_kind_are_errors() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  namespace: a\n---\napiVersion: v1\n";
    let loaded = load(text);
    let fields: Vec<_> = loaded.errors.iter().map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, [Some("metadata.name"), Some("kind")]);
    assert_eq!(loaded.errors[0].object.as_deref(), Some("Service"));
    assert_eq!(loaded.errors[1].index, 1);
}

#[test]
fn other_kinds_are_counted() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---
apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n---
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---
apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: d}\n";
    let loaded = load(text);
    assert_no_errors(&loaded);
    let skipped: Vec<_> = loaded.skipped.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(skipped, [("ConfigMap", 1), ("Deployment", 2), ("TCPRoute", 1)]);
}

#[test]
fn documents_without_api_version_and_kind_are_skipped_not_errors() {
    let mut loaded = crate::Loaded::default();
    crate::load_str(
        r#"{"Records": [{"messageId": "1", "body": "{}"}]} {"awslogs": {"data": "H4sI"}}"#,
        std::path::Path::new("events/sqs.json"),
        &mut loaded,
    );
    assert_no_errors(&loaded);
    let skipped: Vec<_> = loaded.skipped.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(skipped, [("(not a Kubernetes object)", 2)]);
    let half = load("apiVersion: v1\nmetadata: {name: a}\n");
    assert_eq!(half.errors.len(), 1, "an object with only one of the two is still an error");
}

#[test]
fn unsupported_gateway_api_version_is_an_error() {
    let text = route("old").replace("/v1\n", "/v1alpha2\n");
    let loaded = load(&text);
    assert!(loaded.snapshot.http_routes.is_empty());
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].field.as_deref(), Some("apiVersion"));
}

#[test]
fn reads_v1beta1_reference_grant_and_gateway_class() {
    let text = "apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: allow
  namespace: backends
spec:
  from:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    namespace: default
  to:
  - group: ''
    kind: Service
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: GatewayClass
metadata:
  name: lattice
  namespace: ignored
spec:
  controllerName: application-networking.k8s.aws/gateway-api-controller
";
    let loaded = load(text);
    assert_no_errors(&loaded);
    let grant = &loaded.snapshot.reference_grants[0];
    assert_eq!(namespace_of(&grant.metadata), "backends");
    assert_eq!(grant.spec.from[0].kind, "HTTPRoute");
    let class = &loaded.snapshot.gateway_classes[0];
    assert_eq!(name_of(&class.metadata), "lattice");
    assert_eq!(class.metadata.namespace, None);
}

#[test]
fn reads_service_imports_of_both_groups() {
    let text = "apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata:
  name: checkout
  annotations:
    application-networking.k8s.aws/aws-eks-cluster-name: east
spec:
  type: ClusterSetIP
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata:
  name: checkout
  namespace: shop
";
    let loaded = load(text);
    assert_no_errors(&loaded);
    let imports = &loaded.snapshot.service_imports;
    let got: Vec<_> =
        imports.iter().map(|i| (i.group.as_str(), namespace_of(&i.metadata), name_of(&i.metadata))).collect();
    assert_eq!(got, [(MCS_GROUP, "default", "checkout"), (AWS_GROUP, "shop", "checkout")]);
    assert!(imports[0].metadata.annotations.is_some());
}

#[test]
fn expands_lists() {
    let text = "apiVersion: v1
kind: List
items:
- {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {name: a}, spec: {}}
- apiVersion: v1
  kind: Service
  metadata: {name: svc}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRouteList
items:
- metadata: {name: b}
  spec: {}
";
    let loaded = load(text);
    assert_no_errors(&loaded);
    assert_eq!(route_names(&loaded), ["a", "b"]);
    assert_eq!(loaded.snapshot.services.len(), 1);
}

#[test]
fn namespaced_objects_default_to_default_namespace() {
    let text = format!("{}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n", route("a"));
    let loaded = load(&text);
    assert_no_errors(&loaded);
    assert_eq!(namespace_of(&loaded.snapshot.http_routes[0].metadata), "default");
    assert_eq!(loaded.snapshot.namespaces[0].metadata.namespace, None);
}

#[test]
fn records_fields_the_typed_route_drops() {
    let text = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
  namespace: shop
spec:
  rules:
  - backendRefs:
    - name: svc
      port: 80
    sessionPersistence:
      sessionName: s
    timeouts: null
";
    let loaded = load(text);
    assert_no_errors(&loaded);
    let key = ObjectRef::new("HTTPRoute", "shop", "rates");
    assert_eq!(loaded.snapshot.unknown_fields.get(&key), Some(&vec!["spec.rules[0].sessionPersistence".to_owned()]));
}

#[test]
fn known_fields_record_nothing() {
    let loaded = load(&route("a"));
    assert_no_errors(&loaded);
    assert!(loaded.snapshot.unknown_fields.is_empty());
}

#[test]
fn later_duplicate_wins_and_is_reported() {
    let first = route("a");
    let second = route("a").replace("port: 80", "port: 8080");
    let mut loaded = Loaded::default();
    load_str(&first, Path::new("one.yaml"), &mut loaded);
    load_str(&format!("{}---\n{second}", route("b")), Path::new("two.yaml"), &mut loaded);
    assert_eq!(route_names(&loaded), ["a", "b"]);
    let rules = loaded.snapshot.http_routes[0].spec.rules.as_deref().unwrap_or_default();
    let port = rules[0].backend_refs.as_deref().unwrap_or_default()[0].port;
    assert_eq!(port, Some(8080));
    assert_eq!(loaded.errors.len(), 1);
    let message = loaded.errors[0].to_string();
    assert!(message.starts_with("two.yaml#1 HTTPRoute default/a:"), "{message}");
    assert!(message.contains("one.yaml#0"), "{message}");
}

#[test]
fn json_files_are_read_as_json_streams() {
    let text = r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}
{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}}
{"apiVersion": "#;
    let mut loaded = Loaded::default();
    load_str(text, Path::new("svc.json"), &mut loaded);
    assert_eq!(loaded.snapshot.services.len(), 2);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].index, 2);
    assert_eq!(loaded.errors[0].line, Some(3));
}

/// A directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let unique = format!("manifests-{name}-{}-{nanos}", std::process::id());
        Self(std::env::temp_dir().join(unique))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn loads_directories_recursively_in_order() -> Result<(), Box<dyn std::error::Error>> {
    let dir = TempDir::new("dir");
    fs::create_dir_all(dir.0.join("sub"))?;
    fs::write(dir.0.join("b.yaml"), route("b"))?;
    fs::write(dir.0.join("a.yml"), route("a"))?;
    fs::write(
        dir.0.join("sub/c.json"),
        serde_json::to_string(&serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "c"}, "spec": {}
        }))?,
    )?;
    fs::write(dir.0.join("notes.txt"), "not: a manifest")?;
    fs::write(dir.0.join("broken.yaml"), "kind: [")?;
    let loaded = load_paths(&[dir.0.clone(), dir.0.join("a.yml")])?;
    assert_eq!(route_names(&loaded), ["a", "b", "c"]);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].file, dir.0.join("broken.yaml"));
    Ok(())
}

#[test]
fn unreadable_path_is_an_error() {
    let missing = TempDir::new("missing");
    let result = load_paths(std::slice::from_ref(&missing.0));
    assert!(matches!(result, Err(Error::ReadMetadata { .. })));
}

#[test]
fn add_object_reads_one_parsed_object_and_reports_a_bad_one() {
    let mut loaded = Loaded::default();
    let good = serde_json::json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"namespace": "shop", "name": "rates"}, "spec": {}
    });
    let bad = serde_json::json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"namespace": "shop", "name": "bad"},
        "spec": {"rules": [{"matches": [{"path": {"type": "Glob", "value": "/x"}}]}]}
    });
    add_object(good, Origin::new("/apis/gateway.networking.k8s.io/v1/httproutes", 0), &mut loaded);
    add_object(bad, Origin::new("/apis/gateway.networking.k8s.io/v1/httproutes", 1), &mut loaded);
    assert_eq!(route_names(&loaded), ["rates"]);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.index, 1);
    assert_eq!(error.object.as_deref(), Some("HTTPRoute shop/bad"));
    assert_eq!(error.field.as_deref(), Some("spec.rules[0].matches[0].path.type"));
}
