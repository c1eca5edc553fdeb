// Compile-only check (`tsc -p infra/cdk`): the type declarations describe
// the construct as a TypeScript user would call it.
import * as cdk from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { ConfigError, EdgeGuard, EdgeGuardProps, EdgeGuardPropsError, Plan, planFromConfig, validateDistribution } from '../lib';

const app = new cdk.App();
const stack = new cdk.Stack(app, 'Types', { env: { region: 'us-east-1' } });
const props: EdgeGuardProps = {
  bundle: 'dist/edgeguard-lambda.zip',
  config: 'examples/config.json',
  origin: new origins.HttpOrigin('origin.example.com'),
  publicCachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
  responseHeadersPolicy: null,
  routeOverrides: {
    '/api/*': { allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL, compress: false },
    '*': { origin: new origins.HttpOrigin('static.example.com') },
  },
  distributionProps: { priceClass: cloudfront.PriceClass.PRICE_CLASS_100, enableLogging: false },
};
const guard: EdgeGuard = new EdgeGuard(stack, 'Guard', props);
const plan: Plan = guard.plan;
const header: string = plan.cacheKeyHeader;
const dist: cloudfront.Distribution = guard.distribution;
const same: Plan = planFromConfig({});
void header; void dist; void same;

// @ts-expect-error edge functions cannot be overridden per route
const bad: EdgeGuardProps = { bundle: 'x', origin: props.origin, routeOverrides: { '*': { edgeLambdas: [] } } };
// @ts-expect-error behaviours come from the config routes
const bad2: EdgeGuardProps = { bundle: 'x', origin: props.origin, distributionProps: { defaultBehavior: { origin: props.origin } } };
void bad; void bad2;

// The exports that index.js has, with the signatures it has.
const problems: string[] = validateDistribution({ stack, distribution: guard.distribution, plan, edgeArn: 'arn' });
const configError: ConfigError = new ConfigError('$.routes', 'must be a non-empty array');
const propsError: Error = new EdgeGuardPropsError(guard, 'needs props.origin');
void problems; void configError; void propsError;
