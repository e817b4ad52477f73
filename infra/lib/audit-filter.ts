/**
 * CloudWatch Logs subscription filter for the EKS audit log: successful spec writes to the kinds the
 * functions translate, never status subresources, never the functions' own user (loop breaker).
 * template.yaml carries the same pattern; test/parity.test.ts keeps them equal.
 */
export function auditFilterPattern(reconcilerUsername: string): string {
  return [
    '{ ($.stage = "ResponseComplete") && ($.responseStatus.code >= 200) && ($.responseStatus.code <= 299)',
    `&& ($.objectRef.subresource NOT EXISTS) && ($.user.username != "${reconcilerUsername}")`,
    '&& (($.verb = "create") || ($.verb = "update") || ($.verb = "patch") || ($.verb = "delete*"))',
    '&& ((($.objectRef.apiGroup = "gateway.networking.k8s.io") && (($.objectRef.resource = "gatewayclasses")',
    '|| ($.objectRef.resource = "gateways") || ($.objectRef.resource = "httproutes")',
    '|| ($.objectRef.resource = "grpcroutes") || ($.objectRef.resource = "tlsroutes")',
    '|| ($.objectRef.resource = "referencegrants")))',
    '|| ($.objectRef.apiGroup = "application-networking.k8s.aws") || (($.objectRef.apiGroup = "multicluster.x-k8s.io")',
    '&& (($.objectRef.resource = "serviceimports") || ($.objectRef.resource = "serviceexports")))',
    '|| (($.objectRef.apiGroup = "discovery.k8s.io") && ($.objectRef.resource = "endpointslices"))',
    '|| ((($.objectRef.resource = "services") || ($.objectRef.resource = "namespaces")) && ($.requestURI = "/api/v1/*"))) }',
  ].join(' ');
}
