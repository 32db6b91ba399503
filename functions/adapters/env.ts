import { z } from 'zod';
import { ConfigurationError } from '#domain/errors';

/**
 * The environment every function reads, in both hosts. The CDK stack sets it in AWS; the local
 * runtime sets it in-process, pointing the SDK at DynamoDB Local, the SES emulator and the local
 * Step Functions endpoint through the SDK's own AWS_ENDPOINT_URL_* variables.
 */
const envSchema = z.object({
  TABLE_NAME: z.string().min(3),
  PUBLIC_BASE_URL: z.url(),
  MAIL_FROM: z.email(),
  DTI_EMAIL: z.email(),
  SES_CONFIGURATION_SET: z.string().optional(),
  STATE_MACHINE_ARN_NEW_ACCOUNT_APPROVAL: z.string().optional(),
  /** AWS: the KMS key that seals task tokens, and the HMAC key that derives link secrets. */
  TOKEN_KMS_KEY_ID: z.string().optional(),
  LINK_MAC_KEY_ID: z.string().optional(),
  /** Local only: a base64 32-byte key kept in the git-ignored data folder. */
  LOCAL_LINK_KEY: z.string().optional(),
  /** AWS sign-in (sign-in and authorizer functions): the Cognito user pool, its app client and managed-login base URL. */
  USER_POOL_ID: z.string().optional(),
  USER_POOL_CLIENT_ID: z.string().optional(),
  AUTH_DOMAIN_URL: z.url().optional(),
  /** Overrides policy.json's decision wait (local demos, tests). */
  DECISION_WAIT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 24 * 3600)
    .optional(),
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
