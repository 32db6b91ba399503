import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, startTestStack, submit, waitForEmail } from '../support/harness.ts';

let stack: LocalStack;

// One short real wait, to prove the ASL's TimeoutSecondsPath itself fires on the engine; the other
// timeout tests use the local clock and never sleep.
beforeAll(async () => {
  stack = await startTestStack({ decisionWaitSeconds: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

it('times out a wait through TimeoutSecondsPath and sends a reminder with the same link', async () => {
  const requestId = await submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E202'] });
  const first = approvalLinkIn(await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId)));
  const reminder = await waitForEmail(stack, (e) => e.subject.startsWith('Reminder') && e.text.includes(requestId), 10_000);
  expect(reminder.to).toEqual(['glucero@cabq.example']);
  expect(approvalLinkIn(reminder)).toEqual(first);
});
