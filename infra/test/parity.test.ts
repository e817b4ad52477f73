import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadCfnYaml } from './cfn-yaml.ts';
import { refId, roleStatements, synth, type Json } from './support.ts';

// template.yaml (SAM) and the CDK stack must deploy the same thing: same functions, triggers and
// IAM actions. The CDK stack is synthesized with the SAM parameter defaults.
const sam = loadCfnYaml(path.join(import.meta.dirname, '..', '..', 'template.yaml'));
const samParams: Record<string, Json> = sam.Parameters;
const samResources: Record<string, Json> = sam.Resources;
const globals: Json = sam.Globals.Function;

const cdk: Record<string, Json> = synth({
  clusterNames: ['blue'],
  auditClusterName: 'blue',
  clusterVpcId: 'vpc-0abc',
  defaultServiceNetwork: 'platform',
})
  .toJSON().Resources;

/** A SAM value with parameters replaced by their defaults (only what the comparisons need). */
function resolve(v: Json): Json {
  const id = refId(v);
  if (id && v.Ref && samParams[id]) return samParams[id].Default;
  if (v && typeof v === 'object' && typeof v['Fn::Sub'] === 'string') {
    return v['Fn::Sub'].replace(/\$\{(\w+)\}/g, (_m: string, p: string) =>
      p === 'AuditClusterName' ? 'blue' : String(samParams[p]?.Default ?? `\${${p}}`),
    );
  }
  return v;
}
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

interface FnSummary {
  runtime: string; architectures: string[]; handler: string; env: string[]; memory: number; timeout: number;
  reserved: number | undefined; logFormat: string; retries: number | undefined; maxEventAge: number | undefined;
  sids: Record<string, string[]>; actions: string[];
}

function sidsOf(stmts: Json[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of stmts) {
    const conditions = Object.entries(s.Condition ?? {}).flatMap(([op, kv]) =>
      Object.keys(kv as object).map((k) => `${op}:${k}`),
    );
    out[s.Sid] = [...s.Action, ...conditions].sort();
  }
  return out;
}

function samFunctions(): Record<string, FnSummary> {
  const out: Record<string, FnSummary> = {};
  for (const [id, r] of Object.entries(samResources)) {
    if (r.Type !== 'AWS::Serverless::Function') continue;
    const p = { ...globals, ...r.Properties };
    const stmts = roleStatements(samResources, refId(p.Role)!);
    const invoke = p.EventInvokeConfig ?? {};
    out[r.Metadata.BuildProperties.Binary] = {
      runtime: p.Runtime,
      architectures: p.Architectures,
      handler: p.Handler,
      env: Object.keys({ ...globals.Environment.Variables, ...r.Properties.Environment?.Variables }).sort(),
      memory: p.MemorySize,
      timeout: p.Timeout,
      reserved: p.ReservedConcurrentExecutions === undefined ? undefined : Number(resolve(p.ReservedConcurrentExecutions)),
      logFormat: p.LoggingConfig.LogFormat,
      retries: invoke.MaximumRetryAttempts,
      maxEventAge: invoke.MaximumEventAgeInSeconds,
      sids: sidsOf(stmts),
      actions: [...new Set(stmts.flatMap((s: Json) => s.Action))].sort() as string[],
    };
    assert.equal(r.Metadata.BuildMethod, 'rust-cargolambda', id);
    assert.equal(p.CodeUri, './', id);
  }
  return out;
}

function cdkFunctions(): Record<string, FnSummary> {
  const out: Record<string, FnSummary> = {};
  for (const [id, r] of Object.entries(cdk)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties;
    const stmts = roleStatements(cdk, refId(p.Role)!);
    const invoke = Object.values(cdk).find(
      (x) => x.Type === 'AWS::Lambda::EventInvokeConfig' && refId(x.Properties.FunctionName) === id,
    )?.Properties ?? {};
    out[r.Metadata.BuildProperties.Binary] = {
      runtime: p.Runtime,
      architectures: p.Architectures,
      handler: p.Handler,
      env: Object.keys(p.Environment.Variables).sort(),
      memory: p.MemorySize,
      timeout: p.Timeout,
      reserved: p.ReservedConcurrentExecutions,
      logFormat: p.LoggingConfig.LogFormat,
      retries: invoke.MaximumRetryAttempts,
      maxEventAge: invoke.MaximumEventAgeInSeconds,
      sids: sidsOf(stmts),
      actions: [...new Set(stmts.flatMap((s: Json) => s.Action))].sort() as string[],
    };
  }
  return out;
}

const samFns = samFunctions();
const cdkFns = cdkFunctions();

function samEvent(binary: string, type: string): Json {
  const fn = Object.values(samResources).find(
    (r) => r.Type === 'AWS::Serverless::Function' && r.Metadata.BuildProperties.Binary === binary,
  );
  const events = Object.values(fn.Properties.Events ?? {}).filter((e: Json) => e.Type === type);
  assert.equal(events.length, 1, `${binary} has one ${type} event`);
  return (events[0] as Json).Properties;
}
function cdkOne(type: string): Json {
  const found = Object.values(cdk).filter((r) => r.Type === type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0].Properties;
}

describe('SAM and CDK parity', () => {
  it('declare the same binaries', () => {
    assert.deepEqual(Object.keys(samFns).sort(), ['audit', 'reconcile', 'sweep', 'webhook']);
    assert.deepEqual(Object.keys(cdkFns).sort(), Object.keys(samFns).sort());
  });

  for (const binary of ['sweep', 'audit', 'reconcile', 'webhook']) {
    it(`${binary}: same runtime, handler, sizing, environment and async settings`, () => {
      const { sids: _a, actions: _b, ...s } = samFns[binary];
      const { sids: _c, actions: _d, ...c } = cdkFns[binary];
      assert.deepEqual(c, s);
    });

    it(`${binary}: same IAM actions, statement by statement`, () => {
      assert.deepEqual(cdkFns[binary].actions, samFns[binary].actions);
      assert.deepEqual(cdkFns[binary].sids, samFns[binary].sids);
    });
  }

  it('same public function URL for the webhook, passed to sweep and reconcile', () => {
    const fn = Object.entries(samResources).find(
      ([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata.BuildProperties.Binary === 'webhook',
    )!;
    assert.deepEqual(fn[1].Properties.FunctionUrlConfig, { AuthType: 'NONE' });
    assert.equal(cdkOne('AWS::Lambda::Url').AuthType, 'NONE');
    for (const [id, r] of Object.entries(samResources)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      const binary = r.Metadata.BuildProperties.Binary;
      const url = r.Properties.Environment?.Variables?.READINESS_WEBHOOK_URL;
      if (binary === 'sweep' || binary === 'reconcile') {
        assert.deepEqual(url, { 'Fn::GetAtt': [`${fn[0]}Url`, 'FunctionUrl'] }, id);
      } else {
        assert.equal(url, undefined, id);
      }
    }
  });

  it('same sweep schedule', () => {
    const s = samEvent('sweep', 'ScheduleV2');
    const c = cdkOne('AWS::Scheduler::Schedule');
    assert.equal(c.ScheduleExpression, resolve(s.ScheduleExpression));
    assert.equal(c.Target.Input, s.Input);
    assert.deepEqual(c.Target.RetryPolicy, s.RetryPolicy);
    assert.deepEqual(c.FlexibleTimeWindow, s.FlexibleTimeWindow);
    assert.equal(s.OmitName, true);
    assert.equal(c.Name, undefined);
    assert.ok(s.DeadLetterConfig.Arn && c.Target.DeadLetterConfig.Arn);
  });

  it('same SQS event source settings', () => {
    const s = samEvent('reconcile', 'SQS');
    const c = cdkOne('AWS::Lambda::EventSourceMapping');
    assert.equal(c.BatchSize, s.BatchSize);
    assert.deepEqual(c.FunctionResponseTypes, s.FunctionResponseTypes);
    assert.equal(c.ScalingConfig.MaximumConcurrency, Number(resolve(s.ScalingConfig.MaximumConcurrency)));
  });

  it('same queues', () => {
    const queue = (res: Record<string, Json>) =>
      Object.values(res).find((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy).Properties;
    const s = queue(samResources);
    const c = queue(cdk);
    for (const k of ['FifoQueue', 'ContentBasedDeduplication', 'VisibilityTimeout', 'MessageRetentionPeriod']) {
      assert.equal(c[k], s[k], k);
    }
    assert.equal(c.RedrivePolicy.maxReceiveCount, s.RedrivePolicy.maxReceiveCount);
    const dlq = (res: Record<string, Json>, q: Json) => res[refId(q.RedrivePolicy.deadLetterTargetArn)!].Properties;
    assert.deepEqual(dlq(cdk, c), dlq(samResources, s));
  });

  it('same audit log subscription and filter pattern', () => {
    const s = samEvent('audit', 'CloudWatchLogs');
    const c = cdkOne('AWS::Logs::SubscriptionFilter');
    assert.equal(c.FilterPattern, oneLine(resolve(s.FilterPattern)));
    assert.equal(c.LogGroupName, resolve(s.LogGroupName['Fn::If'][2]));
  });

  it('same alarms on the queues where work is given up', () => {
    const alarms = (res: Record<string, Json>) =>
      Object.values(res)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => {
          const p = r.Properties;
          const queue = res[refId(p.Dimensions[0].Value)!];
          return [p.AlarmDescription, p.Namespace, p.MetricName, p.Statistic, p.Period, p.EvaluationPeriods,
            p.Threshold, p.ComparisonOperator, p.TreatMissingData, queue.Type, queue.Properties.FifoQueue ?? false].join('|');
        })
        .sort();
    assert.equal(alarms(samResources).length, 3);
    assert.deepEqual(alarms(cdk), alarms(samResources));
  });

  it('same optional access entries', () => {
    const entries = Object.values(samResources).filter((r) => r.Type === 'AWS::EKS::AccessEntry');
    const roles = entries.map((e) => samResources[refId(e.Properties.PrincipalArn)!]);
    assert.equal(entries.length, 2);
    assert.ok(roles.every((r) => r.Type === 'AWS::IAM::Role'));
    for (const e of entries) {
      assert.deepEqual(e.Properties.KubernetesGroups, ['lattice-reconciler']);
      assert.equal(resolve(e.Properties.Username), 'lattice-reconciler');
    }
  });
});
