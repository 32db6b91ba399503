import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import {
  Aspects,
  CfnResource,
  type IAspect,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  type PolicyViolationBeta1,
  Stack,
} from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { CfnFunction, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { type FunctionAccess, type FunctionKey, type FunctionSpec, functions } from '../../functions/catalogue.ts';
import { CatalogueFunction } from './catalogue-function.ts';
import { GovernanceHttpApi } from './http-api.ts';
import { pascal } from './settings.ts';

/*
 * AWS Control Tower proactive controls, checked at synthesis by cfn-guard (the Control Tower rules
 * bundled with @cdklabs/cdk-validator-cfnguard), beside cdk-nag. Two things the bundled plugin does
 * not do are done here:
 *
 * - Acknowledging a finding on one resource. Neither cfn-guard 3.1.1 nor the bundled rules read a
 *   resource's `Metadata.guard.SuppressedRules` (tried: a suppressed queue still fails
 *   sqs_dlq_check), and `disabledRules` turns a rule off for every resource. So
 *   `acknowledgeGuardFindings` writes `Metadata: { guard: { SuppressedRules, Reasons } }` on exactly
 *   the resources GUARD_ACKNOWLEDGEMENTS names (by type and by a precise predicate), and
 *   ControlTowerGuardValidator drops the findings a resource's metadata acknowledges, and only those.
 * - Speed. cfn-guard re-reads the data for every rule file: the 237 bundled files take over a minute
 *   on this stack's 700 KB template. Every bundled rule selects `Resources.*[ Type == %X_TYPE ]` and
 *   is skipped when that selection is empty, so only the rule files that select a type the
 *   templates contain run (a file whose selections do not parse runs if it names such a type at
 *   all): the same findings as all 237 (compared on the whole stack), in a fraction of the time.
 *
 * The validator also checks the nested stacks' templates, which CDK does not pass to policy
 * validation plugins (it passes the top-level stacks' templates only).
 */

const require = createRequire(import.meta.url);

/** The bundled Control Tower rule files (`<service>/ct-<service>-pr-<n>.guard`). */
export const CONTROL_TOWER_RULES_DIR = join(dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

export interface BundledRule {
  /** Absolute path of the rule file. */
  path: string;
  /** The file's name without `.guard` (what `disabledRules` names), e.g. `ct-sqs-pr-1`. */
  id: string;
  /** The Control Tower control, e.g. `CT.SQS.PR.1`. */
  control: string;
  /** The rule names cfn-guard reports, e.g. `sqs_dlq_check`. */
  names: string[];
  /** Every CloudFormation resource type the file names. */
  types: string[];
  /**
   * The types its rules select (`Resources.*[ Type == %X_TYPE ]`, X_TYPE a type): with none of them
   * in a template, every rule of the file is skipped. Undefined where a selection reads otherwise.
   */
  selects?: string[];
}

let bundled: BundledRule[] | undefined;

/** Every bundled Control Tower rule (parsed once). */
export function controlTowerRules(): readonly BundledRule[] {
  bundled ??= (readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.guard'))
    .sort()
    .map((file) => {
      const path = join(CONTROL_TOWER_RULES_DIR, file);
      const text = readFileSync(path, 'utf8');
      const unique = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((m) => m[1] as string))];
      const typeVariables = new Map([...text.matchAll(/^let\s+([A-Za-z0-9_]+)\s*=\s*"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"/gm)].map((m) => [m[1], m[2]]));
      const selections = [...text.matchAll(/Resources\.\*\[([^\]]*)\]/g)].map((m) =>
        typeVariables.get(/^\s*Type\s*==\s*%([A-Za-z0-9_]+)\s*$/.exec(m[1] ?? '')?.[1] ?? ''),
      );
      const selects = selections.length && selections.every((type) => type !== undefined) ? [...new Set(selections as string[])] : undefined;
      return {
        path,
        id: basename(file, '.guard'),
        control: unique(/\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/g).join(', '),
        names: unique(/^rule\s+([A-Za-z0-9_]+)\s+when\s+is_cfn_template/gm),
        types: unique(/(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)/g),
        selects,
      };
    });
  return bundled;
}

// ---------------------------------------------------------------------------------------------
// The acknowledgements
// ---------------------------------------------------------------------------------------------

export interface GuardAcknowledgement {
  /** The rule name cfn-guard reports. */
  rule: string;
  /** Its Control Tower control. */
  control: string;
  /** The CloudFormation type of the resources it applies to. */
  resourceType: string;
  /** Why the finding on this resource is safe; undefined for a resource it does not apply to. */
  reasonFor(resource: CfnResource): string | undefined;
}

const functionEntries = Object.entries(functions) as [FunctionKey, FunctionSpec][];

/** The catalogue function whose Lambda function this is (CatalogueFunction `<Key>` > NodejsFunction `Function` > CfnFunction). */
function catalogueFunctionOf(resource: IConstruct): [FunctionKey, FunctionSpec] | undefined {
  const fn = resource.node.scope;
  const owner = fn?.node.scope;
  if (fn?.node.id !== 'Function' || !(owner instanceof CatalogueFunction)) return undefined;
  return functionEntries.find(([key]) => pascal(key) === owner.node.id);
}

function insideOf<T>(resource: IConstruct, type: abstract new (...args: never[]) => T): T | undefined {
  return resource.node.scopes.find((scope): scope is IConstruct & T => scope instanceof type);
}

/** The access a catalogue entry grants (the entries with a value), as http-api.ts reads it. */
function grantedAccess(spec: FunctionSpec): string[] {
  return Object.entries(spec.access)
    .filter(([, value]) => (Array.isArray(value) ? value.length > 0 : Boolean(value)))
    .map(([what]) => what);
}

/** The AWS APIs a catalogue function's access lets it call (besides its own logs and traces). */
function awsApisOf(access: FunctionAccess): string[] {
  const apis = new Set<string>();
  if (access.table?.length || access.records) apis.add('DynamoDB');
  if (access.linkKeys) apis.add('KMS');
  if (access.sendEmail) apis.add('SES');
  if (access.startExecution?.length || access.sendTaskResult?.length) apis.add('Step Functions');
  if (access.vault?.length) apis.add('Secrets Manager');
  if (access.userPool) apis.add("Cognito's public OAuth and JWKS endpoints");
  apis.add('CloudWatch Logs');
  apis.add('X-Ray');
  return [...apis];
}

function routeReason(route: CfnRoute): string | undefined {
  if (route.authorizationType !== undefined && route.authorizationType !== 'NONE') return undefined;
  const routeKey = Stack.of(route).resolve(route.routeKey) as unknown;
  if (routeKey === '$default') {
    const fallback = functionEntries.find(([, spec]) => spec.defaultRoute);
    if (!fallback || grantedAccess(fallback[1]).length) return undefined;
    return `$default (served by ${fallback[0]}) answers only the requests no route matches, with a not-found page, a 405 or an Allow list; its catalogue access is empty (http-api.ts refuses anything else), so an anonymous caller reaches no data and learns only which addresses exist.`;
  }
  const [method, path] = typeof routeKey === 'string' ? routeKey.split(' ') : [];
  for (const [key, spec] of functionEntries) {
    const served = spec.routes?.find((r) => r.path === path && (r.method === method || (method === 'HEAD' && r.method === 'GET')));
    if (!served) continue;
    if (served.auth === 'link') {
      return `${method} ${path} is opened from an emailed approval link: ${key} checks the link's 256-bit secret against its stored hash, which authenticates the approver without a City sign-in; an API Gateway authorizer has no way to check that secret.`;
    }
    if (served.auth === 'public') {
      const granted = grantedAccess(spec);
      if (granted.length === 0) {
        return `${method} ${path} is public in the catalogue (served by ${key}), and the role behind it has no data access at all (no table, key, secret, mail or state machine; only its own logs and traces), so an anonymous caller gets public content and nothing else.`;
      }
      if (granted.length === 1 && granted[0] === 'userPool') {
        return `${method} ${path} is an OAuth sign-in endpoint (served by ${key}), which must be reachable before sign-in: it only redirects to Cognito and sets or clears the session cookie, and its role has no permission beyond its own logs and traces.`;
      }
    }
    return undefined;
  }
  return undefined;
}

function apiPermissionReason(permission: CfnPermission): string | undefined {
  const api = insideOf(permission, GovernanceHttpApi);
  const stack = Stack.of(permission);
  if (!api || stack.resolve(permission.principal) !== 'apigateway.amazonaws.com' || stack.resolve(permission.action) !== 'lambda:InvokeFunction')
    return undefined;
  const apiId = stack.resolve((api.api.node.defaultChild as CfnResource).logicalId) as string;
  const joined = (stack.resolve(permission.sourceArn) as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (joined?.[0] !== '') return undefined;
  const [prefix, account, colon, apiRef, ...tail] = joined[1];
  const isRef = (value: unknown, id?: string) =>
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { Ref?: unknown }).Ref === 'string' &&
    (id === undefined || (value as { Ref: string }).Ref === id);
  if (typeof prefix !== 'string' || !/^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:$/.test(prefix)) return undefined;
  if (!isRef(account, 'AWS::AccountId') || colon !== ':' || !isRef(apiRef, apiId)) return undefined;
  const scope =
    tail.length === 1 && tail[0] === '/*/*/*'
      ? { what: 'any stage, method and path', arn: '/*/*/*' }
      : tail.length === 2 && tail[0] === '/authorizers/' && isRef(tail[1])
        ? { what: 'its session authorizer', arn: '/authorizers/<authorizer id>' }
        : undefined;
  if (!scope) return undefined;
  return `Only API Gateway, for ${scope.what} of this stack's own HTTP API in this account, may invoke the function: SourceArn is arn:aws:execute-api:<region>:<this account>:<api id>${scope.arn}, written as Fn::Join because the account and the API id are deploy-time values. The rule accepts only a literal string or a bare Ref/GetAtt, so it cannot read that scope.`;
}

/** Accepted designs and false positives: each reason says why the finding is safe on that resource. */
export const GUARD_ACKNOWLEDGEMENTS: readonly GuardAcknowledgement[] = [
  {
    rule: 'lambda_inside_vpc_check',
    control: 'CT.LAMBDA.PR.3',
    resourceType: 'AWS::Lambda::Function',
    reasonFor(resource) {
      const entry = resource instanceof CfnFunction && resource.vpcConfig === undefined ? catalogueFunctionOf(resource) : undefined;
      if (!entry) return undefined;
      const [key, spec] = entry;
      return `${key} calls only AWS service endpoints (${awsApisOf(spec.access).join(', ')}), over TLS; it reaches no resource in a private network, and the City sets no VPC requirement for this stack. A VPC would add NAT or VPC-endpoint cost and cold-start latency without narrowing what the function can do: its own least-privilege role does that.`;
    },
  },
  {
    rule: 'api_gw_v2_authorization_type_configured_check',
    control: 'CT.APIGATEWAY.PR.5',
    resourceType: 'AWS::ApiGatewayV2::Route',
    reasonFor: (resource) => (resource instanceof CfnRoute && insideOf(resource, GovernanceHttpApi) ? routeReason(resource) : undefined),
  },
  {
    rule: 'lambda_function_public_access_prohibited_check',
    control: 'CT.LAMBDA.PR.2',
    resourceType: 'AWS::Lambda::Permission',
    reasonFor: (resource) => (resource instanceof CfnPermission ? apiPermissionReason(resource) : undefined),
  },
];

/** Resource metadata: `Metadata: { guard: { SuppressedRules: [rule...], Reasons: { rule: reason } } }`. */
export interface GuardMetadata {
  SuppressedRules?: string[];
  Reasons?: Record<string, string>;
}

class GuardAcknowledgements implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const reasons: Record<string, string> = {};
    for (const entry of GUARD_ACKNOWLEDGEMENTS) {
      if (entry.resourceType !== node.cfnResourceType) continue;
      const reason = entry.reasonFor(node);
      if (reason) reasons[entry.rule] = reason;
    }
    if (!Object.keys(reasons).length) return;
    const existing = (node.getMetadata('guard') ?? {}) as GuardMetadata;
    node.addMetadata('guard', {
      ...existing,
      SuppressedRules: [...new Set([...(existing.SuppressedRules ?? []), ...Object.keys(reasons)])],
      Reasons: { ...existing.Reasons, ...reasons },
    } satisfies GuardMetadata);
  }
}

/**
 * Acknowledges, on exactly the resources the table above matches, the Control Tower findings that
 * are safe there: an Aspect, so resources added after this call are
 * matched too. Calling it again on the same stack does nothing.
 */
export function acknowledgeGuardFindings(stack: Stack): void {
  const aspects = Aspects.of(stack);
  if (aspects.all.some((aspect) => aspect instanceof GuardAcknowledgements)) return;
  aspects.add(new GuardAcknowledgements());
}

// ---------------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------------

/** The parts of a synthesized template the validator reads. */
export type GuardTemplate = { Resources?: Record<string, { Type?: string; Metadata?: { guard?: GuardMetadata } }> };

export interface AcknowledgedFinding {
  rule: string;
  logicalId: string;
  templatePath: string;
  reason: string;
}

export interface GuardCheck {
  /** The templates checked: the given ones and their nested stacks'. */
  templatePaths: string[];
  templates: Record<string, GuardTemplate>;
  /** The bundled rule files that ran. */
  rulesRun: string[];
  /** What fails validation. */
  unacknowledged: PolicyViolationBeta1[];
  /** Findings a resource's `guard` metadata acknowledges. */
  acknowledged: AcknowledgedFinding[];
}

/** Whether a bundled rule file can report anything on templates with these resource types. */
export function canApply(rule: BundledRule, types: ReadonlySet<string | undefined>): boolean {
  return rule.types.some((type) => types.has(type)) && (rule.selects === undefined || rule.selects.some((type) => types.has(type)));
}

/** The nested stacks' templates of a stack's template (its assets manifest lists them), recursively. */
function withNestedTemplates(templatePaths: readonly string[]): string[] {
  const all = new Set<string>();
  const visit = (path: string) => {
    if (all.has(path)) return;
    all.add(path);
    const manifest = join(dirname(path), `${basename(path).replace(/\.(nested\.)?template\.json$/, '')}.assets.json`);
    if (!existsSync(manifest)) return;
    const files = (JSON.parse(readFileSync(manifest, 'utf8')) as { files?: Record<string, { source?: { path?: string } }> }).files ?? {};
    for (const file of Object.values(files)) {
      if (file.source?.path?.endsWith('.nested.template.json')) visit(join(dirname(path), file.source.path));
    }
  };
  for (const path of templatePaths) visit(path);
  return [...all];
}

/**
 * cdk-validator-cfnguard's CfnGuardValidator (same options), run on the templates and their nested
 * stacks' templates with only the bundled rule files that can apply to them, and without the
 * findings that a resource's `guard` metadata acknowledges (see acknowledgeGuardFindings).
 */
export class ControlTowerGuardValidator implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly props: CfnGuardValidatorProps;

  constructor(props: CfnGuardValidatorProps = {}) {
    this.props = props;
    const plugin = new CfnGuardValidator(props);
    this.name = plugin.name;
    this.version = plugin.version;
    this.ruleIds = plugin.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const { unacknowledged } = this.check(context.templatePaths);
    return { success: unacknowledged.length === 0, violations: unacknowledged };
  }

  check(paths: readonly string[]): GuardCheck {
    const templatePaths = withNestedTemplates(paths);
    const templates = Object.fromEntries(templatePaths.map((path) => [path, JSON.parse(readFileSync(path, 'utf8')) as GuardTemplate]));
    const types = new Set(Object.values(templates).flatMap((t) => Object.values(t.Resources ?? {}).map((r) => r.Type)));
    const disabled = new Set(this.props.disabledRules ?? []);
    const rulesRun =
      (this.props.controlTowerRulesEnabled ?? true)
        ? controlTowerRules()
            .filter((rule) => !disabled.has(rule.id) && canApply(rule, types))
            .map((rule) => rule.path)
        : [];
    const rules = [...rulesRun, ...(this.props.rules ?? [])];
    const found = rules.length
      ? new CfnGuardValidator({
          ...this.props,
          controlTowerRulesEnabled: false,
          rules,
          // The JSON report of a failing rule on a large template runs to megabytes.
          maxBuffer: this.props.maxBuffer ?? 256 * 1024 * 1024,
        }).validate({ templatePaths } as IPolicyValidationContextBeta1).violations
      : [];

    const unacknowledged: PolicyViolationBeta1[] = [];
    const acknowledged: AcknowledgedFinding[] = [];
    for (const violation of found) {
      const located = violation.violatingResources.filter((r) => r.resourceLogicalId);
      const kept = located.filter((r) => {
        const guard = templates[r.templatePath]?.Resources?.[r.resourceLogicalId]?.Metadata?.guard;
        const reason = guard?.SuppressedRules?.includes(violation.ruleName) ? guard.Reasons?.[violation.ruleName] : undefined;
        if (reason === undefined) return true;
        acknowledged.push({ rule: violation.ruleName, logicalId: r.resourceLogicalId, templatePath: r.templatePath, reason });
        return false;
      });
      // The plugin reports some checks of a failing resource (a statement without Condition, in
      // kms_create_grant_aws_service_check) without a path, so without a resource: they go with the
      // located findings of the same rule, and are dropped only when all of those are acknowledged.
      const pathless = violation.violatingResources.filter((r) => !r.resourceLogicalId);
      if (pathless.length && (kept.length || !located.length)) kept.push(...pathless);
      if (kept.length) unacknowledged.push({ ...violation, violatingResources: kept });
    }
    return { templatePaths, templates, rulesRun, unacknowledged, acknowledged };
  }
}
