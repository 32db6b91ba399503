import { requestIdPattern } from '#approval-chain/kinds';
import * as z from '#core/zod';

/** The state machine task's input: which step and round, and where it stands in its waits. */
export const approvalTaskSchema = z.object({
  requestId: z.string().check(z.regex(requestIdPattern)),
  step: z.number().check(z.int(), z.minimum(0), z.maximum(20)),
  reminder: z.number().check(z.int(), z.minimum(0), z.maximum(10)),
  escalated: z.boolean(),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
});

export type ApprovalTask = z.infer<typeof approvalTaskSchema>;
