import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Tag every resource the functions create carries; its value is `<account>/<cluster>/<vpc>`. */
export const MANAGED_BY_TAG = 'application-networking.k8s.aws/ManagedBy';

/**
 * VPC Lattice access shared by sweep and reconcile. Mirrors `LatticePolicy` in template.yaml.
 *
 * Tag-scoped (aws:ResourceTag / aws:RequestTag on ManagedBy): Create*, Update*, Delete*,
 * UpdateRule (also authorizes BatchUpdateRule), TagResource.
 * Not tag-scopable, scoped by ARN instead: List*, tag:GetResources and acm:ListCertificates (no
 * resource type, "*");
 * Get* and ListTagsForResource (must read resources owned by others and RAM-shared service
 * networks); Register/Deregister/ListTargets (no condition keys listed; this account's target
 * groups); UntagResource (only aws:TagKeys: never the ManagedBy key); the CloudWatch
 * vended-log delivery calls behind access log subscriptions (no resource type, "*").
 */
export function latticeStatements(stack: Stack, clusterNames: string[]): iam.PolicyStatement[] {
  const { account, region, partition } = stack;
  const owned = clusterNames.map((c) => `${account}/${c}/*`);
  const inRegion = `arn:${partition}:vpc-lattice:${region}:*:*`;
  const inAccount = `arn:${partition}:vpc-lattice:${region}:${account}:*`;
  return [
    new iam.PolicyStatement({
      sid: 'LatticeList',
      actions: [
        'vpc-lattice:ListServiceNetworks',
        'vpc-lattice:ListServices',
        'vpc-lattice:ListListeners',
        'vpc-lattice:ListRules',
        'vpc-lattice:ListTargetGroups',
        'vpc-lattice:ListServiceNetworkServiceAssociations',
        'vpc-lattice:ListServiceNetworkVpcAssociations',
        'tag:GetResources',
        'acm:ListCertificates',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'LatticeRead',
      actions: [
        'vpc-lattice:GetServiceNetwork',
        'vpc-lattice:GetService',
        'vpc-lattice:GetListener',
        'vpc-lattice:GetRule',
        'vpc-lattice:GetTargetGroup',
        'vpc-lattice:GetServiceNetworkServiceAssociation',
        'vpc-lattice:GetAuthPolicy',
        'vpc-lattice:GetAccessLogSubscription',
        'vpc-lattice:GetServiceNetworkVpcAssociation',
        'vpc-lattice:ListTagsForResource',
      ],
      resources: [inRegion],
    }),
    new iam.PolicyStatement({
      sid: 'LatticeCreateTagged',
      actions: [
        'vpc-lattice:CreateService',
        'vpc-lattice:CreateListener',
        'vpc-lattice:CreateRule',
        'vpc-lattice:CreateTargetGroup',
        'vpc-lattice:CreateServiceNetworkServiceAssociation',
        'vpc-lattice:CreateAccessLogSubscription',
        'vpc-lattice:CreateServiceNetwork',
        'vpc-lattice:CreateServiceNetworkVpcAssociation',
      ],
      resources: [inRegion],
      conditions: { StringLike: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: owned } },
    }),
    new iam.PolicyStatement({
      sid: 'LatticeMutateOwned',
      actions: [
        'vpc-lattice:UpdateService',
        'vpc-lattice:DeleteService',
        'vpc-lattice:UpdateListener',
        'vpc-lattice:DeleteListener',
        'vpc-lattice:UpdateRule',
        'vpc-lattice:DeleteRule',
        'vpc-lattice:UpdateTargetGroup',
        'vpc-lattice:DeleteTargetGroup',
        'vpc-lattice:DeleteServiceNetworkServiceAssociation',
        'vpc-lattice:UpdateServiceNetwork',
        'vpc-lattice:PutAuthPolicy',
        'vpc-lattice:DeleteAuthPolicy',
        'vpc-lattice:UpdateAccessLogSubscription',
        'vpc-lattice:DeleteAccessLogSubscription',
        'vpc-lattice:DeleteServiceNetwork',
        'vpc-lattice:UpdateServiceNetworkVpcAssociation',
        'vpc-lattice:DeleteServiceNetworkVpcAssociation',
        'vpc-lattice:TagResource',
      ],
      resources: [inAccount],
      conditions: { StringLike: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: owned } },
    }),
    new iam.PolicyStatement({
      sid: 'LatticeTagUnowned',
      actions: ['vpc-lattice:TagResource'],
      resources: [inAccount],
      conditions: {
        Null: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: 'true' },
        StringLike: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: owned },
      },
    }),
    new iam.PolicyStatement({
      sid: 'LatticeUntag',
      actions: ['vpc-lattice:UntagResource'],
      resources: [inAccount],
      conditions: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': [MANAGED_BY_TAG] } },
    }),
    new iam.PolicyStatement({
      sid: 'LatticeTargets',
      actions: ['vpc-lattice:RegisterTargets', 'vpc-lattice:DeregisterTargets', 'vpc-lattice:ListTargets'],
      resources: [`arn:${partition}:vpc-lattice:${region}:${account}:targetgroup/*`],
    }),
    new iam.PolicyStatement({
      sid: 'AccessLogDelivery',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'LatticeServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:${partition}:iam::${account}:role/aws-service-role/vpc-lattice.amazonaws.com/*`],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'vpc-lattice.amazonaws.com' } },
    }),
  ];
}

/** eks:DescribeCluster on exactly the reconciled clusters. */
export function describeClustersStatement(stack: Stack, clusterNames: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeClusters',
    actions: ['eks:DescribeCluster'],
    resources: clusterNames.map((name) =>
      stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }),
    ),
  });
}
