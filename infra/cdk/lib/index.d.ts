import { Construct } from 'constructs';
import * as cdk from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** A config that edgeguard refuses, with the JSON path of the offending field. */
export declare class ConfigError extends Error {
  readonly jsonPath: string;
  constructor(jsonPath: string, message: string);
}

/** A mistake in an EdgeGuard's props (not in the config); the message names the construct's path. */
export declare class EdgeGuardPropsError extends Error {
  constructor(construct: Construct, message: string);
}

/** Per-route settings a user may change. Edge functions cannot be changed. */
export interface RouteOverride {
  /** Origin of this route. @default props.origin */
  readonly origin?: cloudfront.IOrigin;
  /**
   * Cache policy. On optional/authenticated routes it must be defined in this
   * app (or be a managed policy) with MinTTL 0 and key on the cache-key header
   * where it stores anything; it may never key on the token.
   * @default the policy edgeguard derives from the route
   */
  readonly cachePolicy?: cloudfront.ICachePolicy;
  /** Origin request policy; never one that forwards all viewer headers. @default edgeguard's */
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy;
  /**
   * Response headers policy. On identity routes it must not set or remove Cache-Control,
   * Expires or Pragma; on public routes it must not remove Cache-Control or replace it
   * (Override). @default props.responseHeadersPolicy
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;
  /** @default AllowedMethods.ALLOW_ALL */
  readonly allowedMethods?: cloudfront.AllowedMethods;
  /** @default CachedMethods.CACHE_GET_HEAD */
  readonly cachedMethods?: cloudfront.CachedMethods;
  /** @default true */
  readonly compress?: boolean;
  /**
   * Never ALLOW_ALL on an optional or authenticated route: users' answers would travel over
   * plain HTTP. @default ViewerProtocolPolicy.REDIRECT_TO_HTTPS
   */
  readonly viewerProtocolPolicy?: cloudfront.ViewerProtocolPolicy;
}

export interface EdgeGuardProps {
  /** Path of the zip written by `make bundle` (dist/edgeguard-lambda.zip). */
  readonly bundle: string;
  /**
   * Path of the edgeguard config.json, to check that the bundle was built from it: it must
   * equal the config inside the bundle (as JSON: spacing and member order aside).
   * @default the config.json inside the bundle
   */
  readonly config?: string;
  /** The origin of every route without its own `routeOverrides[path].origin`. */
  readonly origin: cloudfront.IOrigin;
  /**
   * Cache policy of public routes whose cache is "origin". Like every policy here it
   * must have MinTTL 0, and if it stores anything it must key on the cache-key header
   * (public requests never carry it); so CachingOptimized is refused. CachingDisabled
   * is allowed.
   * @default MinTTL 0, DefaultTTL 0, MaxTTL 1 year, all query strings, the cache-key header, no cookies
   */
  readonly publicCachePolicy?: cloudfront.ICachePolicy;
  /** Per-route overrides keyed by the route's `path` ("*" for the default behaviour). */
  readonly routeOverrides?: { [path: string]: RouteOverride };
  /**
   * Response headers policy of every behaviour; `null` for none.
   * @default ResponseHeadersPolicy.SECURITY_HEADERS
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy | null;
  /** Everything else about the distribution (domain names, certificate, WAF, logging…). */
  readonly distributionProps?: Omit<cloudfront.DistributionProps, 'defaultBehavior' | 'additionalBehaviors'>;
  /** Stack id of the us-east-1 stack EdgeFunction creates when this stack is in another Region. */
  readonly edgeFunctionStackId?: string;
}

/** One route turned into one cache behaviour. */
export interface PlannedBehaviour {
  readonly index: number | null;
  readonly pathPattern: string;
  readonly access: 'public' | 'optional' | 'authenticated';
  readonly cache: 'origin' | 'per-user' | 'no-store';
  readonly maxAgeSeconds?: number;
  readonly kind: 'no-store' | 'per-user' | 'identity-origin' | 'public';
  readonly synthetic?: boolean;
}

export interface Plan {
  readonly cacheKeyHeader: string;
  readonly tokenHeader: string;
  readonly tokenCookie: string | null;
  readonly forwardHeaders: string[];
  readonly additional: PlannedBehaviour[];
  readonly defaultRoute: PlannedBehaviour;
}

/**
 * CloudFront + Lambda@Edge for edgeguard: one cache behaviour per config
 * route, the function on viewer-request, origin-response and viewer-response
 * of every behaviour, and cache policies that cannot leak a response across
 * users. Synth fails on any change that would make it unsafe.
 */
export declare class EdgeGuard extends Construct {
  readonly plan: Plan;
  readonly edgeFunction: cloudfront.experimental.EdgeFunction;
  readonly functionVersion: lambda.IVersion;
  readonly lambdaFunction: lambda.Function;
  readonly originRequestPolicy: cloudfront.OriginRequestPolicy;
  readonly distribution: cloudfront.Distribution;
  constructor(scope: Construct, id: string, props: EdgeGuardProps);
}

export declare const IDENTITY_ORIGIN_MAX_TTL: number;
export declare const PUBLIC_MAX_TTL: number;
export declare function planFromConfig(config: unknown): Plan;
export declare function loadConfigFile(file: string): unknown;
export declare function configFromBundle(zipFile: string): unknown;
/**
 * The synth-time checks of a distribution against a plan (what EdgeGuard runs itself):
 * one message per problem, none when the deployment is safe.
 */
export declare function validateDistribution(args: {
  stack: cdk.Stack;
  distribution: cloudfront.Distribution;
  plan: Plan;
  edgeArn: string;
}): string[];
