'use strict';
// The EdgeGuard construct: one CloudFront distribution whose cache behaviours
// are the edgeguard config routes, each with the edgeguard Lambda@Edge
// function on viewer-request, origin-response and viewer-response, and a
// cache policy that cannot store one user's response for another.

const fs = require('node:fs');
const path = require('node:path');
const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const lambda = require('aws-cdk-lib/aws-lambda');
const { Construct } = require('constructs');

const {
  MAX_BUNDLE_BYTES,
  configDifferences,
  configFromBundle,
  loadConfigFile,
  planFromConfig,
} = require('./config');
const { ERROR_CODES } = require('./policies');
const { validateDistribution } = require('./validate');

/** MaxTTL of identity routes whose origin decides (cache "origin"): one day. */
const IDENTITY_ORIGIN_MAX_TTL = 86400;
/** MaxTTL of the default public cache policy: one year, as CloudFront's default. */
const PUBLIC_MAX_TTL = 31536000;

const OVERRIDE_KEYS = new Set([
  'origin', 'cachePolicy', 'originRequestPolicy', 'responseHeadersPolicy',
  'allowedMethods', 'cachedMethods', 'compress', 'viewerProtocolPolicy',
]);
const DISTRIBUTION_KEYS_REFUSED = ['defaultBehavior', 'additionalBehaviors'];
// make bundle's example config: its secret is public (js-shim/bundle.js warns of it too).
// Absent when this package is used outside the repository; the bundle then warned already.
const EXAMPLE_CONFIG = path.resolve(__dirname, '..', '..', '..', 'examples', 'config.json');

/** Whether two configs have one cache-key secret: its bytes, however the base64 is spelled. */
function sameSecret(a, b) {
  const bytes = (config) => {
    const secret = config && config.cacheKey && config.cacheKey.secret;
    return typeof secret === 'string' ? Buffer.from(secret.trim(), 'base64') : null; // either alphabet
  };
  const [x, y] = [bytes(a), bytes(b)];
  return x !== null && y !== null && x.length > 0 && x.equals(y);
}

/** A mistake in the construct's props (not in the config), naming the construct. */
class EdgeGuardPropsError extends Error {
  constructor(construct, message) {
    super(`EdgeGuard "${construct.node.path}": ${message}`);
    this.name = 'EdgeGuardPropsError';
  }
}

/**
 * Record why a check does not apply: checkov skips as CloudFormation metadata
 * (read by `checkov -d cdk.out`), cdk-nag rules as CDK acknowledgements (read
 * by cdk-nag v3 and other policy-validation plugins) and as the `cdk_nag`
 * metadata cdk-nag v2 reads.
 */
function suppress(construct, checkov, nag) {
  const cfn = construct && construct.node ? construct.node.defaultChild : null;
  if (cfn && cdk.CfnResource.isCfnResource(cfn) && checkov.length > 0) {
    cfn.addMetadata('checkov', { skip: checkov.map(([id, comment]) => ({ id, comment })) });
  }
  if (nag.length > 0) {
    for (const [id, reason] of nag) cdk.Validations.of(construct).acknowledge({ id, reason });
    if (cfn && cdk.CfnResource.isCfnResource(cfn)) {
      cfn.addMetadata('cdk_nag', { rules_to_suppress: nag.map(([id, reason]) => ({ id, reason })) });
    }
  }
}

class EdgeGuard extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {import('./index').EdgeGuardProps} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const refuse = (message) => new EdgeGuardPropsError(this, message);
    if (!props || typeof props.bundle !== 'string') {
      throw refuse('needs props.bundle: the path of dist/edgeguard-lambda.zip written by `make bundle`');
    }
    if (!props.origin) throw refuse('needs props.origin');

    // 1. The bundle and the config it carries; they must agree.
    const bundle = path.resolve(props.bundle);
    let size;
    try {
      size = fs.statSync(bundle).size;
    } catch {
      throw refuse(`bundle ${bundle} not found: run \`make bundle CONFIG=...\` first`);
    }
    if (size > MAX_BUNDLE_BYTES) {
      throw refuse(`bundle ${bundle} is ${size} bytes; Lambda@Edge viewer triggers allow at most ${MAX_BUNDLE_BYTES}`);
    }
    const bundledConfig = configFromBundle(bundle);
    const bundled = planFromConfig(bundledConfig);
    // The function runs the bundle's config: a config file that differs in anything (a new
    // secret or issuer, say) would not be what is deployed, as Terraform's manifest check says.
    const plan = props.config ? planFromConfig(loadConfigFile(props.config)) : bundled;
    const differences = props.config ? configDifferences(loadConfigFile(props.config), bundledConfig) : [];
    if (differences.length > 0) {
      const config = path.resolve(props.config);
      throw refuse(`${config} differs from the config.json inside ${bundle} in ${differences.join(', ')}: the function would run the bundle's; rebuild it with \`make bundle CONFIG=${config}\` in the edgeguard repository`);
    }
    if (fs.existsSync(EXAMPLE_CONFIG) && sameSecret(bundledConfig, loadConfigFile(EXAMPLE_CONFIG))) {
      cdk.Annotations.of(this).addWarningV2('edgeguard:published-secret', 'cacheKey.secret is the published one of examples/config.json: fine for local runs; make your own with `edgeguard keygen` before deploying');
    }
    /** The plan the distribution was built from (routes → behaviours). */
    this.plan = plan;

    const overrides = props.routeOverrides || {};
    const known = new Set([...plan.additional.map((r) => r.pathPattern), '*']);
    for (const [key, value] of Object.entries(overrides)) {
      if (!known.has(key)) throw refuse(`routeOverrides["${key}"] matches no route path in the config`);
      for (const k of Object.keys(value || {})) {
        if (!OVERRIDE_KEYS.has(k)) {
          throw refuse(`routeOverrides["${key}"].${k} cannot be overridden (allowed: ${[...OVERRIDE_KEYS].join(', ')}); edge functions are always edgeguard's`);
        }
      }
    }
    const distProps = { ...(props.distributionProps || {}) };
    for (const k of DISTRIBUTION_KEYS_REFUSED) {
      if (k in distProps) throw refuse(`distributionProps.${k} is built from the config routes; use routeOverrides`);
    }

    // 2. The function: us-east-1, Node.js 22, numbered version, 128 MB / 5 s
    //    (the viewer-trigger limits, platform.md §3.1).
    // Outside us-east-1, EdgeFunction makes the function in one shared us-east-1 stack under
    // the id given here: every EdgeGuard's would be 'Function' there, so the id carries this
    // construct's unique id. In us-east-1 the function stays in this construct as 'Function'.
    const region = cdk.Stack.of(this).region;
    const here = !cdk.Token.isUnresolved(region) && region === 'us-east-1';
    this.edgeFunction = new cloudfront.experimental.EdgeFunction(this, here ? 'Function' : `Function${cdk.Names.uniqueId(this)}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundle),
      memorySize: 128,
      timeout: cdk.Duration.seconds(5),
      description: 'edgeguard: JWT verification and per-user cache key (viewer-request), Cache-Control rewrite (origin-response, viewer-response)',
      stackId: props.edgeFunctionStackId,
    });
    this.functionVersion = this.edgeFunction.currentVersion;
    // The underlying lambda.Function (in this stack, or in the us-east-1 stack
    // EdgeFunction creates when this stack is elsewhere).
    const inner = this.edgeFunction._edgeFunction || this.edgeFunction.node.tryFindChild('Fn');
    /** The underlying lambda.Function. */
    this.lambdaFunction = inner;
    const lambdaEdgeReasons = [
      ['CKV_AWS_115', 'Lambda@Edge does not support reserved concurrency'],
      ['CKV_AWS_116', 'Lambda@Edge does not support dead-letter queues; CloudFront calls it synchronously'],
      ['CKV_AWS_117', 'Lambda@Edge cannot run in a VPC'],
      ['CKV_AWS_173', 'Lambda@Edge has no environment variables'],
    ];
    suppress(inner, lambdaEdgeReasons, [
      ['AwsSolutions-L1', 'Node.js 22 is the newest runtime confirmed for Lambda@Edge; nodejs24.x is not yet confirmed there'],
    ]);
    // CDK adds DependsOn on the role next to the GetAtt that already orders them.
    if (inner && inner.node.defaultChild) {
      inner.node.defaultChild.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    }
    const role = inner.role;
    if (role) {
      const why = 'AWSLambdaBasicExecutionRole only lets the function write its logs (to /aws/lambda/us-east-1.<name> in every edge Region)';
      suppress(role, [], [
        ['AwsSolutions-IAM4', why],
        ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', why],
      ]);
    }

    const edgeLambdas = [
      { eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, functionVersion: this.functionVersion, includeBody: false },
      { eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE, functionVersion: this.functionVersion },
      { eventType: cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE, functionVersion: this.functionVersion },
    ];

    // 3. Policies.
    this.originRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'OriginRequestPolicy', {
      comment: 'edgeguard: forward the cache-key and claim headers set by the viewer-request function',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(plan.cacheKeyHeader, ...plan.forwardHeaders),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const perUserPolicies = new Map();
    const perUserPolicy = (maxAge) => {
      if (!perUserPolicies.has(maxAge)) {
        perUserPolicies.set(maxAge, new cloudfront.CachePolicy(this, `PerUserCachePolicy${maxAge}`, {
          comment: `edgeguard per-user: key on ${plan.cacheKeyHeader}, MinTTL 0, MaxTTL ${maxAge}`,
          minTtl: cdk.Duration.seconds(0),
          defaultTtl: cdk.Duration.seconds(0),
          maxTtl: cdk.Duration.seconds(maxAge),
          headerBehavior: cloudfront.CacheHeaderBehavior.allowList(plan.cacheKeyHeader),
          queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
          cookieBehavior: cloudfront.CacheCookieBehavior.none(),
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        }));
      }
      return perUserPolicies.get(maxAge);
    };
    let identityOriginPolicy;
    const identityPolicy = () => {
      identityOriginPolicy ??= new cloudfront.CachePolicy(this, 'IdentityOriginCachePolicy', {
        comment: `edgeguard identity routes, origin decides: key on ${plan.cacheKeyHeader}, MinTTL 0`,
        minTtl: cdk.Duration.seconds(0),
        defaultTtl: cdk.Duration.seconds(0),
        maxTtl: cdk.Duration.seconds(IDENTITY_ORIGIN_MAX_TTL),
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList(plan.cacheKeyHeader),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      return identityOriginPolicy;
    };
    let publicPolicy = props.publicCachePolicy;
    const publicCachePolicy = () => {
      // MinTTL 0: private/no-store and Set-Cookie responses are never stored. The cache-key
      // header in the key: public requests never carry it (the function removes a client's
      // copy), so they share one entry; a request the function reads as a user's (CONTRACT
      // §4) carries it, and is never served to, or collapsed with, another user's.
      publicPolicy ??= new cloudfront.CachePolicy(this, 'PublicCachePolicy', {
        comment: `edgeguard public routes: the origin decides; MinTTL 0, key on ${plan.cacheKeyHeader}`,
        minTtl: cdk.Duration.seconds(0),
        defaultTtl: cdk.Duration.seconds(0),
        maxTtl: cdk.Duration.seconds(PUBLIC_MAX_TTL),
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList(plan.cacheKeyHeader),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      return publicPolicy;
    };
    const cachePolicyFor = (route) => {
      switch (route.kind) {
        case 'no-store': return cloudfront.CachePolicy.CACHING_DISABLED;
        case 'per-user': return perUserPolicy(route.maxAgeSeconds);
        case 'identity-origin': return identityPolicy();
        default: return publicCachePolicy();
      }
    };
    const responseHeadersPolicy = props.responseHeadersPolicy === undefined
      ? cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS
      : props.responseHeadersPolicy;

    const behaviourFor = (route) => {
      const o = overrides[route.pathPattern] || {};
      const b = {
        origin: o.origin || props.origin,
        cachePolicy: o.cachePolicy || cachePolicyFor(route),
        originRequestPolicy: o.originRequestPolicy || this.originRequestPolicy,
        responseHeadersPolicy: o.responseHeadersPolicy || responseHeadersPolicy || undefined,
        allowedMethods: o.allowedMethods || cloudfront.AllowedMethods.ALLOW_ALL,
        cachedMethods: o.cachedMethods || cloudfront.CachedMethods.CACHE_GET_HEAD,
        compress: o.compress ?? true,
        viewerProtocolPolicy: o.viewerProtocolPolicy || cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        edgeLambdas,
      };
      return b;
    };

    // 4. Error responses are never cached (platform.md §4.10): a 404 or 5xx of
    //    a no-store route would otherwise be served to other users for 10 s.
    const userErrors = distProps.errorResponses || [];
    for (const e of userErrors) {
      if (ERROR_CODES.includes(e.httpStatus) && e.ttl && e.ttl.toSeconds() > 0) {
        throw refuse(`distributionProps.errorResponses[${e.httpStatus}].ttl must be 0: cached errors of authenticated routes would be shared between users`);
      }
    }
    const errorResponses = [
      ...userErrors.map((e) => (ERROR_CODES.includes(e.httpStatus) ? { ...e, ttl: cdk.Duration.seconds(0) } : e)),
      ...ERROR_CODES.filter((c) => !userErrors.some((e) => e.httpStatus === c))
        .map((httpStatus) => ({ httpStatus, ttl: cdk.Duration.seconds(0) })),
    ];

    const additionalBehaviors = {};
    for (const route of plan.additional) additionalBehaviors[route.pathPattern] = behaviourFor(route);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'edgeguard',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...distProps,
      errorResponses,
      defaultBehavior: behaviourFor(plan.defaultRoute),
      additionalBehaviors,
    });

    // 5. Whatever happens to the distribution afterwards, synth refuses an
    //    unsafe result.
    const stack = cdk.Stack.of(this);
    const distribution = this.distribution.node.defaultChild;
    const edgeArn = this.functionVersion.edgeArn;
    this.node.addValidation({
      validate: () => validateDistribution({ stack, distribution, plan, edgeArn })
        .map((m) => `EdgeGuard: ${m}`),
    });
  }
}

module.exports = { EdgeGuard, EdgeGuardPropsError, IDENTITY_ORIGIN_MAX_TTL, PUBLIC_MAX_TTL };
