/** A 32-byte key for the local link-key derivation; fixed so tests can derive the same secrets. */
export const testLinkKey = Buffer.alloc(32, 7).toString('base64');

/**
 * The function environment, set before a handler module is first used (env() caches what it reads).
 * Fake credentials: every AWS client in these tests is mocked, nothing leaves the process.
 */
export function setFunctionEnv(): void {
  Object.assign(process.env, {
    TABLE_NAME: 'governance-test',
    PUBLIC_BASE_URL: 'https://example.test',
    MAIL_FROM: 'governance@example.test',
    DTI_EMAIL: 'dti@example.test',
    LOCAL_LINK_KEY: testLinkKey,
    STATE_MACHINE_ARN_APPROVAL_CHAIN: 'arn:aws:states:us-west-2:123456789012:stateMachine:new-account-approval',
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  delete process.env.TOKEN_KMS_KEY_ID;
  delete process.env.DECISION_WAIT_SECONDS;
}
