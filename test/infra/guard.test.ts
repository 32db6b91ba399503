import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Aspects, type CfnResource, type IPolicyValidationContextBeta1, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeGuardFindings, ControlTowerGuardValidator, controlTowerRules, GUARD_ACKNOWLEDGEMENTS, type GuardCheck } from '../../infra/aws/guard.ts';
import { guardFindings, synthesizeGovernanceAssembly } from './governance-template.ts';

// AWS Control Tower proactive controls (cfn-guard, the rules bundled with cdk-validator-cfnguard)
// on the synthesized stack, as app.ts runs them at `cdk synth`.

const outdir = mkdtempSync(join(tmpdir(), 'guard-stack-'));
const probeOutdir = mkdtempSync(join(tmpdir(), 'guard-probe-'));
let check: GuardCheck;

beforeAll(() => {
  // The stack acknowledges its accepted findings itself (governance-stack.ts), as `cdk synth` sees it.
  const { templatePath } = synthesizeGovernanceAssembly(outdir);
  check = new ControlTowerGuardValidator({ controlTowerRulesEnabled: true }).check([templatePath]);
}, 300_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(probeOutdir, { recursive: true, force: true });
});

const bundledNames = new Map(controlTowerRules().flatMap((rule) => rule.names.map((name) => [name, rule] as const)));
const suppressions = () =>
  Object.entries(check.templates).flatMap(([templatePath, template]) =>
    Object.entries(template.Resources ?? {}).flatMap(([logicalId, resource]) =>
      (resource.Metadata?.guard?.SuppressedRules ?? []).map((rule) => ({ templatePath, logicalId, rule, reason: resource.Metadata?.guard?.Reasons?.[rule] })),
    ),
  );

describe('cfn-guard: AWS Control Tower proactive controls', () => {
  it('report no unacknowledged finding on the stack (and its nested stack)', () => {
    const findings = guardFindings(check);
    expect(findings, `Control Tower findings:\n${findings.join('\n')}`).toEqual([]);
    expect(check.templatePaths.some((path) => path.endsWith('.nested.template.json'))).toBe(true);
    expect(check.rulesRun.length).toBeGreaterThan(0);
  });

  it('every suppression names a bundled rule and gives a specific reason', () => {
    const all = suppressions();
    expect(all.length).toBeGreaterThan(0);
    for (const { logicalId, rule, reason } of all) {
      expect(bundledNames.has(rule), `${logicalId}: ${rule} is not a bundled Control Tower rule`).toBe(true);
      expect(reason?.length ?? 0, `${logicalId} ${rule}`).toBeGreaterThan(60);
    }
    for (const entry of GUARD_ACKNOWLEDGEMENTS) {
      expect(bundledNames.get(entry.rule)?.control, entry.rule).toBe(entry.control);
      expect(bundledNames.get(entry.rule)?.types, entry.rule).toContain(entry.resourceType);
    }
  });

  it('every suppression acknowledges a finding cfn-guard does report, and every table entry is still needed', () => {
    const reported = new Set(check.acknowledged.map((a) => `${a.templatePath} ${a.logicalId} ${a.rule}`));
    const stale = suppressions().filter((s) => !reported.has(`${s.templatePath} ${s.logicalId} ${s.rule}`));
    expect(stale, 'suppressions of findings that no longer occur').toEqual([]);
    const used = new Set(check.acknowledged.map((a) => a.rule));
    // An acknowledgement that matches nothing is stale: delete it from GUARD_ACKNOWLEDGEMENTS.
    expect(GUARD_ACKNOWLEDGEMENTS.filter((entry) => !used.has(entry.rule)).map((entry) => entry.rule)).toEqual([]);
  });

  it('report a finding when one exists, and acknowledge only what the tables match (the zero above is meaningful)', () => {
    const app = new App({ outdir: probeOutdir });
    const probe = new Stack(app, 'Probe', { env: { region: 'us-west-2' } });
    new Queue(probe, 'NoDeadLetterQueue');
    new LogGroup(probe, 'PlainLogs');
    new LambdaFunction(probe, 'PlainFunction', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });
    const acknowledgedQueue = new Queue(probe, 'AcknowledgedQueue');
    (acknowledgedQueue.node.defaultChild as CfnResource).addMetadata('guard', {
      SuppressedRules: ['sqs_dlq_check'],
      Reasons: { sqs_dlq_check: 'A probe: this queue is acknowledged by hand, to show that a resource acknowledgement is honoured.' },
    });
    // The stack's tables match none of these resources: not catalogue functions, not its log groups or dead-letter queues.
    acknowledgeGuardFindings(probe);
    acknowledgeGuardFindings(probe);
    expect(Aspects.of(probe).all).toHaveLength(1);
    const templatePath = app.synth().getStackArtifact(probe.artifactId).templateFullPath;
    const id = (construct: Queue | LogGroup | LambdaFunction) => probe.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;

    const probed = new ControlTowerGuardValidator({ controlTowerRulesEnabled: true }).check([templatePath]);
    const found = probed.unacknowledged.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
    const queue = probe.node.findChild('NoDeadLetterQueue') as Queue;
    const logs = probe.node.findChild('PlainLogs') as LogGroup;
    const fn = probe.node.findChild('PlainFunction') as LambdaFunction;
    expect(found).toContain(`sqs_dlq_check ${id(queue)}`);
    expect(found).toContain(`cloudwatch_log_group_encrypted_check ${id(logs)}`);
    expect(found).toContain(`lambda_inside_vpc_check ${id(fn)}`);
    expect(found).not.toContain(`sqs_dlq_check ${id(acknowledgedQueue)}`);
    expect(probed.acknowledged.map((a) => `${a.rule} ${a.logicalId}`)).toEqual([`sqs_dlq_check ${id(acknowledgedQueue)}`]);
    expect(new ControlTowerGuardValidator().validate({ templatePaths: [templatePath] } as IPolicyValidationContextBeta1).success).toBe(false);

    // The bundled plugin alone, with every Control Tower rule: the same findings, and it ignores the
    // resource's guard metadata (hence ControlTowerGuardValidator).
    const plain = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({ templatePaths: [templatePath] } as IPolicyValidationContextBeta1);
    const plainFound = plain.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
    expect(plainFound.sort()).toEqual([...found, `sqs_dlq_check ${id(acknowledgedQueue)}`].sort());
  });

  it('as a policy-validation plugin (as app.ts adds it), fail synthesis on an unacknowledged finding only', () => {
    const synthWith = (acknowledged: boolean) => {
      const app = new App({ outdir: mkdtempSync(join(probeOutdir, 'plugin-')) });
      Validations.of(app).addPlugins(new ControlTowerGuardValidator({ controlTowerRulesEnabled: true }));
      // Encrypted, so that the dead-letter-queue rule is its only finding.
      const queue = new Queue(new Stack(app, 'Probe', { env: { region: 'us-west-2' } }), 'Queue', { encryption: QueueEncryption.SQS_MANAGED });
      if (acknowledged) {
        (queue.node.defaultChild as CfnResource).addMetadata('guard', {
          SuppressedRules: ['sqs_dlq_check'],
          Reasons: { sqs_dlq_check: 'A probe: this queue is acknowledged by hand, to show that the plugin honours it in synthesis.' },
        });
      }
      return () => app.synth();
    };
    expect(synthWith(false)).toThrow(/sqs_dlq_check/);
    expect(synthWith(true)).not.toThrow();
  });
});
