import { createHash } from 'node:crypto';
import type { ApprovalStep, Person, Policy } from '#core/policy';
import * as z from '#core/zod';

/*
 * What every kind of request shares: statuses, people, planned steps, ids and the approval
 * chain's input. It imports no request kind, so each kind's module can build on it;
 * `#approval-chain/kinds` is where the kinds meet (core/request-kind.ts says what each declares).
 */

export const requestStatuses = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** A form's one-time id (a hidden field), so a double submit finds the request it already made. */
export const submissionIdSchema = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'reload the form and submit again')));

export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  return fields;
}

export interface NamedPerson {
  id: string;
  name: string;
  email: string;
}

export interface PlannedStep extends ApprovalStep {
  approverName: string;
}

/**
 * The planned steps with their approvers' names, read from the directory in the same order. A
 * step whose planned approver is not in the directory (a department naming a director HR has not
 * sent yet) keeps their id for a name: its link is made for whoever can act when the step begins
 * (core/routing.ts), never for them.
 */
export function namedSteps(steps: ApprovalStep[], approvers: (Person | undefined)[]): PlannedStep[] {
  return steps.map((step, i) => ({ ...step, approverName: approvers[i]?.name ?? step.approverId }));
}

/**
 * A request id derived from who submitted and the form's one-time submission id, so a double
 * click or a client retry finds the request it already made instead of starting a second.
 * Also used as the execution name (letters, digits, dashes; ≤ 80).
 */
export function requestIdFor(requesterId: string, submissionId: string, now: Date, prefix: string): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const digest = createHash('sha256').update(`${requesterId}\u0000${submissionId}`).digest('hex').slice(0, 16);
  return `${prefix}-${day}-${digest}`;
}

/** The state machine's input: the request and the cursor of its first approval step. */
export function approvalExecutionInput(request: { requestId: string; steps: readonly PlannedStep[] }, waits: Policy['waits']) {
  return {
    requestId: request.requestId,
    stepCount: request.steps.length,
    maxReminders: waits.remindersBeforeEscalation,
    approval: {
      Payload: { requestId: request.requestId, step: 0, reminder: 0, escalated: false, waitSeconds: waits.decisionWaitSeconds },
    },
  };
}
