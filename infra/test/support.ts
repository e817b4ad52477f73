import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BINARIES, LatticeGatewayStack, type LatticeGatewayProps } from '../lib/stack.ts';

/** Placeholder `<binary>/bootstrap` files: the tests never build Rust. */
export function placeholderLambdaDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-lambda-'));
  for (const bin of BINARIES) {
    fs.mkdirSync(path.join(dir, bin));
    fs.writeFileSync(path.join(dir, bin, 'bootstrap'), '');
  }
  return dir;
}

export function synth(overrides: Partial<LatticeGatewayProps> = {}): Template {
  const app = new App();
  const stack = new LatticeGatewayStack(app, 'Test', {
    clusterNames: ['blue', 'green'],
    auditClusterName: 'blue',
    lambdaDir: placeholderLambdaDir(),
    ...overrides,
  });
  return Template.fromStack(stack);
}

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Statements of a policy document, with Action always a list. */
export function statements(doc: Json): Json[] {
  return (doc?.Statement ?? []).map((s: Json) => ({ ...s, Action: [s.Action].flat() }));
}

/** Logical id referenced by `{Ref: X}` or `{Fn::GetAtt: [X, ...]}`. */
export function refId(value: Json): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
  }
  return undefined;
}

/** All IAM statements granted to a role: inline, attached managed policies, and AWS::IAM::Policy. */
export function roleStatements(resources: Record<string, Json>, roleId: string): Json[] {
  const role = resources[roleId];
  const out: Json[] = [];
  for (const p of role.Properties.Policies ?? []) out.push(...statements(p.PolicyDocument));
  for (const arn of role.Properties.ManagedPolicyArns ?? []) {
    const id = refId(arn);
    if (id && resources[id]?.Type === 'AWS::IAM::ManagedPolicy') {
      out.push(...statements(resources[id].Properties.PolicyDocument));
    }
  }
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((x: Json) => refId(x) === roleId)) {
      out.push(...statements(r.Properties.PolicyDocument));
    }
  }
  return out;
}
