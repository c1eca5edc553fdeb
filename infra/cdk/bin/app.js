#!/usr/bin/env node
'use strict';
// Example app: an HTTPS origin behind edgeguard.
//
//   cdk synth -c bundle=../../dist/edgeguard-lambda.zip -c config=../../examples/config.json \
//             -c originDomain=api.example.com
//
// Context values (all optional): bundle, config, originDomain, stackName.
const path = require('node:path');
const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const { EdgeGuard } = require('../lib');

const app = new cdk.App();
const root = path.resolve(__dirname, '..', '..', '..');
const ctx = (k, d) => app.node.tryGetContext(k) ?? d;
const bundle = path.resolve(ctx('bundle', process.env.EDGEGUARD_BUNDLE || path.join(root, 'dist', 'edgeguard-lambda.zip')));
const config = ctx('config', undefined);

// Lambda@Edge functions live in us-east-1; keeping the whole stack there
// avoids the cross-Region stack EdgeFunction would otherwise add.
const stack = new cdk.Stack(app, ctx('stackName', 'EdgeGuardExample'), {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
  description: 'edgeguard example: an HTTPS origin behind CloudFront with JWT verification and per-user caching',
});

const guard = new EdgeGuard(stack, 'EdgeGuard', {
  bundle,
  config: config && path.resolve(config),
  origin: new origins.HttpOrigin(ctx('originDomain', 'origin.example.com'), {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
  }),
  distributionProps: {
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
  },
});

// The example has no domain name, certificate, WAF or log bucket of its own:
// those are the deployer's choices (infra/README.md, "Checks we skip").
const deployerChoices = [
  ['AwsSolutions-CFR1', 'Geo restriction is a business decision, not part of the example'],
  ['AwsSolutions-CFR2', 'Attach your WAF web ACL with distributionProps.webAclId'],
  ['AwsSolutions-CFR3', 'Enable access logs with distributionProps.enableLogging and a bucket of your own'],
  ['AwsSolutions-CFR4', 'The example uses the default *.cloudfront.net certificate; set distributionProps.certificate and minimumProtocolVersion TLS_V1_2_2021'],
];
for (const [id, reason] of deployerChoices) cdk.Validations.of(guard.distribution).acknowledge({ id, reason });
guard.distribution.node.defaultChild.addMetadata('checkov', {
  skip: [
    { id: 'CKV_AWS_68', comment: 'WAF is the deployer\'s: distributionProps.webAclId' },
    { id: 'CKV_AWS_86', comment: 'access logs need a bucket of the deployer\'s: distributionProps.enableLogging/logBucket' },
    { id: 'CKV_AWS_174', comment: 'the example has no certificate; *.cloudfront.net allows TLSv1; with distributionProps.certificate the minimum is TLSv1.2_2021' },
  ],
});

new cdk.CfnOutput(stack, 'DistributionDomainName', { value: guard.distribution.distributionDomainName });
new cdk.CfnOutput(stack, 'FunctionVersionArn', { value: guard.functionVersion.edgeArn });

module.exports = { app, stack, guard };
