import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionKey, FunctionSpec } from '../../functions/catalogue.ts';
import { stackOutput } from './outputs.ts';
import { DEFAULT_TIMEOUT_SECONDS, LOG_RETENTION, pascal } from './settings.ts';

/** An HTTP API waits at most 30 s for an integration (TimeoutInMillis 50-30000, default 30000), unlike Lambda's 900 s. */
export const HTTP_API_MAX_INTEGRATION_SECONDS = 30;

/**
 * HTTP API access log line (JSON, one object per request). Only the route *template*
 * ($context.routeKey) is logged: never $context.path and never the query string, because the
 * approval link's secret rides in the query string.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  protocol: '$context.protocol',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** A catalogue function with its key, spec and Lambda function. */
export interface RoutedFunction {
  key: FunctionKey;
  spec: FunctionSpec;
  function: IFunction;
}

const hasAccess = (spec: FunctionSpec) => Object.values(spec.access).some((value) => (Array.isArray(value) ? value.length > 0 : Boolean(value)));

/**
 * The HTTP API: one route per catalogue route (and a HEAD beside each GET), `jwt` routes behind the
 * catalogue's authorizer function, everything else to the catalogue's default-route function; a
 * throttled `$default` stage with JSON access logs. The stage is declared explicitly (not
 * createDefaultStage) so it can carry throttling and access logs; `$default` keeps the URLs
 * stage-less.
 */
export class GovernanceHttpApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: { logsKey: IKey }) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'City of Albuquerque social media governance',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: props.logsKey });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    stackOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'HTTP API endpoint' });
  }

  /** Routes every catalogue route, and `$default`, to its function. */
  addCatalogueRoutes(functions: readonly RoutedFunction[]): void {
    // The catalogue's authorizer function verifies the Cognito ID token (bearer header or the
    // session cookie) and always authorizes: it proves identity, and the function behind it enforces
    // presence (signedInPerson), sending a browser to sign-in instead of API Gateway's bare 403. No
    // identity source and no caching: it must run when no Authorization header is present (browsers
    // send the cookie), and a cached answer would outlive a signed-out session.
    const [authorizer, ...moreAuthorizers] = functions.filter((f) => f.spec.authorizer);
    if (!authorizer || moreAuthorizers.length) throw new Error('The catalogue must mark exactly one function as the authorizer.');
    const sessionAuthorizer = new HttpLambdaAuthorizer('SessionAuthorizer', authorizer.function, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(0),
      identitySource: [],
    });
    for (const routed of functions) if (routed.spec.routes?.length) this.addRoutesOf(routed, sessionAuthorizer);
    this.addDefaultRoute(functions);
  }

  /**
   * Every integration waits the HTTP API's maximum, 30 s, which is also its default: TimeoutInMillis
   * is left unset because the CDK construct refuses more than 29 s (REST APIs' limit). A function's
   * own shorter timeout ends it first. A function whose catalogue timeout is longer keeps it (the
   * catalogue decides, and the local host has no such limit), but its caller gets a 503 at 30 s
   * while it runs on: warned at synthesis, so the catalogue can shorten it or move the work off the
   * request.
   */
  private addRoutesOf({ key, spec, function: fn }: RoutedFunction, sessionAuthorizer: HttpLambdaAuthorizer): void {
    const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (timeoutSeconds > HTTP_API_MAX_INTEGRATION_SECONDS) {
      Annotations.of(fn).addWarningV2(
        'governance:routeTimeoutBeyondHttpApi',
        `${key} serves HTTP API routes with a ${timeoutSeconds} s timeout, but an HTTP API waits at most ${HTTP_API_MAX_INTEGRATION_SECONDS} s: a request still running then gets a 503 while the function runs on, billed, up to ${timeoutSeconds} s.`,
      );
    }
    // One invoke permission per function for this API (`<api>/*/*/*`), not one per route: a
    // function is reached only through the routes whose integration it is, and per-route
    // permissions (one resource each) would take the stack past CloudFormation's 500 resources.
    const integration = new HttpLambdaIntegration(`${pascal(key)}Integration`, fn, { scopePermissionToRoute: false });
    for (const route of spec.routes ?? []) {
      // A GET route answers HEAD too, as the local host does (the handler drops the body).
      const httpRoutes = this.api.addRoutes({
        path: route.path,
        methods: route.method === 'GET' ? [HttpMethod.GET, HttpMethod.HEAD] : [HttpMethod[route.method]],
        integration,
        authorizer: route.auth === 'jwt' ? sessionAuthorizer : undefined,
      });
      for (const httpRoute of httpRoutes) {
        if (route.auth === 'link') {
          const reason = `${route.method} ${route.path} is opened from an emailed approval link: the link's 256-bit secret (checked against its stored hash by ${key}) is the authentication, so approvers need no City sign-in.`;
          Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        }
        if (route.auth === 'public') {
          // What an anonymous caller can reach is what the function's role allows. Only the two
          // harmless shapes are acknowledged; a public route in front of a function with data access
          // keeps its finding (and fails synthesis) until someone decides it deliberately.
          const granted = Object.entries(spec.access)
            .filter(([, value]) => (Array.isArray(value) ? value.length > 0 : Boolean(value)))
            .map(([what]) => what);
          const reach =
            granted.length === 0
              ? 'its role has no data access at all (no table, key, secret, mail or state machine; only its own logs and traces), so an anonymous caller gets public content and nothing else'
              : granted.length === 1 && granted[0] === 'userPool'
                ? 'it is an OAuth sign-in endpoint, which must be reachable before sign-in; it only redirects to Cognito and sets the session cookie, and its role has no permission beyond its own logs and traces'
                : undefined;
          if (reach) {
            Validations.of(httpRoute).acknowledge({
              id: 'AwsSolutions-APIG4',
              reason: `${route.method} ${route.path} is public in the catalogue (auth 'public', served by ${key}): ${reach}.`,
            });
          }
        }
      }
    }
  }

  /**
   * What no route matches goes to the catalogue's default-route function instead of API Gateway's
   * bare {"message":"Not Found"}: a page for browsers (JSON for API clients), 405 with Allow for a
   * method an address does not answer, 204 with Allow for OPTIONS (no CORS). Public.
   */
  private addDefaultRoute(functions: readonly RoutedFunction[]): void {
    const [fallback, ...moreFallbacks] = functions.filter((f) => f.spec.defaultRoute);
    if (!fallback || moreFallbacks.length) throw new Error('The catalogue must mark exactly one function as the default route.');
    if (hasAccess(fallback.spec)) throw new Error(`${fallback.key} serves the public $default route, so its catalogue access must be empty.`);
    const defaultRoute = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${pascal(fallback.key)}Integration`, fallback.function, { scopePermissionToRoute: false }),
    });
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `$default (served by ${fallback.key}) answers the requests no route matches with a not-found page, a 405 or an Allow list: its role has no data access at all (no table, key, secret, mail or state machine; only its own logs and traces), so an anonymous caller learns only which addresses exist, as the routes themselves already tell.`,
    });
  }
}
