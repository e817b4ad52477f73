import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { BINARIES, LatticeGatewayStack } from '../lib/stack.ts';

// Settings come from context (`cdk deploy -c clusterNames=a,b -c auditClusterName=a ...`).
const app = new App();
const ctx = (key: string): string | undefined => {
  const v = app.node.tryGetContext(key);
  return v === undefined || v === '' ? undefined : String(v);
};
const num = (key: string): number | undefined => (ctx(key) === undefined ? undefined : Number(ctx(key)));

const clusterNames = (ctx('clusterNames') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
// Built by `cargo lambda build --release --arm64` at the repository root.
const lambdaDir = path.resolve(ctx('lambdaDir') ?? path.join(import.meta.dirname, '..', '..', 'target', 'lambda'));
for (const bin of BINARIES) {
  if (!fs.existsSync(path.join(lambdaDir, bin, 'bootstrap'))) {
    throw new Error(`${path.join(lambdaDir, bin, 'bootstrap')} is missing: run \`cargo lambda build --release --arm64\` first`);
  }
}

new LatticeGatewayStack(app, ctx('stackName') ?? 'LatticeGateway', {
  clusterNames,
  auditClusterName: ctx('auditClusterName') ?? clusterNames[0] ?? '',
  lambdaDir,
  createAuditLogGroup: ctx('createAuditLogGroup') === 'true',
  scheduleExpression: ctx('scheduleExpression'),
  reconcilerUsername: ctx('reconcilerUsername'),
  latticeTps: num('latticeTps'),
  latticeMaxAttempts: num('latticeMaxAttempts'),
  gcMaxDeletePercent: num('gcMaxDeletePercent'),
  gcMinDelete: num('gcMinDelete'),
  latticeConcurrency: num('latticeConcurrency'),
  reservedConcurrency: num('reservedConcurrency'),
  reconcileMaxConcurrency: num('reconcileMaxConcurrency'),
  clusterVpcId: ctx('clusterVpcId'),
  defaultServiceNetwork: ctx('defaultServiceNetwork'),
  serviceNetworkOverride: ctx('serviceNetworkOverride') === 'true',
  createAccessEntries: ctx('createAccessEntries') === 'true',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
