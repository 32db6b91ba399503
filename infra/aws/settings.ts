import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * The deployment's settings (CDK context, checked once, here) and the defaults every construct of
 * the stack shares, so a value the City may have to change is found in one place.
 */

/** Repository root: the catalogue's entry and definition paths are relative to it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVICE_NAME = 'social-media-governance';
/** Lambda's timeout when the catalogue names none (Lambda's own default, 3 s, is too short for SES plus DynamoDB cold). */
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** Lambda's memory when the catalogue names none (the SDK-heavy bundles start faster with more CPU). */
export const DEFAULT_MEMORY_MB = 512;
/** Function logs, state machine logs and HTTP API access logs: the audit keeps a year. */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;
/** How long a dead-letter queue keeps a message for an operator (SQS's maximum). */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** A catalogue key in PascalCase (`fooBar` → `FooBar`): construct ids and resource names. */
export const pascal = (key: string) => `${key.charAt(0).toUpperCase()}${key.slice(1)}`;

/**
 * The City's identity provider the user pool federates with (Entra ID / ADFS). SAML reads the IdP's
 * metadata from its URL; OIDC discovers the endpoints from the issuer and takes the client secret
 * from a Secrets Manager secret at deploy time (a dynamic reference: never in context or the template).
 */
export type IdentityProviderSettings =
  | { protocol: 'SAML'; name: string; metadataUrl: string }
  | { protocol: 'OIDC'; name: string; issuerUrl: string; clientId: string; clientSecretName: string };

/** The provider name when idpName is not set. */
export const DEFAULT_IDP_NAME = 'CityOfAlbuquerque';

export interface GovernanceSettings {
  /** SES domain identity the mail is sent from. */
  mailDomain: string;
  /** From address; must be in mailDomain. */
  mailFrom: string;
  /**
   * The SES identity of mailDomain already exists in this account and region (the City's own, or
   * the one a deleted deployment retained): the stack uses it instead of creating it, which would
   * fail, its name being the domain (context existingMailIdentity=true). Default false.
   */
  existingMailIdentity: boolean;
  /**
   * The SES identity is verified and the account is out of the SES sandbox (go-live checklist, mail):
   * the user pool sends its invitations and codes through it, from mailFrom (context
   * mailIdentityVerified=true). Cognito refuses to create or update a pool whose SES identity is not
   * verified, and the first deployment creates the identity before anyone can publish its DKIM
   * records, so until then the pool uses Cognito's own email (50 a day). Default false.
   */
  mailIdentityVerified: boolean;
  /** DTI's mailbox (registry notices, failure notices). */
  dtiEmail: string;
  /** Base URL of the links in emails when the API sits behind a custom domain; default: the API endpoint. */
  publicBaseUrl?: string;
  /** Operators' mailbox for alarm notifications; no subscription when unset. */
  alarmEmail?: string;
  /** Further Cognito callback URLs, beside `<publicBaseUrl>/auth/callback` (always registered). */
  authCallbackUrls?: string[];
  /** Cognito domain prefix for the managed sign-in pages (globally unique); default: from the stack name. */
  authDomainPrefix?: string;
  /**
   * The City's identity provider (context idpSamlMetadataUrl, or idpOidcIssuer + idpOidcClientId +
   * idpOidcClientSecretName; idpName). Unset: the pool's own users only (Cognito sign-in).
   */
  identityProvider?: IdentityProviderSettings;
  /**
   * The first DTI administrators (context firstAdminEmails, comma-separated; lower-cased): while the
   * directory has nobody in it, they may sign in and see the setup page. Empty when unset.
   */
  firstAdminEmails: string[];
  /** Name prefix of the accounts' credential secrets in Secrets Manager (VAULT_SECRET_PREFIX); default `social-media/`. */
  vaultSecretPrefix: string;
  /** Name of the EventBridge bus the HR system puts its events on; default `cabq-hr`. */
  hrBusName: string;
  /** The `source` of the HR system's events (HR_EVENT_SOURCE); default `cabq.hr`. */
  hrEventSource: string;
  /**
   * Days every daily backup of the table is kept, and the vault lock's minimum retention (I);
   * default 3650 (ten years). `-c recordsRetentionDays=1` for a throwaway test deployment.
   */
  recordsRetentionDays: number;
  /**
   * Days after deployment during which the backup vault lock can still be changed or removed; after
   * them it is immutable (compliance mode) and nobody, the account root included, can shorten the
   * retention or delete a backup early. Default 7; AWS Backup's minimum is 3.
   */
  recordsVaultLockGraceDays: number;
  /**
   * The name of an AWS Backup vault to keep the table's backups in instead of creating one (context
   * existingBackupVaultName): the locked vault a deleted deployment retained, whose name a new one
   * cannot take, so the records stay in one vault. It keeps its own key and lock. Default: the stack creates it.
   */
  existingBackupVaultName?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads and checks the deployment settings from CDK context (cdk.json or `-c key=value`). */
export function settingsFromContext(scope: Construct): GovernanceSettings {
  const ctx = (key: string): string | undefined => {
    const value = scope.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const mailDomain = ctx('mailDomain') ?? 'cabq.gov';
  const mailFrom = ctx('mailFrom') ?? `${SERVICE_NAME}@${mailDomain}`;
  const dtiEmail = ctx('dtiEmail');
  const publicBaseUrl = ctx('publicBaseUrl')?.replace(/\/+$/, '');
  const alarmEmail = ctx('alarmEmail');
  const authCallbackUrls = ctx('authCallbackUrls')
    ?.split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const authDomainPrefix = ctx('authDomainPrefix');
  const firstAdminEmails = (ctx('firstAdminEmails') ?? '')
    .split(',')
    .map((email) => email.trim())
    .filter(Boolean);
  const vaultSecretPrefix = ctx('vaultSecretPrefix') ?? 'social-media/';
  const hrBusName = ctx('hrBusName') ?? 'cabq-hr';
  const hrEventSource = ctx('hrEventSource') ?? 'cabq.hr';
  // Numbers come from cdk.json as numbers and from `-c key=value` as strings.
  const days = (key: string, fallback: number): number => {
    const value = scope.node.tryGetContext(key) as unknown;
    if (value === undefined || value === '') return fallback;
    return typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
  };
  const recordsRetentionDays = days('recordsRetentionDays', 3650);
  const recordsVaultLockGraceDays = days('recordsVaultLockGraceDays', 7);
  // Booleans come from cdk.json as booleans and from `-c key=value` as strings.
  const flag = (key: string): boolean | undefined => {
    const value = scope.node.tryGetContext(key) as unknown;
    if (value === undefined || value === '' || value === false || value === 'false') return false;
    return value === true || value === 'true' ? true : undefined;
  };
  const existingMailIdentity = flag('existingMailIdentity');
  const mailIdentityVerified = flag('mailIdentityVerified');
  const existingBackupVaultName = ctx('existingBackupVaultName');

  const problems: string[] = [];
  if (!EMAIL.test(mailFrom)) problems.push(`mailFrom "${mailFrom}" is not an email address`);
  else if (mailFrom.split('@')[1]?.toLowerCase() !== mailDomain.toLowerCase()) {
    problems.push(`mailFrom "${mailFrom}" must be in the SES identity domain mailDomain "${mailDomain}"`);
  }
  if (!dtiEmail) problems.push('dtiEmail is not set (DTI\u2019s mailbox for registry and failure notices)');
  else if (!EMAIL.test(dtiEmail)) problems.push(`dtiEmail "${dtiEmail}" is not an email address`);
  if (alarmEmail && !EMAIL.test(alarmEmail)) problems.push(`alarmEmail "${alarmEmail}" is not an email address`);
  if (publicBaseUrl && !/^https:\/\/[^\s/]+/.test(publicBaseUrl)) problems.push(`publicBaseUrl "${publicBaseUrl}" must be an https URL`);
  for (const url of authCallbackUrls ?? []) {
    if (!/^https:\/\//.test(url)) problems.push(`authCallbackUrls entry "${url}" must be an https URL`);
  }
  if (authDomainPrefix) problems.push(...authDomainPrefixProblems(authDomainPrefix));
  for (const email of firstAdminEmails) if (!EMAIL.test(email)) problems.push(`firstAdminEmails entry "${email}" is not an email address`);
  const identityProvider = identityProviderFromContext(ctx, problems);
  // The functions' env schema accepts the same characters; a wildcard would widen the IAM scope.
  if (!/^[A-Za-z0-9/_+=.@-]{1,100}$/.test(vaultSecretPrefix)) {
    problems.push(`vaultSecretPrefix "${vaultSecretPrefix}" must be 1-100 of A-Z a-z 0-9 / _ + = . @ -`);
  }
  if (!/^[A-Za-z0-9._/-]{1,256}$/.test(hrBusName) || hrBusName === 'default') {
    problems.push(`hrBusName "${hrBusName}" must be a custom event bus name (A-Z a-z 0-9 . _ - /, not "default")`);
  }
  // EventBridge rejects custom events whose source starts with "aws.".
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(hrEventSource) || hrEventSource.startsWith('aws.')) {
    problems.push(`hrEventSource "${hrEventSource}" must be A-Z a-z 0-9 . _ - and must not start with "aws."`);
  }
  // AWS Backup's limits: a lock's minimum retention is 1 to 36500 days; its grace period at least 72 hours.
  if (!Number.isInteger(recordsRetentionDays) || recordsRetentionDays < 1 || recordsRetentionDays > 36500) {
    problems.push(`recordsRetentionDays "${scope.node.tryGetContext('recordsRetentionDays')}" must be a whole number of days from 1 to 36500`);
  }
  if (!Number.isInteger(recordsVaultLockGraceDays) || recordsVaultLockGraceDays < 3 || recordsVaultLockGraceDays > 36500) {
    problems.push(`recordsVaultLockGraceDays "${scope.node.tryGetContext('recordsVaultLockGraceDays')}" must be a whole number of days, at least 3`);
  }
  for (const [key, value] of [
    ['existingMailIdentity', existingMailIdentity],
    ['mailIdentityVerified', mailIdentityVerified],
  ] as const) {
    if (value === undefined) problems.push(`${key} "${scope.node.tryGetContext(key)}" must be true or false`);
  }
  // AWS Backup's rule for a vault name.
  if (existingBackupVaultName && !/^[A-Za-z0-9_-]{2,50}$/.test(existingBackupVaultName)) {
    problems.push(`existingBackupVaultName "${existingBackupVaultName}" must be an AWS Backup vault name (2-50 of A-Z a-z 0-9 _ -)`);
  }
  if (problems.length) {
    throw new Error(`Invalid CDK context for the governance stack (set it in cdk.json or with -c key=value):\n- ${problems.join('\n- ')}`);
  }
  return {
    mailDomain,
    mailFrom,
    existingMailIdentity: existingMailIdentity as boolean,
    mailIdentityVerified: mailIdentityVerified as boolean,
    dtiEmail: dtiEmail as string,
    publicBaseUrl,
    alarmEmail,
    authCallbackUrls,
    authDomainPrefix,
    identityProvider,
    firstAdminEmails: firstAdminEmails.map((email) => email.toLowerCase()),
    vaultSecretPrefix,
    hrBusName,
    hrEventSource,
    recordsRetentionDays,
    recordsVaultLockGraceDays,
    existingBackupVaultName,
  };
}

/**
 * The identity provider from context, or none; what is wrong goes to `problems`. Exactly one of
 * SAML (idpSamlMetadataUrl) and OIDC (idpOidcIssuer with idpOidcClientId and idpOidcClientSecretName).
 */
function identityProviderFromContext(ctx: (key: string) => string | undefined, problems: string[]): IdentityProviderSettings | undefined {
  const metadataUrl = ctx('idpSamlMetadataUrl');
  const issuerUrl = ctx('idpOidcIssuer');
  const clientId = ctx('idpOidcClientId');
  const clientSecretName = ctx('idpOidcClientSecretName');
  const name = ctx('idpName') ?? DEFAULT_IDP_NAME;
  const before = problems.length;
  if (ctx('idpOidcClientSecret')) {
    problems.push(
      'idpOidcClientSecret must not be in context (cdk.json and -c end up in files and shell history): store it in Secrets Manager and set idpOidcClientSecretName',
    );
  }
  if (metadataUrl && issuerUrl)
    problems.push('set either idpSamlMetadataUrl (SAML) or idpOidcIssuer (OIDC), not both: the City signs in through one identity provider');
  if (metadataUrl && !/^https:\/\/[^\s/]+/.test(metadataUrl)) problems.push(`idpSamlMetadataUrl "${metadataUrl}" must be an https URL`);
  if (issuerUrl && !/^https:\/\/[^\s/]+/.test(issuerUrl)) problems.push(`idpOidcIssuer "${issuerUrl}" must be an https URL`);
  if (issuerUrl && !clientId) problems.push('idpOidcIssuer is set but idpOidcClientId is not (the client id of the app registered with the identity provider)');
  if (issuerUrl && !clientSecretName) {
    problems.push('idpOidcIssuer is set but idpOidcClientSecretName is not (the name of the Secrets Manager secret that holds the client secret)');
  }
  if (!issuerUrl && (clientId || clientSecretName)) problems.push('idpOidcClientId and idpOidcClientSecretName need idpOidcIssuer (the OIDC issuer URL)');
  if (clientSecretName && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(clientSecretName)) {
    problems.push(`idpOidcClientSecretName "${clientSecretName}" must be a Secrets Manager secret name (A-Z a-z 0-9 / _ + = . @ -)`);
  }
  if (!metadataUrl && !issuerUrl && ctx('idpName')) problems.push('idpName is set but no identity provider is (idpSamlMetadataUrl or idpOidcIssuer)');
  // Cognito: 3 to 32 characters, no spaces or underscores at either end; its own and the social providers' names are taken.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,30}[A-Za-z0-9]$/.test(name) || /^(cognito|google|facebook|loginwithamazon|signinwithapple)$/i.test(name)) {
    problems.push(`idpName "${name}" must be 3-32 of A-Z a-z 0-9 . _ - (starting and ending with a letter or digit), and not a provider name Cognito reserves`);
  }
  if (problems.length > before) return undefined;
  if (metadataUrl) return { protocol: 'SAML', name, metadataUrl };
  if (issuerUrl && clientId && clientSecretName) return { protocol: 'OIDC', name, issuerUrl, clientId, clientSecretName };
  return undefined;
}

/** Cognito's rules for a prefix domain; the words are reserved by AWS. */
export function authDomainPrefixProblems(prefix: string): string[] {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) return [`authDomainPrefix "${prefix}" must be lowercase letters, digits and hyphens`];
  if (/aws|amazon|cognito/.test(prefix)) return [`authDomainPrefix "${prefix}" must not contain aws, amazon or cognito`];
  return [];
}

/** The default sign-in domain prefix: the stack name, lowercase (deterministic; set authDomainPrefix if it is taken). */
export function defaultAuthDomainPrefix(stackName: string): string {
  return stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/**
 * The credentials key's alias, from the secret name prefix (`social-media/` →
 * `alias/social-media-credentials`), so two deployments with different prefixes get different aliases.
 */
export function credentialsKeyAlias(vaultSecretPrefix: string): string {
  const stem = vaultSecretPrefix.replace(/\/+$/, '').replace(/[^A-Za-z0-9/_-]/g, '-') || 'vault';
  return `alias/${stem}-credentials`;
}
