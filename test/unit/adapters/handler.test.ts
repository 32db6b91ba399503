import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { captureOutput } from '../output.ts';

type HandlerModule = typeof import('../../../functions/adapters/handler.ts');
let wrappers: HandlerModule;
let logger: typeof import('../../../functions/adapters/logger.ts')['logger'];
let countMetric: typeof import('../../../functions/adapters/metrics.ts')['countMetric'];
let tracer: typeof import('../../../functions/adapters/tracer.ts')['tracer'];

beforeAll(async () => {
  setFunctionEnv();
  // Every line, DEBUG included, so that what must never be logged is looked for everywhere; EMF on, as in AWS.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  delete process.env.AWS_EXECUTION_ENV;
  wrappers = await import('#adapters/handler');
  ({ logger } = await import('#adapters/logger'));
  ({ countMetric } = await import('#adapters/metrics'));
  ({ tracer } = await import('#adapters/tracer'));
});

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const requestId = 'NA-20250301-0123456789abcdef';
const approvalId = 'Zk3q9W1xY2vB7nM4pL0sTg';
const secret = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAVmQUtK-task-token';

const lineSaying = (message: string) => output.logs().find((l) => l.message === message);

describe('taskHandler', () => {
  it('logs the input’s requestId as correlationId on every line of the invocation, and never its task token', async () => {
    const handler = wrappers.taskHandler(async (_input: unknown) => {
      logger.info('step started');
      logger.debug('step detail');
      return { waiting: true };
    });

    await handler({ requestId, step: 0, reminder: 0, escalated: false, waitSeconds: 60, taskToken }, lambdaContext);

    expect(lineSaying('step started')).toMatchObject({ level: 'INFO', correlationId: requestId, function_request_id: 'aws-req-1' });
    expect(lineSaying('step detail')).toMatchObject({ level: 'DEBUG', correlationId: requestId });
    expect(output.text()).not.toContain(taskToken);
  });

  it('keys the next invocation afresh: an input without an id leaves no correlationId behind', async () => {
    const handler = wrappers.taskHandler(async (input: { note: string }) => {
      logger.info(input.note);
    });

    await handler({ note: 'first', requestId } as { note: string }, lambdaContext);
    await handler({ note: 'second' }, lambdaContext);

    expect(lineSaying('first')).toMatchObject({ correlationId: requestId });
    expect(lineSaying('second')).toBeDefined();
    expect(lineSaying('second')).not.toHaveProperty('correlationId');
  });

  it('flushes the invocation’s metrics when it ends, also when it throws, and prints no EMF for one that counted nothing', async () => {
    const counts = wrappers.taskHandler(async (_input: unknown) => {
      countMetric('OffboardingFinished', 'separationOffboarding');
    });
    const fails = wrappers.taskHandler(async (_input: unknown) => {
      countMetric('RotationOverdue', 'separationOffboarding');
      throw new Error('DynamoDB is unavailable');
    });
    const quiet = wrappers.taskHandler(async (_input: unknown) => 'done');

    await counts({ offboardingId: 'off-E104-20250331', stage: 'FINISHED' }, lambdaContext);
    await expect(fails({ offboardingId: 'off-E104-20250331' }, lambdaContext)).rejects.toThrow('DynamoDB is unavailable');
    await quiet({}, lambdaContext);

    expect(output.emf().map(({ workflow, OffboardingFinished, RotationOverdue }) => ({ workflow, OffboardingFinished, RotationOverdue }))).toEqual([
      { workflow: 'separationOffboarding', OffboardingFinished: 1, RotationOverdue: undefined },
      { workflow: 'separationOffboarding', OffboardingFinished: undefined, RotationOverdue: 1 },
    ]);
    // Powertools' warning about an empty flush is a debug line here, not a warning on every invocation.
    expect(output.logs().filter((l) => l.level === 'WARN')).toEqual([]);
  });

  it('leaves tracing off outside Lambda: no X-Ray daemon is looked for', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});

describe('httpHandler', () => {
  const linkEvent = () =>
    httpEvent({ path: `/approvals/${approvalId}`, pathParameters: { approvalId }, query: { s: secret }, headers: { accept: 'text/html' } });

  it('logs API Gateway’s request id and the link’s id on every line, and never the query string or the link secret', async () => {
    const handler = wrappers.httpHandler(async () => {
      logger.info('link opened');
      throw new Error('unexpected');
    });

    const response = await handler(linkEvent(), lambdaContext);

    expect(response.statusCode).toBe(500);
    expect(lineSaying('link opened')).toMatchObject({ apiRequestId: 'req-1', correlationId: approvalId });
    expect(lineSaying('unhandled error')).toMatchObject({ level: 'ERROR', apiRequestId: 'req-1', correlationId: approvalId, reference: 'req-1' });
    expect(output.text()).not.toContain(secret);
    expect(output.text()).not.toContain('?s=');
    expect(output.text()).not.toContain('rawQueryString');
  });

  it('re-keys the lines that follow once a handler knows the request a verified link is about', async () => {
    const handler = wrappers.httpHandler(async () => {
      logger.info('before the link is verified');
      wrappers.correlate(requestId);
      logger.info('after the link is verified');
      return { statusCode: 200, body: '' };
    });

    await handler(linkEvent(), lambdaContext);

    expect(lineSaying('before the link is verified')).toMatchObject({ correlationId: approvalId });
    expect(lineSaying('after the link is verified')).toMatchObject({ correlationId: requestId, apiRequestId: 'req-1' });
    expect(output.text()).not.toContain(secret);
  });
});

describe('authorizerHandler', () => {
  it('logs the HTTP request’s API Gateway id, and not the cookie or token it verifies', async () => {
    const handler = wrappers.authorizerHandler(async (_event: unknown) => {
      logger.info('verified');
      return { isAuthorized: true, context: {} };
    });

    await handler({ type: 'REQUEST', requestContext: { requestId: 'JKJaXmPLvHcESHA=' }, cookies: ['__Host-session=eyJraWQiOi.secret'] }, lambdaContext);

    expect(lineSaying('verified')).toMatchObject({ apiRequestId: 'JKJaXmPLvHcESHA=' });
    expect(lineSaying('verified')).not.toHaveProperty('correlationId');
    expect(output.text()).not.toContain('eyJraWQiOi');
  });
});
