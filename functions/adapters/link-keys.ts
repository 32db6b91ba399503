import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { ConfigurationError } from '#core/errors';
import { env } from '#adapters/env';
import { tracer } from '#adapters/tracer';

/**
 * The keys behind approval links, so that neither a usable task token nor a link secret is ever
 * stored in clear:
 * - task tokens are sealed (encrypted, bound to their approval id) before they are stored;
 * - link secrets are a MAC of the approval id, so a reminder can send the same link again while
 *   the table keeps only the secret's hash.
 * AWS: a symmetric KMS key and an HMAC KMS key. Local: keys derived from one 32-byte key kept in
 * the git-ignored data folder.
 */
export interface LinkKeys {
  sealToken(token: string, approvalId: string): Promise<string>;
  openToken(sealed: string, approvalId: string): Promise<string>;
  linkSecret(approvalId: string): Promise<string>;
}

let kms: KMSClient | undefined;
const kmsClient = () => (kms ??= tracer.captureAWSv3Client(new KMSClient({})));

const kmsKeys = (tokenKeyId: string, macKeyId: string | undefined): LinkKeys => ({
  async sealToken(token, approvalId) {
    const out = await kmsClient().send(new EncryptCommand({ KeyId: tokenKeyId, Plaintext: Buffer.from(token, 'utf8'), EncryptionContext: { approvalId } }));
    return `kms.${Buffer.from(out.CiphertextBlob ?? new Uint8Array()).toString('base64url')}`;
  },
  async openToken(sealed, approvalId) {
    const out = await kmsClient().send(
      new DecryptCommand({ KeyId: tokenKeyId, CiphertextBlob: Buffer.from(sealed.slice(4), 'base64url'), EncryptionContext: { approvalId } }),
    );
    return Buffer.from(out.Plaintext ?? new Uint8Array()).toString('utf8');
  },
  async linkSecret(approvalId) {
    if (!macKeyId) throw new ConfigurationError('LINK_MAC_KEY_ID is not set for this function.');
    const out = await kmsClient().send(
      new GenerateMacCommand({ KeyId: macKeyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(`approval-link:${approvalId}`) }),
    );
    return Buffer.from(out.Mac ?? new Uint8Array()).toString('base64url');
  },
});

export function localKeys(master: Buffer): LinkKeys {
  const derive = (purpose: string) => createHmac('sha256', master).update(purpose).digest();
  const tokenKey = derive('task-token-seal');
  const macKey = derive('approval-link-mac');
  return {
    async sealToken(token, approvalId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', tokenKey, iv);
      cipher.setAAD(Buffer.from(approvalId));
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return `aes.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
    },
    async openToken(sealed, approvalId) {
      const [, iv, tag, body] = sealed.split('.');
      const decipher = createDecipheriv('aes-256-gcm', tokenKey, Buffer.from(iv ?? '', 'base64url'));
      decipher.setAAD(Buffer.from(approvalId));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
    },
    async linkSecret(approvalId) {
      return createHmac('sha256', macKey).update(`approval-link:${approvalId}`).digest('base64url');
    },
  };
}

let cached: LinkKeys | undefined;

export function linkKeys(): LinkKeys {
  if (cached) return cached;
  const { TOKEN_KMS_KEY_ID, LINK_MAC_KEY_ID, LOCAL_LINK_KEY } = env();
  if (TOKEN_KMS_KEY_ID) {
    cached = kmsKeys(TOKEN_KMS_KEY_ID, LINK_MAC_KEY_ID);
  } else {
    const master = LOCAL_LINK_KEY ? Buffer.from(LOCAL_LINK_KEY, 'base64') : undefined;
    if (master?.length !== 32) throw new ConfigurationError('Set TOKEN_KMS_KEY_ID (AWS) or a 32-byte base64 LOCAL_LINK_KEY (local).');
    cached = localKeys(master);
  }
  return cached;
}
