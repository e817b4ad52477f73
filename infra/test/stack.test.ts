import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { auditFilterPattern } from '../lib/audit-filter.ts';
import { MANAGED_BY_TAG } from '../lib/policies.ts';
import { placeholderLambdaDir, roleStatements, synth, type Json } from './support.ts';
import { LatticeGatewayStack } from '../lib/stack.ts';
import { App } from 'aws-cdk-lib';

const template = synth();
const resources: Record<string, Json> = template.toJSON().Resources;

function functionByBinary(binary: string): [string, Json] {
  const found = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.BuildProperties?.Binary === binary,
  );
  assert.equal(found.length, 1, `one function for binary ${binary}`);
  return found[0];
}

describe('functions', () => {
  it('are four Rust binaries on provided.al2023 / arm64', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    for (const binary of ['sweep', 'audit', 'reconcile', 'webhook']) {
      const [, fn] = functionByBinary(binary);
      assert.equal(fn.Properties.Runtime, 'provided.al2023');
      assert.deepEqual(fn.Properties.Architectures, ['arm64']);
      assert.equal(fn.Properties.Handler, 'bootstrap');
      assert.equal(fn.Metadata.BuildMethod, 'rust-cargolambda');
      assert.equal(fn.Properties.LoggingConfig.LogFormat, 'JSON');
      assert.ok(fn.Properties.MemorySize >= 128 && fn.Properties.MemorySize <= 256);
      const env = Object.keys(fn.Properties.Environment.Variables).sort();
      const webhookUrl = binary === 'sweep' || binary === 'reconcile' ? ['READINESS_WEBHOOK_URL'] : [];
      assert.deepEqual(env, [
        'AWS_ACCOUNT_ID', 'CLUSTER_NAMES', 'DEADLINE_MARGIN_MS', 'ENABLE_SERVICE_NETWORK_OVERRIDE',
        'GC_MAX_DELETE_PERCENT', 'GC_MIN_DELETE', 'LATTICE_CONCURRENCY', 'LATTICE_MAX_ATTEMPTS', 'LATTICE_TPS',
        'QUEUE_URL', ...webhookUrl, 'RECONCILER_USERNAME',
      ]);
      assert.equal(fn.Properties.Environment.Variables.LATTICE_CONCURRENCY, '4');
      assert.equal(fn.Properties.Environment.Variables.ENABLE_SERVICE_NETWORK_OVERRIDE, 'false');
      assert.equal(fn.Properties.Environment.Variables.GC_MAX_DELETE_PERCENT, '50');
      assert.equal(fn.Properties.Environment.Variables.CLUSTER_NAMES, 'blue,green');
    }
  });

  it('passes DEFAULT_SERVICE_NETWORK only when given, and override mode only with it', () => {
    const t = synth({ defaultServiceNetwork: 'platform', serviceNetworkOverride: true });
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DEFAULT_SERVICE_NETWORK: 'platform', ENABLE_SERVICE_NETWORK_OVERRIDE: 'true' }),
      },
    });
    assert.throws(() => synth({ serviceNetworkOverride: true }), /needs defaultServiceNetwork/);
  });

  it('passes LATTICE_CONCURRENCY from 1 to 64 only', () => {
    const t = synth({ latticeConcurrency: 8 });
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LATTICE_CONCURRENCY: '8' }) },
    });
    assert.throws(() => synth({ latticeConcurrency: 0 }), /latticeConcurrency \(0\) must be an integer from 1 to 64/);
    assert.throws(() => synth({ latticeConcurrency: 65 }), /latticeConcurrency/);
  });

  it('passes CLUSTER_VPC_ID only when given', () => {
    const t = synth({ clusterVpcId: 'vpc-0abc' });
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLUSTER_VPC_ID: 'vpc-0abc' }) },
    });
  });
});

describe('readiness gate webhook', () => {
  it('is a public function URL that sweep and reconcile are told about', () => {
    const [webhookId] = functionByBinary('webhook');
    const urls = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Url');
    assert.equal(urls.length, 1);
    const [urlId, url] = urls[0];
    assert.equal(url.Properties.AuthType, 'NONE');
    assert.deepEqual(url.Properties.TargetFunctionArn, { 'Fn::GetAtt': [webhookId, 'Arn'] });
    const permissions = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(webhookId))
      .map((r) => r.Properties);
    assert.ok(permissions.some((p) => p.Action === 'lambda:InvokeFunctionUrl' && p.Principal === '*' && p.FunctionUrlAuthType === 'NONE'));
    assert.ok(permissions.some((p) => p.Action === 'lambda:InvokeFunction' && p.Principal === '*' && p.InvokedViaFunctionUrl === true));
    for (const binary of ['sweep', 'reconcile']) {
      const [, fn] = functionByBinary(binary);
      assert.deepEqual(fn.Properties.Environment.Variables.READINESS_WEBHOOK_URL, { 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    }
  });

  it('needs no AWS permission beyond its logs', () => {
    const [, fn] = functionByBinary('webhook');
    const role = resources[fn.Properties.Role['Fn::GetAtt'][0]];
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    const actions = roleStatements(resources, fn.Properties.Role['Fn::GetAtt'][0]).flatMap((s: Json) => s.Action);
    assert.deepEqual(actions.sort(), ['logs:CreateLogStream', 'logs:PutLogEvents']);
    assert.equal(fn.Properties.Timeout, 5);
  });
});

describe('reconcile queue', () => {
  it('is FIFO without content-based dedup, with a FIFO DLQ after 5 receives', () => {
    const [, reconcile] = functionByBinary('reconcile');
    const queues = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::Queue');
    const main = queues.find((q) => q.Properties.RedrivePolicy);
    assert.ok(main);
    assert.equal(main.Properties.FifoQueue, true);
    assert.equal(main.Properties.ContentBasedDeduplication, false);
    assert.ok(main.Properties.VisibilityTimeout >= 6 * reconcile.Properties.Timeout);
    assert.equal(main.Properties.RedrivePolicy.maxReceiveCount, 5);
    const dlqId = main.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    assert.equal(resources[dlqId].Properties.FifoQueue, true);
  });

  it('feeds reconcile with partial batch failures and bounded concurrency', () => {
    const [reconcileId, reconcile] = functionByBinary('reconcile');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: reconcileId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    assert.ok(reconcile.Properties.ReservedConcurrentExecutions >= 2);
  });

  it('refuses reserved concurrency below the event source maximum', () => {
    assert.throws(
      () =>
        new LatticeGatewayStack(new App(), 'Bad', {
          clusterNames: ['blue'],
          auditClusterName: 'blue',
          lambdaDir: placeholderLambdaDir(),
          reservedConcurrency: 2,
          reconcileMaxConcurrency: 5,
        }),
      /reservedConcurrency/,
    );
  });
});

describe('triggers', () => {
  it('schedules the sweep with EventBridge Scheduler, fixed input, retries and a DLQ', () => {
    const [sweepId] = functionByBinary('sweep');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Name: Match.absent(),
      Target: {
        Arn: { 'Fn::GetAtt': [sweepId, 'Arn'] },
        Input: '{"verify": false}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      },
    });
  });

  it('subscribes audit to the EKS audit log with the filter pattern', () => {
    const [auditId] = functionByBinary('audit');
    const pattern = auditFilterPattern('lattice-reconciler');
    assert.ok(pattern.length <= 1024, `filter pattern is ${pattern.length} chars`);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/eks/blue/cluster',
      DestinationArn: { 'Fn::GetAtt': [auditId, 'Arn'] },
      FilterPattern: pattern,
    });
    assert.match(pattern, /\$\.user\.username != "lattice-reconciler"/);
    assert.match(pattern, /\$\.objectRef\.subresource NOT EXISTS/);
    template.resourceCountIs('AWS::Logs::LogGroup', 4); // the EKS group is referenced, not created
  });

  it('excludes a custom reconciler username and can create the EKS log group', () => {
    const t = synth({ reconcilerUsername: 'gw-bot', createAuditLogGroup: true });
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      FilterPattern: Match.stringLikeRegexp('\\$\\.user\\.username != "gw-bot"'),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/blue/cluster' });
  });

  it('retries failed audit batches twice, then sends them to a queue', () => {
    const [auditId] = functionByBinary('audit');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: auditId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('IAM', () => {
  const roleOf = (binary: string) => functionByBinary(binary)[1].Properties.Role['Fn::GetAtt'][0];
  const all = Object.values(resources).flatMap((r) =>
    r.Type === 'AWS::IAM::Role' ? roleStatements(resources, Object.keys(resources).find((k) => resources[k] === r)!) : [],
  );

  it('never grants a wildcard action', () => {
    for (const s of all) {
      for (const a of s.Action) {
        assert.ok(!a.includes('*'), `wildcard action ${a}`);
      }
    }
  });

  it('limits every Lattice write to our ManagedBy tag, except target registration and untag', () => {
    const unscoped = new Set(['vpc-lattice:RegisterTargets', 'vpc-lattice:DeregisterTargets', 'vpc-lattice:UntagResource']);
    for (const s of roleStatements(resources, roleOf('reconcile'))) {
      const writes = s.Action.filter((a: string) =>
        /^vpc-lattice:(Create|Update|Delete|Tag)/.test(a) && !unscoped.has(a),
      );
      if (writes.length === 0) continue;
      const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c as object));
      assert.ok(
        keys.some((k) => k.endsWith(`Tag/${MANAGED_BY_TAG}`)),
        `${writes.join(',')} without a ManagedBy condition`,
      );
    }
  });

  it('keeps untag away from the ManagedBy key and targets within the account', () => {
    const stmts = roleStatements(resources, roleOf('reconcile'));
    const untag = stmts.find((s) => s.Action.includes('vpc-lattice:UntagResource'));
    assert.deepEqual(untag.Condition, { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': [MANAGED_BY_TAG] } });
    const targets = stmts.find((s) => s.Action.includes('vpc-lattice:RegisterTargets'));
    assert.notEqual(targets.Resource, '*');
  });

  it('scopes eks:DescribeCluster to the listed clusters', () => {
    const s = roleStatements(resources, roleOf('sweep')).find((x) => x.Action.includes('eks:DescribeCluster'));
    const text = JSON.stringify(s.Resource);
    assert.match(text, /cluster\/blue/);
    assert.match(text, /cluster\/green/);
    assert.equal(s.Resource.length, 2);
  });

  it('gives audit nothing but its logs and the queues', () => {
    const actions = roleStatements(resources, roleOf('audit')).flatMap((s) => s.Action).sort();
    assert.deepEqual(actions, ['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage']);
  });

  it('lets only reconcile consume the queue', () => {
    const consume = (b: string) =>
      roleStatements(resources, roleOf(b)).some((s) => s.Action.includes('sqs:ReceiveMessage'));
    assert.deepEqual(['sweep', 'audit', 'reconcile'].map(consume), [false, false, true]);
  });

  it('lets every function but audit enqueue only on the reconcile queue', () => {
    for (const b of ['sweep', 'reconcile']) {
      const send = roleStatements(resources, roleOf(b)).filter((s) => s.Action.includes('sqs:SendMessage'));
      assert.equal(send.length, 1, b);
      assert.match(JSON.stringify(send[0].Resource), /ReconcileQueue/);
    }
  });

  it('creates access entries only on request', () => {
    template.resourceCountIs('AWS::EKS::AccessEntry', 0);
    const t = synth({ createAccessEntries: true });
    t.resourceCountIs('AWS::EKS::AccessEntry', 2);
    t.allResourcesProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'blue',
      Username: 'lattice-reconciler',
      KubernetesGroups: ['lattice-reconciler'],
      Type: 'STANDARD',
    });
  });
});
