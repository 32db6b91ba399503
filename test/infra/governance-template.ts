import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll } from 'vitest';
import { type FunctionKey, type FunctionSpec, functions, type StateMachineKey, type StateMachineSpec, stateMachines } from '../../functions/catalogue.ts';
import { type GovernanceStack, governanceStackFromContext, repoRoot } from '../../infra/aws/governance-stack.ts';

/*
 * The stack as `cdk synth` builds it, shared by the infra test files: cdk.json's context (feature
 * flags, region), plus the settings a real deployment passes with -c. Each file calls
 * `synthesizeGovernanceStack()` once, at its top: vitest gives every test file its own copy of this
 * module, so each file synthesizes once, not once per test. Only functions.test.ts bundles the
 * functions (and checks the bundles); bundling changes no property but the code's asset hash, and
 * bundling every function in every file would take minutes.
 */

export const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
export const settings = {
  dtiEmail: 'dti-registry@cabq.gov',
  alarmEmail: 'ops@cabq.gov',
  mailFrom: 'social-media-governance@cabq.gov',
  authDomainPrefix: 'cabq-social-media-test',
};

export const functionEntries = Object.entries(functions) as [FunctionKey, FunctionSpec][];
export const stateMachineEntries = Object.entries(stateMachines) as [StateMachineKey, StateMachineSpec][];
export const allRoutes = functionEntries.flatMap(([key, spec]) => (spec.routes ?? []).map((route) => ({ key, ...route })));
export const authorizerKey = (functionEntries.find(([, spec]) => spec.authorizer) as [FunctionKey, FunctionSpec])[0];

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, navigated by its documented shape.
export type Json = Record<string, any>;
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

// Live bindings: set by the beforeAll that synthesizeGovernanceStack registers, read by the tests.
export let stack: GovernanceStack;
export let template: Template;
export let resources: Record<string, Json>;

/** Synthesizes the stack once for the calling test file, before its tests; `bundling` as `cdk synth` does. */
export function synthesizeGovernanceStack({ bundling = false } = {}): void {
  beforeAll(
    () => {
      const app = new App({ context: { ...cdkJson.context, ...settings, ...(bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
      stack = governanceStackFromContext(app);
      template = Template.fromStack(stack);
      resources = template.toJSON().Resources as Record<string, Json>;
      // Bundling every function (44, one esbuild run each, in series) takes about a minute alone and
      // over two under the whole suite's load on 2 cores (a fresh-clone CI run timed out at 120 s);
      // synthesizing without bundling takes seconds.
    },
    bundling ? 300_000 : 120_000,
  );
}

export const logicalId = (construct: IConstruct) => stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
export const fnId = (key: FunctionKey) => logicalId(stack.functions[key]);
export const roleId = (key: FunctionKey) => logicalId(stack.functionRoles[key]);
export const smId = (key: StateMachineKey) => logicalId(stack.stateMachines[key]);
export const fnProps = (key: FunctionKey) => resources[fnId(key)]?.Properties as Json;
export const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

/** Every statement attached to a role: inline policies and AWS::IAM::Policy resources. */
export function allStatementsOf(role: string): Statement[] {
  const inline = asArray<Json>(resources[role]?.Properties?.Policies).flatMap((p) => asArray<Statement>(p.PolicyDocument.Statement));
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => asArray<Json>(p.Properties.Roles).some((r) => r.Ref === role))
    .flatMap(([, p]) => asArray<Statement>(p.Properties.PolicyDocument.Statement));
  return [...inline, ...attached];
}
/** Every Allow statement attached to a role. */
export const statementsOf = (role: string) => allStatementsOf(role).filter((s) => s.Effect === 'Allow');
/** Every Deny statement attached to a role. */
export const denialsOf = (role: string) => allStatementsOf(role).filter((s) => s.Effect === 'Deny');
export const actionsOf = (role: string) => statementsOf(role).flatMap((s) => asArray(s.Action));
export const statementsOn = (role: string, resource: unknown) =>
  statementsOf(role).filter((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)));

/** A CloudFormation string value (plain or Fn::Join), with every token shown as <token>. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as Json)?.['Fn::Join'];
  if (join) return (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  return '<token>';
}

/** What CloudFormation does with DefinitionSubstitutions; each GetAtt becomes `<LogicalId.Attr>`. */
export function substitute(definition: string, substitutions: Json): string {
  return definition.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) return whole;
    const att = (value as Json)['Fn::GetAtt'] as [string, string] | undefined;
    return att ? `<${att[0]}.${att[1]}>` : String(value);
  });
}

/** Parameters.FunctionName of every lambda:invoke Task, in nested Map (ItemProcessor / Iterator) and Parallel states too. */
export function taskFunctionNames(machine: Json): string[] {
  return Object.values((machine.States ?? {}) as Record<string, Json>).flatMap((state) => [
    ...(state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::lambda:invoke') ? [state.Parameters?.FunctionName as string] : []),
    ...(state.ItemProcessor ? taskFunctionNames(state.ItemProcessor) : []),
    ...(state.Iterator ? taskFunctionNames(state.Iterator) : []),
    ...asArray<Json>(state.Branches).flatMap(taskFunctionNames),
  ]);
}

export function nagFindings(pack: NagPack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

/**
 * The stack synthesized into a cloud assembly in `outdir`, as `cdk synth` writes it (without
 * bundling), for the checks that read template files (cfn-guard); `configure` runs on the stack
 * before synthesis. Returns the stack and its template's path.
 */
export function synthesizeGovernanceAssembly(outdir: string, configure?: (stack: GovernanceStack) => void): { stack: GovernanceStack; templatePath: string } {
  const app = new App({ outdir, context: { ...cdkJson.context, ...settings, 'aws:cdk:bundling-stacks': [] } });
  const built = governanceStackFromContext(app);
  configure?.(built);
  return { stack: built, templatePath: app.synth().getStackArtifact(built.artifactId).templateFullPath };
}

/** The findings of a cfn-guard check, one line each: rule, resource and type, template, message. */
export function guardFindings(check: {
  templates: Record<string, { Resources?: Record<string, { Type?: string }> }>;
  unacknowledged: { ruleName: string; description: string; violatingResources: { resourceLogicalId: string; templatePath: string }[] }[];
}): string[] {
  return check.unacknowledged.flatMap((v) =>
    v.violatingResources.map((r) => {
      const type = check.templates[r.templatePath]?.Resources?.[r.resourceLogicalId]?.Type;
      return `${v.ruleName} at ${r.resourceLogicalId ?? '<no resource>'} (${type ?? '?'}) in ${r.templatePath.split('/').pop()}: ${v.description}`;
    }),
  );
}
