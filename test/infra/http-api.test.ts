import { Validations } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { FunctionKey } from '../../functions/catalogue.ts';
import {
  actionsOf,
  allRoutes,
  authorizerKey,
  flatten,
  fnId,
  fnProps,
  functionEntries,
  getAtt,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  settings,
  stack,
  synthesizeGovernanceStack,
  template,
} from './governance-template.ts';

// The HTTP API and the sign-in (Cognito) behind its jwt routes.
synthesizeGovernanceStack();

describe('HTTP API', () => {
  const routeResources = () => ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Json);

  it('has exactly one route per catalogue route, a HEAD beside each GET (as the local host answers), and the $default route', () => {
    expect(
      routeResources()
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual([...allRoutes.flatMap((r) => (r.method === 'GET' ? [`GET ${r.path}`, `HEAD ${r.path}`] : [`${r.method} ${r.path}`])), '$default'].sort());
    expect(routeResources().map((r) => r.RouteKey)).toContain('HEAD /approvals/{approvalId}');
  });

  it('sends $default (what no route matches) to the catalogue\u2019s default-route function: public, and its role reaches no data', () => {
    const defaultKeys = functionEntries.filter(([, spec]) => spec.defaultRoute).map(([key]) => key);
    expect(defaultKeys).toHaveLength(1);
    const key = defaultKeys[0] as FunctionKey;
    const route = routeResources().find((r) => r.RouteKey === '$default') as Json;
    expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
    const integrationId = (route.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string;
    expect(resources[integrationId]?.Properties.IntegrationUri).toEqual(getAtt(fnId(key)));
    expect(actionsOf(roleId(key)).filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
  });

  it.each(allRoutes)('$method $path ($auth) goes to $key with the right authorization', (route) => {
    const r = routeResources().find((x) => x.RouteKey === `${route.method} ${route.path}`) as Json;
    const integrationId = (r.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string;
    expect(resources[integrationId]?.Properties.IntegrationUri).toEqual(getAtt(fnId(route.key)));
    if (route.auth === 'jwt') {
      // The catalogue's authorizer function, as a simple-response REQUEST authorizer that runs on
      // every request (no identity source, no cache), so browsers with only a cookie reach it.
      expect(r.AuthorizationType).toBe('CUSTOM');
      const authorizer = resources[r.AuthorizerId.Ref]?.Properties as Json;
      expect(authorizer.AuthorizerType).toBe('REQUEST');
      expect(flatten(authorizer.AuthorizerUri)).toBe(`arn:aws:apigateway:${stack.region}:lambda:path/2015-03-31/functions/<token>/invocations`);
      expect(authorizer.AuthorizerUri['Fn::Join'][1]).toContainEqual(getAtt(fnId(authorizerKey)));
      expect(authorizer.EnableSimpleResponses).toBe(true);
      expect(authorizer.AuthorizerPayloadFormatVersion).toBe('2.0');
      expect(authorizer.AuthorizerResultTtlInSeconds).toBe(0);
      expect(authorizer.IdentitySource ?? []).toEqual([]);
    } else {
      expect(r.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(r.AuthorizerId).toBeUndefined();
    }
  });

  const routeByKey = (routeKey: string) => routeResources().find((r) => r.RouteKey === routeKey) as Json;
  const integrationOf = (route: Json) =>
    resources[(route.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string]?.Properties as Json;
  const acknowledgementsAt = (routeKey: string) =>
    stack.api.node
      .findAll()
      .filter((c) => c.node.defaultChild && (resources[logicalId(c)]?.Properties as Json | undefined)?.RouteKey === routeKey)
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));

  it('GET /guidelines is public: no authorizer, served by showGuidelines, whose role reaches no data', () => {
    const route = routeByKey('GET /guidelines');
    expect(route).toBeDefined();
    expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
    expect(integrationOf(route).IntegrationUri).toEqual(getAtt(fnId('showGuidelines')));
    expect(actionsOf(roleId('showGuidelines')).filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
    // Its cdk-nag acknowledgement says why it may be public, and is not the sign-in routes' reason.
    // (CDK records an acknowledgement under its qualified id, e.g. `Annotation::AwsSolutions-APIG4`.)
    const [[id, reason]] = acknowledgementsAt('GET /guidelines') as [[string, string]];
    expect(id).toMatch(/(^|::)AwsSolutions-APIG4$/);
    expect(reason).toMatch(/no data access at all/);
    expect(reason).not.toMatch(/OAuth/);
  });

  it('every route\u2019s integration waits the HTTP API maximum, 30 s (the default; the records export needs all of it)', () => {
    for (const route of allRoutes) {
      const integration = integrationOf(routeByKey(`${route.method} ${route.path}`));
      expect(integration.TimeoutInMillis ?? 30_000, `${route.method} ${route.path}`).toBe(30_000);
    }
    expect(allRoutes.find((r) => r.key === 'exportRecords')).toMatchObject({ method: 'GET', path: '/records/export', auth: 'jwt' });
  });

  it('has no JWT authorizer (browsers never send the Authorization header it reads)', () => {
    const types = ofType('AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties.AuthorizerType);
    expect(types).toEqual(['REQUEST']);
  });

  it('API Gateway may invoke the authorizer function for this API\u2019s authorizer only', () => {
    const permissions = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(getAtt(fnId(authorizerKey))),
    );
    expect(permissions).toHaveLength(1);
    const p = (permissions[0] as [string, Json])[1].Properties;
    expect(p.Principal).toBe('apigateway.amazonaws.com');
    expect(flatten(p.SourceArn)).toBe(`arn:aws:execute-api:${stack.region}:<token>:<token>/authorizers/<token>`);
  });

  it('API Gateway may invoke each routed function from this API only, with one permission per function (not one per route)', () => {
    const routed = functionEntries.filter(([, spec]) => spec.routes?.length || spec.defaultRoute);
    for (const [key] of routed) {
      const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(getAtt(fnId(key))));
      expect(permissions, key).toHaveLength(1);
      const p = (permissions[0] as [string, Json])[1].Properties;
      expect(p.Principal).toBe('apigateway.amazonaws.com');
      // Any stage, method and path of this API (its id is the Ref): the routes' integrations decide which reach it.
      const [apiRef] = ofType('AWS::ApiGatewayV2::Api').map(([id]) => id);
      expect(p.SourceArn).toEqual({ 'Fn::Join': ['', [`arn:aws:execute-api:${stack.region}:`, { Ref: 'AWS::AccountId' }, ':', { Ref: apiRef }, '/*/*/*']] });
    }
  });

  it('stays well inside CloudFormation’s 500 resources a stack (a per-route permission would have passed it)', () => {
    expect(Object.keys(resources).length).toBeLessThanOrEqual(470);
  });

  it('throttles the stage and writes JSON access logs that never record the path or the query string', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = (stages[0] as [string, Json])[1].Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    const format = stage.AccessLogSettings.Format as string;
    expect(resources[stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    const fields = Object.values(JSON.parse(format) as Record<string, string>);
    for (const needed of ['$context.requestId', '$context.routeKey', '$context.status', '$context.identity.sourceIp', '$context.requestTime']) {
      expect(fields).toContain(needed);
    }
    expect(format).not.toMatch(/\$context\.path|querystring|rawQueryString|\$request\.|\$input\./i);
  });
});

describe('Cognito', () => {
  it('is admin-provisioned, MFA (TOTP) required, strong passwords, threat protection enforced, deletion protected', () => {
    const [[, pool]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    expect(pool.DeletionPolicy).toBe('Retain');
    const p = pool.Properties;
    expect(p.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(p.MfaConfiguration).toBe('ON');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(p.DeletionProtection).toBe('ACTIVE');
    expect(p.Policies.PasswordPolicy).toMatchObject({ RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true });
    expect(p.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    expect(p.UserPoolAddOns.AdvancedSecurityMode).toBe('ENFORCED');
  });

  it('has managed sign-in pages on the authDomainPrefix domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: settings.authDomainPrefix, UserPoolId: { Ref: logicalId(stack.userPool) } });
  });

  it('the client has no secret and uses the authorization code flow only, with OIDC scopes and 1 h ID tokens', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.IdTokenValidity).toBe(60);
    expect(client.Properties.TokenValidityUnits.IdToken).toBe('minutes');
  });

  it('the client calls back to the sign-in function on the API and signs out to its signed-out page', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const apiEndpoint = getAtt(logicalId(stack.api), 'ApiEndpoint');
    expect(client.Properties.CallbackURLs).toEqual([{ 'Fn::Join': ['', [apiEndpoint, '/auth/callback']] }]);
    expect(client.Properties.LogoutURLs).toEqual([{ 'Fn::Join': ['', [apiEndpoint, '/auth/signed-out']] }]);
  });

  it.each(functionEntries)('%s: gets the user pool, client and sign-in domain exactly when its access says userPool', (key, spec) => {
    const env = fnProps(key).Environment.Variables as Json;
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const [[domainId]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Json]];
    if ('userPool' in spec.access && spec.access.userPool) {
      expect(env.USER_POOL_ID).toEqual({ Ref: logicalId(stack.userPool) });
      expect(env.USER_POOL_CLIENT_ID).toEqual({ Ref: clientId });
      expect(flatten(env.AUTH_DOMAIN_URL)).toBe(`https://<token>.auth.${stack.region}.amazoncognito.com`);
      expect(JSON.stringify(env.AUTH_DOMAIN_URL)).toContain(domainId);
    } else {
      expect(env.USER_POOL_ID).toBeUndefined();
      expect(env.USER_POOL_CLIENT_ID).toBeUndefined();
      expect(env.AUTH_DOMAIN_URL).toBeUndefined();
    }
  });
});
