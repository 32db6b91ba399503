import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functions, stateMachineArnEnv } from '../../functions/catalogue.ts';
import { lambdaBundling } from '../../infra/bundling.ts';
import {
  asArray,
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
  smId,
  stack,
  stateMachineEntries,
  statementsOf,
  synthesizeGovernanceStack,
} from './governance-template.ts';

synthesizeGovernanceStack({ bundling: true });

describe('Lambda functions', () => {
  it('creates exactly one function per catalogue entry', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(functionEntries.length);
    for (const [key] of functionEntries) expect(resources[fnId(key)]?.Type, key).toBe('AWS::Lambda::Function');
  });

  it.each(functionEntries)(
    '%s runs nodejs24.x on arm64 with tracing, the catalogue memory (512 MB by default) and timeout and a retained log group',
    (key, spec) => {
      const p = fnProps(key);
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe('index.handler');
      expect(p.MemorySize).toBe(spec.memoryMb ?? 512);
      expect(p.Timeout).toBe(spec.timeoutSeconds ?? 10);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      const logGroup = resources[p.LoggingConfig?.LogGroup?.Ref];
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
      expect(logGroup?.DeletionPolicy).toBe('Retain');
    },
  );

  it.each(functionEntries)('%s is bundled as infra/bundling.ts says: one ESM file that exports the handler, with the require shim and a source map', (key) => {
    const asset = String(fnProps(key).Code.S3Key).replace(/\.zip$/, '');
    const dir = join((stack.node.root as App).outdir, `asset.${asset}`);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(lambdaBundling.banner)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
  });

  it('the records export has the catalogue\u2019s 1024 MB and a timeout inside the HTTP API\u2019s 30 s', () => {
    const p = fnProps('exportRecords');
    expect(p.MemorySize).toBe(1024);
    expect(p.Timeout).toBe(functions.exportRecords.timeoutSeconds);
    expect(p.Timeout).toBeLessThan(30);
  });

  it('warns exactly about the functions whose timeout exceeds the HTTP API\u2019s 30 s (none today)', () => {
    const warned = Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('serves HTTP API routes with a'))
      .map((w) => w.id);
    const expected = functionEntries
      .filter(([, spec]) => spec.routes?.length && (spec.timeoutSeconds ?? 10) > 30)
      .map(([key]) => `/${stack.functions[key].node.path}`);
    expect(warned.sort()).toEqual(expected.sort());
    expect(expected).toEqual([]);
  });

  it('gives every function its own role, assumed by Lambda, with no AWS managed policy', () => {
    const roles = functionEntries.map(([key]) => fnProps(key).Role['Fn::GetAtt'][0] as string);
    expect(new Set(roles).size).toBe(functionEntries.length);
    for (const [i, [key]] of functionEntries.entries()) {
      const role = resources[roles[i] as string] as Json;
      expect(roles[i]).toBe(roleId(key));
      expect(role.Type).toBe('AWS::IAM::Role');
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('lambda.amazonaws.com');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      // It may write to its own log group only.
      const logStatements = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      expect(logStatements.map((s) => s.Resource)).toEqual([getAtt(fnProps(key).LoggingConfig.LogGroup.Ref)]);
    }
  });

  it.each(functionEntries)('%s has the shared environment', (key) => {
    const env = fnProps(key).Environment.Variables as Json;
    expect(env.TABLE_NAME).toEqual({ Ref: logicalId(stack.table) });
    expect(env.PUBLIC_BASE_URL).toEqual(getAtt(logicalId(stack.api), 'ApiEndpoint'));
    expect(env.MAIL_FROM).toBe(settings.mailFrom);
    expect(env.DTI_EMAIL).toEqual({ Ref: 'DtiEmail' });
    expect(env.SES_CONFIGURATION_SET).toEqual({ Ref: ofType('AWS::SES::ConfigurationSet')[0]?.[0] });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('social-media-governance');
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it.each(functionEntries)('%s gets a state machine ARN variable exactly for the machines it starts', (key, spec) => {
    const env = fnProps(key).Environment.Variables as Json;
    for (const [machine] of stateMachineEntries) {
      const name = resources[smId(machine)]?.Properties.StateMachineName as string;
      const variable = env[stateMachineArnEnv(machine)];
      if (spec.access.startExecution?.includes(machine)) {
        expect(flatten(variable)).toBe(`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`);
      } else {
        expect(variable).toBeUndefined();
      }
    }
  });
});
