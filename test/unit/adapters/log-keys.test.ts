import { describe, expect, it } from 'vitest';
import { authorizerLogKeys, httpLogKeys, loggableId, taskLogKeys } from '../../../functions/adapters/log-keys.ts';
import { httpEvent } from '../events.ts';

const requestId = 'NA-20250301-0123456789abcdef';
const approvalId = 'Zk3q9W1xY2vB7nM4pL0sTg';
const secret = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('taskLogKeys', () => {
  it('takes the request, offboarding or review id of a state machine task’s input, never its task token', () => {
    expect(taskLogKeys({ requestId, step: 0, reminder: 1, escalated: false, waitSeconds: 60, taskToken: 'AQCEAAAAKgAAAAMAAAAA' })).toEqual({
      correlationId: requestId,
    });
    expect(taskLogKeys({ offboardingId: 'off-E104-20250331', stage: 'FINISHED' })).toEqual({ correlationId: 'off-E104-20250331' });
    expect(taskLogKeys({ offboardingId: 'cap-pr-1', sweep: 2, maxReminders: 2, waitSeconds: 60 })).toEqual({ correlationId: 'cap-pr-1' });
    expect(taskLogKeys({ reviewId: '2026-PRD', departmentCode: 'PRD', waitSeconds: 60 })).toEqual({ correlationId: '2026-PRD' });
  });

  it('looks one level down when the top level names none', () => {
    expect(taskLogKeys({ Payload: { reviewId: '2026', sweep: 1 } })).toEqual({ correlationId: '2026' });
    expect(taskLogKeys({ detail: { nothing: true }, outer: { deeper: { requestId } } })).toEqual({});
  });

  it('names nothing for an API Gateway event, an SQS or SNS batch, a schedule’s input or a value that is no id', () => {
    expect(taskLogKeys({ requestContext: { requestId: 'JKJaXmPLvHcESHA=' }, type: 'REQUEST' })).toEqual({});
    expect(taskLogKeys({ Records: [{ messageId: 'm-1', body: JSON.stringify({ requestId }) }] })).toEqual({});
    expect(taskLogKeys({ olderThanSeconds: 60 })).toEqual({});
    expect(taskLogKeys({ requestId: `https://gov.example/approvals/${approvalId}?s=${secret}` })).toEqual({});
    expect(taskLogKeys({ requestId: 42 })).toEqual({});
    expect(taskLogKeys(null)).toEqual({});
    expect(taskLogKeys('NA-20250301-0123456789abcdef')).toEqual({});
  });
});

describe('httpLogKeys', () => {
  it('takes the route’s id and API Gateway’s request id, and nothing of the query string', () => {
    const event = httpEvent({ path: `/approvals/${approvalId}`, pathParameters: { approvalId }, query: { s: secret } });
    expect(httpLogKeys(event)).toEqual({ correlationId: approvalId, apiRequestId: 'req-1' });
    expect(JSON.stringify(httpLogKeys(event))).not.toContain(secret);
  });

  it('takes a request’s, an offboarding’s, a review’s and a task link’s id from its path', () => {
    expect(httpLogKeys(httpEvent({ pathParameters: { requestId } })).correlationId).toBe(requestId);
    expect(httpLogKeys(httpEvent({ pathParameters: { offboardingId: 'off-E104-20250331' } })).correlationId).toBe('off-E104-20250331');
    expect(httpLogKeys(httpEvent({ pathParameters: { reviewId: '2026', departmentCode: 'PRD' } })).correlationId).toBe('2026');
    expect(httpLogKeys(httpEvent({ pathParameters: { taskId: approvalId } })).correlationId).toBe(approvalId);
  });

  it('has only the API request id on a route without one, or with a path id that is no id', () => {
    expect(httpLogKeys(httpEvent({ path: '/accounts/acct-1', pathParameters: { accountId: 'acct-1' } }))).toEqual({ apiRequestId: 'req-1' });
    expect(httpLogKeys(httpEvent({ pathParameters: { requestId: 'a b<script>' } }))).toEqual({ apiRequestId: 'req-1' });
    expect(httpLogKeys(httpEvent())).toEqual({ apiRequestId: 'req-1' });
  });
});

describe('authorizerLogKeys and loggableId', () => {
  it('gives the authorizer’s lines the HTTP request’s id only', () => {
    expect(authorizerLogKeys({ type: 'REQUEST', requestContext: { requestId: 'JKJaXmPLvHcESHA=' }, rawQueryString: `s=${secret}` })).toEqual({
      apiRequestId: 'JKJaXmPLvHcESHA=',
    });
    expect(authorizerLogKeys({ requestContext: { requestId: 'x'.repeat(200) } })).toEqual({});
  });

  it('lets through the app’s ids and nothing with a slash, a space, a query or over 128 characters', () => {
    expect(loggableId(requestId)).toBe(requestId);
    expect(loggableId('a/b')).toBeUndefined();
    expect(loggableId('a b')).toBeUndefined();
    expect(loggableId('a?s=1')).toBeUndefined();
    expect(loggableId('a'.repeat(129))).toBeUndefined();
    expect(loggableId(undefined)).toBeUndefined();
  });
});
