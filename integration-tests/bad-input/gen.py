# Generates corpus/ (run once; the files are committed). Each file starts with `# expect:` lines.
import os, json
C = 'corpus'
files = {}

def route(name, rules=None, parents=None, hostnames=None, ns='default', kind='HTTPRoute', api='gateway.networking.k8s.io/v1', extra_spec=''):
    parents = parents if parents is not None else "    - name: my-hotel\n      sectionName: http\n"
    rules = rules if rules is not None else "    - backendRefs:\n        - name: parking\n          port: 80\n"
    h = ''
    if hostnames is not None:
        h = "  hostnames:\n" + ''.join(f"    - {json.dumps(x)}\n" for x in hostnames)
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {json.dumps(name)}\n  namespace: {ns}\nspec:\n  parentRefs:\n{parents}{h}{extra_spec}  rules:\n{rules}"

def add(n, name, expect, body, ext='yaml', raw=None):
    header = ''.join(f"# expect: {e}\n" for e in expect)
    path = os.path.join(C, f"{n:02d}-{name}.{ext}")
    if raw is not None:
        open(path, 'wb').write(raw)
    else:
        open(path, 'w', newline='').write(header + body)

def backend(weight=None, name='parking', port=80, kind=None, ns=None, group=None):
    s = f"        - name: {name}\n"
    if kind: s += f"          kind: {kind}\n"
    if group is not None: s += f"          group: {json.dumps(group)}\n"
    if ns: s += f"          namespace: {ns}\n"
    if port is not None: s += f"          port: {port}\n"
    if weight is not None: s += f"          weight: {weight}\n"
    return s

R = 'status HTTPRoute default/'
n = 1
# --- names
add(n, 'name-254-chars', ['error metadata.name: "aaaa'], route('a' * 254)); n += 1
add(n, 'name-64-char-label', [R + 'b' * 64 + ' name'], route('b' * 64)); n += 1
add(n, 'name-unicode', ['error metadata.name: "räte-ünïcode" must be lower-case'], route('räte-ünïcode')); n += 1
add(n, 'name-uppercase', ['error metadata.name: "Rates" must be lower-case'], route('Rates')); n += 1
add(n, 'name-empty', ['error metadata.name'], route('')); n += 1
add(n, 'namespace-unicode', ['error metadata.namespace: "nämespace"'], route('nsbad', ns='"nämespace"')); n += 1
add(n, 'hostname-unicode', ['error HTTPRoute default/host-unicode: spec.hostnames[0]'], route('host-unicode', hostnames=['ünïcode.example.com'])); n += 1
add(n, 'hostname-ip', ['error spec.hostnames[0]: "10.0.0.1" is an IP address'], route('host-ip', hostnames=['10.0.0.1'])); n += 1
add(n, 'hostname-too-long', ['error HTTPRoute default/host-long: spec.hostnames[0]'], route('host-long', hostnames=['a' * 250 + '.example.com'])); n += 1
add(n, 'hostname-wildcard-middle', ['error HTTPRoute default/host-wild: spec.hostnames[0]'], route('host-wild', hostnames=['foo.*.example.com'])); n += 1
# --- weights
add(n, 'weight-zero-only', [R + 'w-zero "reason":"Accepted","status":"True"'], route('w-zero', rules="    - backendRefs:\n" + backend(0))); n += 1
add(n, 'weight-million', [R + 'w-million "reason":"Accepted","status":"True"'], route('w-million', rules="    - backendRefs:\n" + backend(1000000))); n += 1
add(n, 'weight-negative', ['error HTTPRoute default/w-neg: spec.rules[0].backendRefs[0].weight'], route('w-neg', rules="    - backendRefs:\n" + backend(-1))); n += 1
add(n, 'weight-2-31', ['error weight'], route('w-big', rules="    - backendRefs:\n" + backend(2**31))); n += 1
add(n, 'weight-string', ['error weight'], route('w-str', rules="    - backendRefs:\n" + backend('"heavy"'))); n += 1
add(n, 'weight-float', ['error weight'], route('w-float', rules="    - backendRefs:\n" + backend(1.5))); n += 1
# --- sizes
rules1000 = ''.join(f"    - matches:\n        - path:\n            type: PathPrefix\n            value: /r{i}\n      backendRefs:\n" + backend() for i in range(1000))
add(n, 'rules-1000', [R + 'rules-1000 rules'], route('rules-1000', rules=rules1000)); n += 1
backends1000 = "    - backendRefs:\n" + ''.join(backend(1, name=f"svc-{i}") for i in range(1000))
add(n, 'backends-1000', [R + 'backends-1000 backend'], route('backends-1000', rules=backends1000)); n += 1
headers = "    - matches:\n        - headers:\n" + ''.join(f"            - name: h{i}\n              value: v\n" for i in range(50)) + "      backendRefs:\n" + backend()
add(n, 'header-matches-50', [R + 'headers-50 header'], route('headers-50', rules=headers)); n += 1
add(n, 'path-very-long', [R + 'path-long path'], route('path-long', rules="    - matches:\n        - path:\n            type: PathPrefix\n            value: /" + 'p' * 5000 + "\n      backendRefs:\n" + backend())); n += 1
add(n, 'string-1mb-annotation', [R + 'big-annotation'], route('big-annotation').replace("  namespace: default\n", "  namespace: default\n  annotations:\n    note: " + 'x' * 1_000_000 + "\n", 1)); n += 1
nested = "spec:\n  x: " + "[" * 2000 + "]" * 2000 + "\n"
add(n, 'deeply-nested', ['error recursion limit exceeded'], "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: nested\n  namespace: default\n" + nested); n += 1
# --- references
add(n, 'parentrefs-duplicate', ['error HTTPRoute default/dup-parents: spec.parentRefs[1]: repeats spec.parentRefs[0]'], route('dup-parents', parents="    - name: my-hotel\n      sectionName: http\n    - name: my-hotel\n      sectionName: http\n")); n += 1
add(n, 'parentref-wrong-port', [R + 'no-port-parent NoMatchingParent'], route('no-port-parent', parents="    - name: my-hotel\n      port: 9999\n")); n += 1
add(n, 'parentref-unknown-section', [R + 'no-section NoMatchingParent'], route('no-section', parents="    - name: my-hotel\n      sectionName: nope\n")); n += 1
add(n, 'parentref-port-out-of-range', ['error spec.parentRefs[0].port'], route('parent-port', parents="    - name: my-hotel\n      port: 70000\n")); n += 1
add(n, 'backendref-self-route', [R + 'self-ref backendRef'], route('self-ref', rules="    - backendRefs:\n" + backend(name='self-ref', kind='HTTPRoute', group='gateway.networking.k8s.io'))); n += 1
add(n, 'backendref-missing-service', [R + 'missing-svc BackendNotFound'], route('missing-svc', rules="    - backendRefs:\n" + backend(name='no-such-service'))); n += 1
add(n, 'backendref-no-port', [R + 'no-port port'], route('no-port', rules="    - backendRefs:\n" + backend(port=None))); n += 1
add(n, 'backendref-port-70000', ['error HTTPRoute default/port-big: spec.rules[0].backendRefs[0].port'], route('port-big', rules="    - backendRefs:\n" + backend(port=70000))); n += 1
add(n, 'backendref-port-zero', ['error HTTPRoute default/port-zero: spec.rules[0].backendRefs[0].port'], route('port-zero', rules="    - backendRefs:\n" + backend(port=0))); n += 1
add(n, 'backendref-unknown-kind', [R + 'odd-kind InvalidKind'], route('odd-kind', rules="    - backendRefs:\n" + backend(kind='ConfigMap'))); n += 1
add(n, 'backendref-cross-ns-no-grant', [R + 'cross-ns RefNotPermitted'], route('cross-ns', rules="    - backendRefs:\n" + backend(ns='other'))); n += 1
add(n, 'parentref-cross-ns-not-allowed', ['status HTTPRoute other/foreign NotAllowedByListeners'], route('foreign', ns='other', parents="    - name: my-hotel\n      namespace: default\n      sectionName: http\n")); n += 1
# --- matches / filters
add(n, 'regex-invalid', [R + 'bad-regex path'], route('bad-regex', rules="    - matches:\n        - path:\n            type: RegularExpression\n            value: '([a-z'\n      backendRefs:\n" + backend())); n += 1
add(n, 'path-type-unknown', ['error path.type'], route('bad-path-type', rules="    - matches:\n        - path:\n            type: Glob\n            value: /x\n      backendRefs:\n" + backend())); n += 1
add(n, 'path-not-absolute', [R + 'rel-path path'], route('rel-path', rules="    - matches:\n        - path:\n            type: PathPrefix\n            value: relative\n      backendRefs:\n" + backend())); n += 1
add(n, 'method-unknown', ['error method'], route('bad-method', rules="    - matches:\n        - method: FETCH\n      backendRefs:\n" + backend())); n += 1
add(n, 'query-param-match', [R + 'query queryParams'], route('query', rules="    - matches:\n        - queryParams:\n            - name: a\n              value: b\n      backendRefs:\n" + backend())); n += 1
add(n, 'filter-url-rewrite', [R + 'rewrite filter'], route('rewrite', rules="    - filters:\n        - type: URLRewrite\n          urlRewrite:\n            path:\n              type: ReplaceFullPath\n              replaceFullPath: /x\n      backendRefs:\n" + backend())); n += 1
add(n, 'timeouts', [R + 'timeouts timeouts'], route('timeouts', rules="    - timeouts:\n        request: 10s\n      backendRefs:\n" + backend())); n += 1
# --- documents / syntax
add(n, 'malformed-yaml', ['error invalid YAML'], "apiVersion: v1\nkind: Service\nmetadata: {name: broken\n  namespace: default\n"); n += 1
add(n, 'tabs-indentation', ['error invalid YAML'], "apiVersion: v1\nkind: Service\nmetadata:\n\tname: tabbed\n"); n += 1
add(n, 'wrong-type-rules', ['error spec.rules'], "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: wrong-rules\n  namespace: default\nspec:\n  rules: \"everything\"\n"); n += 1
add(n, 'wrong-type-metadata', ['error metadata'], "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: [1, 2]\nspec: {}\n"); n += 1
add(n, 'missing-name', ['error metadata.name'], "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  namespace: default\nspec: {}\n"); n += 1
add(n, 'missing-kind', ['error kind'], "apiVersion: gateway.networking.k8s.io/v1\nmetadata:\n  name: nokind\n"); n += 1
add(n, 'unknown-version', ['error apiVersion'], route('v9', api='gateway.networking.k8s.io/v9')); n += 1
add(n, 'unknown-kind', ['skipped FancyRoute'], route('fancy', kind='FancyRoute')); n += 1
add(n, 'scalar-document', ['error document is not a mapping'], "just a string\n"); n += 1
add(n, 'list-document', ['error document is not a mapping'], "- a\n- b\n"); n += 1
add(n, 'empty-documents', ['nothing'], "---\n---\n\n---\n# only a comment\n"); n += 1
add(n, 'null-spec', ['error spec'], "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: null-spec\n  namespace: default\nspec: null\n"); n += 1
bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
prev = 'a'
for c in 'bcdefghi':
    bomb += f"{c}: &{c} [" + ','.join(['*' + prev] * 9) + "]\n"
    prev = c
add(n, 'yaml-billion-laughs', ['error budget breached'], bomb); n += 1
add(n, 'yaml-alias-cycle-ish', ['error Recursive reference'], "apiVersion: v1\nkind: Service\nmetadata: &m\n  name: cyc\n  namespace: default\n  labels: *m\n"); n += 1
add(n, 'duplicate-keys', ['error duplicate mapping key: kind'], "apiVersion: v1\nkind: Service\nkind: Service\nmetadata:\n  name: dupkeys\n  namespace: default\n"); n += 1
add(n, 'crlf-line-endings', [R + 'crlf-route Accepted'], route('crlf-route').replace('\n', '\r\n')); n += 1
# BOM and non-UTF-8 files are written as bytes (their header is still ASCII after the BOM).
add(n, 'utf8-bom', [], None, raw=("\ufeff# expect: " + R + "bom-route Accepted\n" + route('bom-route')).encode('utf-8')); n += 1
add(n, 'not-utf8', [], None, raw=b"# expect: error not UTF-8\napiVersion: v1\nkind: Service\nmetadata:\n  name: caf\xe9\n"); n += 1
add(n, 'json-truncated', ['error invalid JSON'], '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "trunc"', ext='json'); n += 1
# --- gateways, services, policies
add(n, 'gateway-conflicting-listeners', ['status Gateway default/conflict-gw Conflicted'], "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: conflict-gw\n  namespace: default\nspec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n    - name: a\n      protocol: HTTP\n      port: 80\n    - name: b\n      protocol: HTTPS\n      port: 80\n"); n += 1
add(n, 'gateway-port-out-of-range', ['error Gateway default/port-gw: spec.listeners[0].port'], "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: port-gw\n  namespace: default\nspec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n    - name: a\n      protocol: HTTP\n      port: 65536\n"); n += 1
add(n, 'gateway-duplicate-listener-names', ['error Gateway default/dupname-gw: spec.listeners[1].name'], "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: dupname-gw\n  namespace: default\nspec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n    - name: a\n      protocol: HTTP\n      port: 80\n    - name: a\n      protocol: HTTP\n      port: 8080\n"); n += 1
add(n, 'gateway-cert-cross-ns-no-grant', ['status Gateway default/cert-gw RefNotPermitted'], "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: cert-gw\n  namespace: default\nspec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n    - name: https\n      protocol: HTTPS\n      port: 443\n      tls:\n        certificateRefs:\n          - name: cert\n            namespace: other\n"); n += 1
add(n, 'service-port-out-of-range', ['error Service default/svc-port: spec.ports[0].port'], "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-port\n  namespace: default\nspec:\n  ports:\n    - port: 99999\n"); n += 1
add(n, 'policy-target-other-namespace', ['status TargetGroupPolicy default/tgp-cross namespace'], "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: TargetGroupPolicy\nmetadata:\n  name: tgp-cross\n  namespace: default\nspec:\n  targetRef:\n    group: \"\"\n    kind: Service\n    name: parking\n    namespace: other\n  protocol: HTTP\n"); n += 1
add(n, 'policy-target-wrong-kind', ['status IAMAuthPolicy default/iam-wrong targetRef'], "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\nmetadata:\n  name: iam-wrong\n  namespace: default\nspec:\n  targetRef:\n    group: \"\"\n    kind: ConfigMap\n    name: parking\n  policy: '{}'\n"); n += 1
add(n, 'policy-invalid-json', ['status IAMAuthPolicy default/iam-json policy'], "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\nmetadata:\n  name: iam-json\n  namespace: default\nspec:\n  targetRef:\n    group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    name: rates\n  policy: '{not json'\n"); n += 1
add(n, 'grpcroute-on-http-listener', ['status GRPCRoute default/grpc-bad NotAllowedByListeners'], "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: grpc-bad\n  namespace: default\nspec:\n  parentRefs:\n    - name: my-hotel\n  rules:\n    - matches:\n        - method:\n            type: RegularExpression\n            service: '(('\n      backendRefs:\n        - name: parking\n          port: 80\n"); n += 1
add(n, 'tlsroute-no-hostname', ['error TLSRoute default/tls-nohost: spec: missing field `hostnames`'], "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata:\n  name: tls-nohost\n  namespace: default\nspec:\n  parentRefs:\n    - name: my-hotel\n  rules:\n    - backendRefs:\n        - name: parking\n          port: 80\n"); n += 1
add(n, 'route-shadows-hotel-name', [R + 'rates Accepted'], route('rates')); n += 1
add(n, 'null-bytes-in-string', ['error metadata.name'], "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"nul\\0byte\"\n  namespace: default\n"); n += 1
add(n, 'negative-port-string', ['error port'], route('port-str', rules="    - backendRefs:\n" + backend(port='"eighty"'))); n += 1
print(n - 1, 'files')
