import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionKey } from '../../functions/catalogue.ts';
import { type GovernanceStack, governanceStackFromContext } from '../../infra/aws/governance-stack.ts';
import { asArray, cdkJson, functionEntries, getAtt, type Json, settings } from './governance-template.ts';

/*
 * Sign-in federated with the City's identity provider (context idpSamlMetadataUrl, or idpOidcIssuer
 * + idpOidcClientId + idpOidcClientSecretName), the Pre Token Generation trigger that refuses anyone
 * the directory does not let in, and the first DTI administrators (firstAdminEmails). Each stack
 * here is built from its own context.
 */

const noBundling = { 'aws:cdk:bundling-stacks': [] };
const metadataUrl = 'https://login.microsoftonline.com/cabq-tenant/federationmetadata/2007-06/federationmetadata.xml?appid=governance';
const issuer = 'https://login.microsoftonline.com/cabq-tenant/v2.0';

interface Built {
  stack: GovernanceStack;
  resources: Record<string, Json>;
}

function build(extra: Record<string, unknown>): Built {
  const stack = governanceStackFromContext(new App({ context: { ...cdkJson.context, ...settings, ...noBundling, ...extra } }));
  return { stack, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Json> };
}

const ofType = (built: Built, type: string) => Object.entries(built.resources).filter(([, r]) => r.Type === type);
const only = (built: Built, type: string): [string, Json] => {
  const found = ofType(built, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Json];
};
const fnId = (built: Built, key: FunctionKey) => built.stack.resolve((built.stack.functions[key].node.defaultChild as CfnElement).logicalId) as string;
const envOf = (built: Built, key: FunctionKey) => built.resources[fnId(built, key)]?.Properties.Environment.Variables as Json;

/** Every logical id a resource refers to (Ref, Fn::GetAtt, DependsOn). */
function referencesOf(resource: Json): string[] {
  const found = new Set<string>(asArray<string>(resource.DependsOn));
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value as Json)) {
      if (k === 'Ref' && typeof v === 'string') found.add(v);
      else if (k === 'Fn::GetAtt') found.add((v as string[])[0] as string);
      else walk(v);
    }
  };
  walk(resource.Properties);
  return [...found];
}

let saml: Built;
let oidc: Built;
let cognitoOnly: Built;

beforeAll(() => {
  saml = build({ idpSamlMetadataUrl: metadataUrl, firstAdminEmails: 'DTI.Admin@cabq.gov, second.admin@cabq.gov' });
  oidc = build({
    idpOidcIssuer: issuer,
    idpOidcClientId: 'governance-app-id',
    idpOidcClientSecretName: 'cabq/governance/idp-client-secret',
    idpName: 'CabqEntra',
  });
  cognitoOnly = build({});
}, 180_000);

describe('federation with the City\u2019s identity provider', () => {
  it('with idpSamlMetadataUrl: a SAML provider reading that metadata URL, mapping email and name, and the client offers only it', () => {
    const [providerId, provider] = only(saml, 'AWS::Cognito::UserPoolIdentityProvider');
    expect(provider.Properties.ProviderType).toBe('SAML');
    expect(provider.Properties.ProviderName).toBe('CityOfAlbuquerque');
    expect(provider.Properties.ProviderDetails.MetadataURL).toBe(metadataUrl);
    expect(provider.Properties.AttributeMapping).toEqual({
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    });
    const [, client] = only(saml, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties.SupportedIdentityProviders).toEqual(['CityOfAlbuquerque']);
    // The client lists the provider by name, which CloudFormation cannot see: an explicit dependency.
    expect(asArray(client.DependsOn)).toContain(providerId);
  });

  it('with idpOidcIssuer: an OIDC provider for that issuer and client id, its secret a Secrets Manager dynamic reference, and the client offers only it', () => {
    const [providerId, provider] = only(oidc, 'AWS::Cognito::UserPoolIdentityProvider');
    expect(provider.Properties.ProviderType).toBe('OIDC');
    expect(provider.Properties.ProviderName).toBe('CabqEntra');
    expect(provider.Properties.ProviderDetails).toEqual({
      client_id: 'governance-app-id',
      client_secret: '{{resolve:secretsmanager:cabq/governance/idp-client-secret:SecretString:::}}',
      oidc_issuer: issuer,
      authorize_scopes: 'openid email profile',
      attributes_request_method: 'GET',
    });
    expect(provider.Properties.AttributeMapping).toEqual({ email: 'email', name: 'name' });
    const [, client] = only(oidc, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties.SupportedIdentityProviders).toEqual(['CabqEntra']);
    expect(asArray(client.DependsOn)).toContain(providerId);
  });

  it('with neither: no provider, and the client offers the pool\u2019s own sign-in (COGNITO)', () => {
    expect(ofType(cognitoOnly, 'AWS::Cognito::UserPoolIdentityProvider')).toEqual([]);
    const [, client] = only(cognitoOnly, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
  });
});

describe('the sign-in trigger', () => {
  it.each([
    ['SAML', () => saml],
    ['OIDC', () => oidc],
    ['Cognito only', () => cognitoOnly],
  ])('%s: the pool runs checkSignIn before it issues tokens, and only this pool may invoke it', (_, built) => {
    const b = built();
    const [poolId, pool] = only(b, 'AWS::Cognito::UserPool');
    expect(pool.Properties.LambdaConfig).toEqual({ PreTokenGeneration: getAtt(fnId(b, 'checkSignIn')) });
    const permissions = ofType(b, 'AWS::Lambda::Permission').filter(
      ([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(getAtt(fnId(b, 'checkSignIn'))),
    );
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: getAtt(fnId(b, 'checkSignIn')), Principal: 'cognito-idp.amazonaws.com', SourceArn: getAtt(poolId) },
    ]);
  });

  it('is the one catalogue function marked as the trigger, with read access to the table and no route', () => {
    const triggers = functionEntries.filter(([, spec]) => spec.cognitoTrigger);
    expect(triggers.map(([key, spec]) => [key, spec.cognitoTrigger, spec.access, spec.routes])).toEqual([
      ['checkSignIn', 'preTokenGeneration', { table: ['read'] }, undefined],
    ]);
    const routeTargets = ofType(cognitoOnly, 'AWS::ApiGatewayV2::Integration').map(([, i]) => JSON.stringify(i.Properties.IntegrationUri));
    expect(routeTargets).not.toContain(JSON.stringify(getAtt(fnId(cognitoOnly, 'checkSignIn'))));
  });

  it('names nothing of the pool in its environment, so pool and trigger do not wait on each other', () => {
    const env = envOf(saml, 'checkSignIn');
    expect(env.USER_POOL_ID).toBeUndefined();
    expect(env.USER_POOL_CLIENT_ID).toBeUndefined();
    expect(env.AUTH_DOMAIN_URL).toBeUndefined();
  });

  it.each([
    ['SAML', () => saml],
    ['OIDC', () => oidc],
  ])('%s: the template has no dependency cycle', (_, built) => {
    const { resources } = built();
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (id: string, path: string[]): boolean => {
      if (state.get(id) === 'done' || !resources[id]) return false;
      if (state.get(id) === 'visiting') {
        cycle.push(...path, id);
        return true;
      }
      state.set(id, 'visiting');
      const found = referencesOf(resources[id] as Json).some((ref) => visit(ref, [...path, id]));
      state.set(id, 'done');
      return found;
    };
    for (const id of Object.keys(resources)) if (visit(id, [])) break;
    expect(cycle).toEqual([]);
  });
});

describe('first DTI administrators', () => {
  it('firstAdminEmails becomes FIRST_ADMIN_EMAILS (lower-cased) of the trigger and of the sign-in functions, and of no other', () => {
    const listed = 'dti.admin@cabq.gov,second.admin@cabq.gov';
    expect(envOf(saml, 'checkSignIn').FIRST_ADMIN_EMAILS).toBe(listed);
    expect(envOf(saml, 'authorizeRequest').FIRST_ADMIN_EMAILS).toBe(listed);
    expect(envOf(saml, 'signIn').FIRST_ADMIN_EMAILS).toBe(listed);
    const others = functionEntries.filter(([key, spec]) => key !== 'checkSignIn' && !spec.access.userPool);
    expect(others.length).toBeGreaterThan(10);
    for (const [key] of others) expect(envOf(saml, key).FIRST_ADMIN_EMAILS, key).toBeUndefined();
  });

  it('without firstAdminEmails no function has FIRST_ADMIN_EMAILS', () => {
    for (const [key] of functionEntries) expect(envOf(cognitoOnly, key).FIRST_ADMIN_EMAILS, key).toBeUndefined();
  });
});
