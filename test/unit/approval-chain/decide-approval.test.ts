import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { localKeys } from '#adapters/link-keys';
import type { Approval, Decision } from '#core/approval';
import { hashSecret } from '#core/approval-link';
import { setFunctionEnv, testLinkKey } from '../env.ts';
import { formPost, httpEvent, lambdaContext } from '../events.ts';
import { accountRequest, approval, approvalId, requestId } from '../fixtures.ts';
import { metricsEmittedBy } from '../output.ts';

type Module = typeof import('#approval-chain/handlers/decide-approval');
let decideApproval: Module['decideApproval'];
let handler: Module['handler'];
let metrics: typeof import('#adapters/metrics')['metrics'];

const keys = localKeys(Buffer.from(testLinkKey, 'base64'));
const taskToken = 'AQCEAAAAKgAAAA-raw-task-token-from-step-functions';
let secret: string;
let stored: Approval;

beforeAll(async () => {
  setFunctionEnv();
  ({ decideApproval, handler } = await import('#approval-chain/handlers/decide-approval'));
  ({ metrics } = await import('#adapters/metrics'));
  secret = await keys.linkSecret(approvalId);
  stored = approval({ secretHash: hashSecret(secret), sealedToken: await keys.sealToken(taskToken, approvalId) });
});

const path = `/approvals/${approvalId}`;
const item = (a: Approval) => ({ PK: `REQ#${a.requestId}`, SK: 'APPR#00#0', ...a });
const get = (ev: { query?: Record<string, string>; headers?: Record<string, string> } = {}) => httpEvent({ path, pathParameters: { approvalId }, ...ev });
const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => formPost(path, fields, { pathParameters: { approvalId }, headers });

describe('decide-approval', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  /** The table as the link finds it: the approval's keys (ByApprovalId, keys only), a consistent read of it, and its request. */
  function table(current: Approval = stored, request = accountRequest()) {
    ddb
      .on(QueryCommand, { IndexName: 'ByApprovalId', ExpressionAttributeValues: { ':id': approvalId } })
      .resolves({ Items: [{ PK: `REQ#${requestId}`, SK: 'APPR#00#0', approvalId }] });
    ddb.on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' } }).resolves({ Item: item(current) });
    ddb.on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'META' } }).resolves({ Item: { PK: `REQ#${requestId}`, SK: 'META', ...request } });
  }

  /** The decision write succeeds and returns the approval as it left it (ReturnValues ALL_NEW). */
  function decisionWriteReturns(current: Approval = stored) {
    ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => ({
      Attributes: { ...item(current), decision: input.ExpressionAttributeValues?.[':d'] },
    }));
  }

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
  });

  /** A secret of the right shape that is not this link's. */
  const wrongSecret = () => `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
  const otherId = 'ZyXwVuTsRqPoNmLkJiHgFe';
  const invalidLink = {
    error: 'InvalidLinkError',
    message: 'This link is not valid: it may be incomplete or mistyped. Open it again from the email you received.',
  };

  it('refuses a wrong secret with 404 and the message of an unknown link, and changes nothing', async () => {
    table();
    const res = await handler(post({ s: wrongSecret(), outcome: 'APPROVED' }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(invalidLink);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    // Nothing about the request is read for a link that does not open.
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'META' } });
  });

  it('refuses a GET without the secret with 404 and changes nothing', async () => {
    table();
    const res = await handler(get(), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(invalidLink);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['a page', { accept: 'text/html' }],
    ['JSON', { accept: 'application/json' }],
  ])('answers a wrong secret exactly as an unknown link, as %s naming nothing of the request', async (_format, headers) => {
    table();
    ddb.on(QueryCommand, { IndexName: 'ByApprovalId', ExpressionAttributeValues: { ':id': otherId } }).resolves({ Items: [] });
    const unknown = await handler(
      httpEvent({ path: `/approvals/${otherId}`, pathParameters: { approvalId: otherId }, query: { s: secret }, headers }),
      lambdaContext,
    );
    const wrong = await handler(get({ query: { s: wrongSecret() }, headers }), lambdaContext);
    const missing = await handler(get({ headers }), lambdaContext);
    const wrongPost = await handler(post({ s: wrongSecret(), outcome: 'APPROVED' }, headers), lambdaContext);

    expect(unknown.statusCode).toBe(404);
    for (const res of [wrong, missing, wrongPost]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(unknown.body);
      expect(res.headers?.['content-type']).toBe(unknown.headers?.['content-type']);
    }
    expect(unknown.body).toContain('This link is not valid: it may be incomplete or mistyped. Open it again from the email you received.');
    for (const detail of [requestId, 'Parks and Recreation', 'Instagram', '@ABQParks', 'Dolores Baca', 'Ana Gallegos', 'Department Director']) {
      expect(unknown.body).not.toContain(detail);
    }
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('shows the form on GET with the right secret and changes nothing', async () => {
    table();
    const res = await decideApproval(get({ query: { s: secret }, headers: { accept: 'text/html' } }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.headers?.['referrer-policy']).toBe('same-origin');
    expect(res.body).toContain(`<form class="usa-form usa-form--large" method="post" action="${path}">`);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  describe('in a browser, a final decision is confirmed first', () => {
    const html = { accept: 'text/html' };
    const reason = 'We already run @ABQParks <b>here</b>.';

    it('records nothing for Reject with a reason but no confirmation, and asks to confirm showing the reason', async () => {
      table();
      decisionWriteReturns();
      const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason }, html));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Reject this request?</h1>');
      expect(res.body).toContain('<blockquote><p>We already run @ABQParks &lt;b&gt;here&lt;/b&gt;.</p></blockquote>');
      expect(res.body).toContain(`<input type="hidden" name="s" value="${secret}">`);
      expect(res.body).toContain('<input type="hidden" name="reason" value="We already run @ABQParks &lt;b&gt;here&lt;/b&gt;.">');
      expect(res.body).toContain('value="yes">Yes, reject</button>');
      expect(res.body).toContain(`<form method="post" action="${path}">`);
      expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('records nothing for Approve without a confirmation, and asks to confirm', async () => {
      table();
      decisionWriteReturns();
      const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }, html));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Approve this request?</h1>');
      expect(res.body).toContain('value="yes">Yes, approve</button>');
      expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('shows the form again with the reason kept on "Go back", recording nothing', async () => {
      table();
      const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason, confirmed: 'no' }, html));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('aria-describedby="reason-hint">We already run @ABQParks &lt;b&gt;here&lt;/b&gt;.</textarea>');
      expect(res.body).toContain('value="REJECTED">Reject</button>');
      expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('records the rejection once confirmed, and says it is recorded', async () => {
      table();
      decisionWriteReturns();
      const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason, confirmed: 'yes' }, html));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`Your decision (rejected) on request ${requestId} is recorded.`);
      expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        ExpressionAttributeValues: { ':d': expect.objectContaining({ outcome: 'REJECTED', reason }), ':id': approvalId },
      });
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    });

    it('answers a Reject without a reason with 400 and the error summary first in main, recording nothing', async () => {
      table();
      const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', confirmed: 'yes' }, html));
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(
        '<main id="main-content" class="grid-container app-main" tabindex="-1"><div class="usa-alert usa-alert--error" role="alert" id="error-summary"',
      );
      expect(res.body).toContain('<li><a href="#reason">give the requester a reason for the rejection (at least 5 characters)</a></li>');
      expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    });

    it('asks nothing once the link is decided, even with confirmed=yes', async () => {
      const decision: Decision = { outcome: 'APPROVED', decidedAt: '2025-03-02T16:00:00.000Z', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId };
      table({ ...stored, decision });
      const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason, confirmed: 'yes' }, html));
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('This request was already approved by Dolores Baca');
      expect(res.body).not.toContain('your decision is requested');
      expect(res.body).not.toContain('<form');
      expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    });
  });

  it('records an approval once with a conditional write and resumes the execution with the unsealed token', async () => {
    table();
    decisionWriteReturns();
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'decided', decision: { outcome: 'APPROVED', decidedById: 'E100' } });

    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' },
      UpdateExpression: 'SET decision = :d REMOVE assigneeId, assignedAt',
      // Conditional on the slot still holding this link (a hand-over may have given it another).
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND approvalId = :id',
      ReturnValues: 'ALL_NEW',
      ExpressionAttributeValues: {
        ':d': expect.objectContaining({ outcome: 'APPROVED', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId }),
        ':id': approvalId,
      },
    });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}') as Decision;
    expect(output).toMatchObject({ outcome: 'APPROVED', decidedById: 'E100', approvalId });
  });

  it('resumes the execution through the token armed when the decision was written, not the one read before', async () => {
    // The link was read with token A; a re-arm (reminder, retry) stored token B before the decision's write.
    const rearmedToken = 'AQCEAAAAKgAAAA-token-of-the-re-armed-wait';
    table();
    decisionWriteReturns({ ...stored, sealedToken: await keys.sealToken(rearmedToken, approvalId) });

    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));

    expect(res.statusCode).toBe(200);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken: rearmedToken });
    expect(sfn).not.toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken });
  });

  it('keeps the recorded decision and answers 200 when the execution no longer waits on the token', async () => {
    table();
    decisionWriteReturns();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'decided', decision: { outcome: 'APPROVED' } });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('records a rejection with its reason', async () => {
    table();
    decisionWriteReturns();
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason: 'We already run @ABQParks.' }));
    expect(res.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: { ':d': expect.objectContaining({ outcome: 'REJECTED', reason: 'We already run @ABQParks.' }), ':id': approvalId },
    });
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}') as Decision;
    expect(output).toMatchObject({ outcome: 'REJECTED', reason: 'We already run @ABQParks.' });
  });

  it('answers 409 and does not resume the execution when another decision won the conditional write', async () => {
    table();
    const winner: Decision = {
      outcome: 'REJECTED',
      reason: 'Other click',
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId,
    };
    // The first read sees the link open; the re-read after the lost write sees the other decision.
    ddb
      .on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' } })
      .resolvesOnce({ Item: item(stored) })
      .resolves({ Item: item({ ...stored, decision: winner }) });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'decided' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('records the seconds from the link’s creation to the decision once, in the request’s workflow, and nothing for a lost write', async () => {
    table();
    decisionWriteReturns();
    // The link was made at 2025-03-01T16:00:05Z (fixtures): two days and ninety seconds before.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-03-03T16:01:35.000Z') });
    try {
      expect(await metricsEmittedBy(metrics, () => decideApproval(post({ s: secret, outcome: 'APPROVED' })))).toEqual([
        { workflow: 'newAccountApproval', TimeToDecision: 172890 },
      ]);
    } finally {
      vi.useRealTimers();
    }

    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await metricsEmittedBy(metrics, () => decideApproval(post({ s: secret, outcome: 'APPROVED' })))).toEqual([]);
  });

  it('answers 409 to a second decision on an already decided link without writing', async () => {
    const decision: Decision = { outcome: 'APPROVED', decidedAt: '2025-03-02T16:00:00.000Z', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId };
    table({ ...stored, decision });
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason: 'Changed my mind' }));
    expect(res.statusCode).toBe(409);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 410 for a superseded link', async () => {
    table({ ...stored, supersededAt: '2025-03-04T16:00:00.000Z', supersededByName: 'Marcus Chavez' });
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(410);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a rejection without a reason with 400 and no write', async () => {
    table();
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({ fields: { reason: expect.stringMatching(/reason/) } });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 404 for an unknown approval id, reading nothing but the index', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const res = await handler(post({ s: secret, outcome: 'APPROVED' }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(invalidLink);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 404 without a lookup for a malformed approval id', async () => {
    const res = await handler(httpEvent({ path: '/approvals/x', pathParameters: { approvalId: '../etc' } }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(invalidLink);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
