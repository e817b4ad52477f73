import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logsDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { auditFilterPattern } from './audit-filter.ts';
import { describeClustersStatement, latticeStatements } from './policies.ts';

/** Settings of one deployment; the defaults match template.yaml's parameter defaults. */
export interface LatticeGatewayProps extends StackProps {
  /** EKS clusters the functions reconcile. */
  readonly clusterNames: string[];
  /** Cluster whose audit log `/aws/eks/<name>/cluster` feeds the audit function. */
  readonly auditClusterName: string;
  /** Directory holding `<binary>/bootstrap` for sweep, audit, reconcile and webhook (`cargo lambda build`). */
  readonly lambdaDir: string;
  /** Create the EKS log group (only if audit logging was never enabled). Default false. */
  readonly createAuditLogGroup?: boolean;
  readonly scheduleExpression?: string;
  readonly reconcilerUsername?: string;
  readonly latticeTps?: number;
  readonly latticeMaxAttempts?: number;
  /** GC_MAX_DELETE_PERCENT: the garbage-collection safety valve's share (0-100). Default 50. */
  readonly gcMaxDeletePercent?: number;
  /** GC_MIN_DELETE: deletions one run may always make. Default 2. */
  readonly gcMinDelete?: number;
  /** VPC Lattice calls in flight at once per instance (1 to 64). Default 4. */
  readonly latticeConcurrency?: number;
  /** Reserved concurrency of reconcile; at least `reconcileMaxConcurrency`. Default 3. */
  readonly reservedConcurrency?: number;
  /** SQS event source MaximumConcurrency. Default 2 (the SQS minimum). */
  readonly reconcileMaxConcurrency?: number;
  readonly clusterVpcId?: string;
  /** DEFAULT_SERVICE_NETWORK: a service network created when missing, associated with each cluster's VPC. */
  readonly defaultServiceNetwork?: string;
  /** ENABLE_SERVICE_NETWORK_OVERRIDE: every Gateway maps to the default service network. Default false. */
  readonly serviceNetworkOverride?: boolean;
  /** Create access entries for the sweep and reconcile roles on `auditClusterName`. Default false. */
  readonly createAccessEntries?: boolean;
}

/** Names of the binaries (and of the `functions/<name>` crates). */
export const BINARIES = ['sweep', 'audit', 'reconcile', 'webhook'] as const;
export type Binary = (typeof BINARIES)[number];

const RECONCILE_TIMEOUT = Duration.seconds(120);

/** The same stack as template.yaml, built with the CDK. */
export class LatticeGatewayStack extends Stack {
  readonly functions: Record<Binary, lambda.Function>;
  readonly queue: sqs.Queue;
  /** The readiness gate webhook's function URL (READINESS_WEBHOOK_URL of sweep and reconcile). */
  readonly webhookUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: LatticeGatewayProps) {
    super(scope, id, props);
    const username = props.reconcilerUsername ?? 'lattice-reconciler';
    const maxConcurrency = props.reconcileMaxConcurrency ?? 2;
    const reserved = props.reservedConcurrency ?? 3;
    if (reserved < maxConcurrency) {
      throw new Error(`reservedConcurrency (${reserved}) must be >= reconcileMaxConcurrency (${maxConcurrency})`);
    }
    const gcPercent = props.gcMaxDeletePercent ?? 50;
    if (!Number.isInteger(gcPercent) || gcPercent < 0 || gcPercent > 100) {
      throw new Error(`gcMaxDeletePercent must be an integer from 0 to 100, got ${gcPercent}`);
    }
    if (!Number.isInteger(props.gcMinDelete ?? 2) || (props.gcMinDelete ?? 2) < 0) {
      throw new Error(`gcMinDelete must be a non-negative integer, got ${props.gcMinDelete}`);
    }
    if (props.serviceNetworkOverride && !props.defaultServiceNetwork) {
      throw new Error('serviceNetworkOverride needs defaultServiceNetwork');
    }
    if (props.clusterNames.length === 0) {
      throw new Error('clusterNames must name at least one cluster');
    }
    const latticeConcurrency = props.latticeConcurrency ?? 4;
    if (!Number.isInteger(latticeConcurrency) || latticeConcurrency < 1 || latticeConcurrency > 64) {
      throw new Error(`latticeConcurrency (${latticeConcurrency}) must be an integer from 1 to 64`);
    }

    // ------------------------------------------------------------ queues
    const dlq = new sqs.Queue(this, 'ReconcileDeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'ReconcileQueue', {
      fifo: true,
      contentBasedDeduplication: false,
      visibilityTimeout: Duration.seconds(RECONCILE_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    const scheduleDlq = new sqs.Queue(this, 'SweepScheduleDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
    });
    const auditFailures = new sqs.Queue(this, 'AuditFailureQueue', { retentionPeriod: Duration.days(14) });

    // Something was given up on: the next sweep heals it, but someone should look.
    const alarm = (id: string, queue: sqs.Queue, description: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    alarm(
      'ReconcileDeadLetterAlarm',
      dlq,
      'Reconcile messages were received 5 times without success and moved to the dead-letter queue',
    );
    alarm('AuditFailureAlarm', auditFailures, 'Audit log batches failed after the asynchronous retries');
    alarm('SweepScheduleDeadLetterAlarm', scheduleDlq, 'Scheduled sweeps could not be delivered to the function');

    // ------------------------------------------------------------ logs + roles
    const logGroup = (name: Binary) =>
      new logs.LogGroup(this, `${title(name)}LogGroup`, {
        logGroupName: `/aws/lambda/${this.stackName}/${name}`,
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    const logGroups = {
      sweep: logGroup('sweep'),
      audit: logGroup('audit'),
      reconcile: logGroup('reconcile'),
      webhook: logGroup('webhook'),
    };
    const writeLogs = (name: Binary) =>
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroups[name].logGroupArn],
      });

    const latticePolicy = new iam.ManagedPolicy(this, 'LatticePolicy', {
      description: 'VPC Lattice access for the Gateway API functions, limited by the ManagedBy tag',
      statements: latticeStatements(this, props.clusterNames),
    });
    const describePolicy = new iam.ManagedPolicy(this, 'DescribeClustersPolicy', {
      description: 'Endpoint and CA lookup of the reconciled EKS clusters',
      statements: [describeClustersStatement(this, props.clusterNames)],
    });
    const role = (name: Binary, statements: iam.PolicyStatement[], managed: iam.IManagedPolicy[]) =>
      new iam.Role(this, `${title(name)}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: managed,
        inlinePolicies: { [name]: new iam.PolicyDocument({ statements: [writeLogs(name), ...statements] }) },
      });
    const roles: Record<Binary, iam.Role> = {
      sweep: role(
        'sweep',
        [new iam.PolicyStatement({ sid: 'Enqueue', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] })],
        [latticePolicy, describePolicy],
      ),
      // sqs:SendMessage also authorizes SendMessageBatch; the second queue is the OnFailure destination.
      audit: role(
        'audit',
        [
          new iam.PolicyStatement({
            sid: 'Enqueue',
            actions: ['sqs:SendMessage'],
            resources: [this.queue.queueArn, auditFailures.queueArn],
          }),
        ],
        [],
      ),
      reconcile: role(
        'reconcile',
        [
          new iam.PolicyStatement({
            sid: 'ConsumeQueue',
            actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
            resources: [this.queue.queueArn],
          }),
          // Routes whose gated pods are still INITIAL after the readiness wait go back on the queue.
          new iam.PolicyStatement({ sid: 'Enqueue', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
        ],
        [latticePolicy, describePolicy],
      ),
      // The webhook makes no AWS call: it only writes its logs.
      webhook: role('webhook', [], []),
    };

    // ------------------------------------------------------------ functions
    const environment: Record<string, string> = {
      CLUSTER_NAMES: props.clusterNames.join(','),
      QUEUE_URL: this.queue.queueUrl,
      AWS_ACCOUNT_ID: this.account,
      LATTICE_TPS: String(props.latticeTps ?? 10),
      LATTICE_MAX_ATTEMPTS: String(props.latticeMaxAttempts ?? 5),
      GC_MAX_DELETE_PERCENT: String(props.gcMaxDeletePercent ?? 50),
      GC_MIN_DELETE: String(props.gcMinDelete ?? 2),
      LATTICE_CONCURRENCY: String(latticeConcurrency),
      RECONCILER_USERNAME: username,
      DEADLINE_MARGIN_MS: '20000',
      ...(props.clusterVpcId ? { CLUSTER_VPC_ID: props.clusterVpcId } : {}),
      ...(props.defaultServiceNetwork ? { DEFAULT_SERVICE_NETWORK: props.defaultServiceNetwork } : {}),
      ENABLE_SERVICE_NETWORK_OVERRIDE: String(props.serviceNetworkOverride ?? false),
    };
    const fn = (name: Binary, description: string, extra: Partial<lambda.FunctionProps>) => {
      const f = new lambda.Function(this, `${title(name)}Function`, {
        description,
        runtime: lambda.Runtime.PROVIDED_AL2023,
        architecture: lambda.Architecture.ARM_64,
        handler: 'bootstrap',
        code: lambda.Code.fromAsset(path.join(props.lambdaDir, name)),
        memorySize: 256,
        environment,
        // Explicit policies only (the same as template.yaml): grants made by event sources and
        // destinations are covered by the statements above, so they are not added twice.
        role: roles[name].withoutPolicyUpdates(),
        logGroup: logGroups[name],
        loggingFormat: lambda.LoggingFormat.JSON,
        ...extra,
      });
      const cfn = f.node.defaultChild as lambda.CfnFunction;
      cfn.addMetadata('BuildMethod', 'rust-cargolambda');
      cfn.addMetadata('BuildProperties', { Binary: name });
      return f;
    };
    const sweep = fn('sweep', 'Reconcile every cluster, then garbage-collect what we own', {
      timeout: Duration.seconds(900),
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      maxEventAge: Duration.seconds(300),
    });
    const audit = fn('audit', 'EKS audit log events to reconcile keys on the FIFO queue', {
      memorySize: 128,
      timeout: Duration.seconds(60),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(auditFailures),
    });
    const reconcile = fn('reconcile', 'Scoped reconcile of one route, backend or gateway (SQS FIFO or direct invoke)', {
      timeout: RECONCILE_TIMEOUT,
      reservedConcurrentExecutions: reserved,
    });
    // Readiness gate injection: the clusters' API servers call its URL for new pods behind our target
    // groups (the sweep keeps the MutatingWebhookConfiguration). AuthType NONE, because an API server
    // cannot sign for IAM; harmless, as the answer is a patch of the caller's own request and nothing
    // else. The CDK adds the public InvokeFunctionUrl and InvokeFunction (InvokedViaFunctionUrl) permissions.
    const webhook = fn('webhook', 'Mutating admission webhook that adds the VPC Lattice readiness gate to new pods', {
      memorySize: 128,
      timeout: Duration.seconds(5),
    });
    this.webhookUrl = webhook.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    for (const f of [sweep, reconcile]) {
      f.addEnvironment('READINESS_WEBHOOK_URL', this.webhookUrl.url);
    }
    this.functions = { sweep, audit, reconcile, webhook };

    // ------------------------------------------------------------ triggers
    reconcile.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency }),
    );

    const scheduleRole = new iam.Role(this, 'SweepScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    new scheduler.Schedule(this, 'SweepSchedule', {
      schedule: scheduler.ScheduleExpression.expression(props.scheduleExpression ?? 'rate(5 minutes)'),
      target: new schedulerTargets.LambdaInvoke(sweep, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromText('{"verify": false}'),
        retryAttempts: 3,
        maxEventAge: Duration.seconds(300),
        deadLetterQueue: scheduleDlq,
      }),
    });

    const eksLogGroupName = `/aws/eks/${props.auditClusterName}/cluster`;
    const eksLogGroup = props.createAuditLogGroup
      ? new logs.LogGroup(this, 'EksClusterLogGroup', {
          logGroupName: eksLogGroupName,
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : logs.LogGroup.fromLogGroupName(this, 'EksClusterLogGroup', eksLogGroupName);
    new logs.SubscriptionFilter(this, 'AuditSubscription', {
      logGroup: eksLogGroup,
      destination: new logsDestinations.LambdaDestination(audit),
      filterPattern: logs.FilterPattern.literal(auditFilterPattern(username)),
    });

    // ------------------------------------------------------------ EKS access (optional)
    if (props.createAccessEntries) {
      for (const name of ['sweep', 'reconcile'] as const) {
        new eks.CfnAccessEntry(this, `${title(name)}AccessEntry`, {
          clusterName: props.auditClusterName,
          principalArn: roles[name].roleArn,
          type: 'STANDARD',
          username,
          kubernetesGroups: ['lattice-reconciler'],
        });
      }
    }

    // ------------------------------------------------------------ outputs
    for (const name of BINARIES) {
      new CfnOutput(this, `${title(name)}FunctionName`, { value: this.functions[name].functionName });
      new CfnOutput(this, `${title(name)}FunctionArn`, { value: this.functions[name].functionArn });
    }
    new CfnOutput(this, 'WebhookUrl', { value: this.webhookUrl.url });
    new CfnOutput(this, 'QueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: dlq.queueUrl });
    new CfnOutput(this, 'SweepRoleArn', { value: roles.sweep.roleArn });
    new CfnOutput(this, 'ReconcileRoleArn', { value: roles.reconcile.roleArn });
  }
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
