import { ConfigurationError } from '#core/errors';
import { type Policy, policy } from '#core/policy';
import * as z from '#core/zod';

/**
 * The environment every function reads, in both hosts. The CDK stack sets it in AWS; the local
 * runtime sets it in-process, pointing the SDK at DynamoDB Local, the SES emulator and the local
 * Step Functions endpoint through the SDK's own AWS_ENDPOINT_URL_* variables.
 */
const envSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  PUBLIC_BASE_URL: z.url(),
  MAIL_FROM: z.email(),
  DTI_EMAIL: z.email(),
  SES_CONFIGURATION_SET: z.optional(z.string()),
  /** The accounts' shared credentials: secret names are this prefix + account id. */
  VAULT_SECRET_PREFIX: z._default(z.string().check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,100}$/)), 'social-media/'),
  /** AWS: the customer-managed KMS key new credential secrets are created with. */
  VAULT_KMS_KEY_ID: z.optional(z.string()),
  /** The EventBridge `source` of HR events (the AWS rule matches it; the handler checks it). */
  HR_EVENT_SOURCE: z._default(z.string().check(z.minLength(1)), 'cabq.hr'),
  /** AWS: the KMS key that seals task tokens, and the HMAC key that derives link secrets. */
  TOKEN_KMS_KEY_ID: z.optional(z.string()),
  LINK_MAC_KEY_ID: z.optional(z.string()),
  /** Local only: a base64 32-byte key kept in the git-ignored data folder. */
  LOCAL_LINK_KEY: z.optional(z.string()),
  /** AWS sign-in (sign-in and authorizer functions): the Cognito user pool, its app client and managed-login base URL. */
  USER_POOL_ID: z.optional(z.string()),
  USER_POOL_CLIENT_ID: z.optional(z.string()),
  AUTH_DOMAIN_URL: z.optional(z.url()),
  /** Overrides policy.json's decision wait (local demos, tests). */
  DECISION_WAIT_SECONDS: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(24 * 24 * 3600))),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const result = envSchema.safeParse(process.env);
  if (!result.success) throw new ConfigurationError(`Function environment is incomplete: ${z.prettifyError(result.error)}`);
  cached = result.data;
  return cached;
}

/** How long a person has to decide or act before a reminder: policy.json's, unless the environment overrides it. */
export function waits(): Policy['waits'] {
  return { ...policy.waits, decisionWaitSeconds: env().DECISION_WAIT_SECONDS ?? policy.waits.decisionWaitSeconds };
}
