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
    STATE_MACHINE_ARN_NEW_ACCOUNT_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-NewAccountApproval',
    STATE_MACHINE_ARN_POSTING_AUTHORITY_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PostingAuthorityApproval',
    STATE_MACHINE_ARN_POST_REMOVAL_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PostRemovalApproval',
    STATE_MACHINE_ARN_DEPARTMENT_POLICY_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-DepartmentPolicyApproval',
    STATE_MACHINE_ARN_EXCEPTION_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-ExceptionApproval',
    STATE_MACHINE_ARN_WEBSITE_DISPLAY_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-WebsiteDisplayApproval',
    STATE_MACHINE_ARN_PLATFORM_PROPOSAL_APPROVAL: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PlatformProposalApproval',
    STATE_MACHINE_ARN_APPROVAL_CHAIN: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-ApprovalChain',
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // EMF lines are the metrics tests' to read (test/unit/adapters/metrics.test.ts turns them on).
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  delete process.env.TOKEN_KMS_KEY_ID;
  delete process.env.DECISION_WAIT_SECONDS;
}
