import type { LocalStack } from '../../infra/local/stack.ts';
import { as, type SentEmail, waitForEmail } from './harness.ts';

/** A review's state as its report answers it (JSON). */
export interface ReviewJson {
  review: { reviewId: string; status: string; departmentCodes?: string[]; trigger: string; dueAt: string };
  progress: {
    departments: number;
    done: number;
    submitted: number;
    notAttested: number;
    nothingToReview: number;
    accounts: number;
    answered: number;
    changesApplied: number;
  };
  pages: {
    kind: 'DEPARTMENT' | 'PLATFORMS';
    departmentCode?: string;
    status: string;
    stage: number;
    remindersSent: number;
    chain: { id: string }[];
    unanswered?: string[];
    noDirector?: boolean;
    accounts?: { accountId: string; findings: { code: string; personId?: string }[]; grants: { personId: string; role: string }[] }[];
    platforms?: { platformId: string; findings: { code: string }[]; accounts: number }[];
  }[];
}

export async function reviewReport(stack: LocalStack, reviewId: string, viewer = 'E400'): Promise<ReviewJson> {
  const res = await as(stack, viewer).get(`/reviews/${reviewId}`);
  if (res.status !== 200) throw new Error(`report ${reviewId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReviewJson;
}

/** Polls the report until `ready` holds (the review runs in the background). */
export async function reviewWhen(stack: LocalStack, reviewId: string, ready: (r: ReviewJson) => boolean, timeoutMs = 15_000): Promise<ReviewJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await as(stack, 'E400').get(`/reviews/${reviewId}`);
    if (res.status === 200) {
      const body = (await res.json()) as ReviewJson;
      if (ready(body)) return body;
    }
    if (Date.now() > deadline) throw new Error(`review ${reviewId} did not reach the expected state`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function startReview(stack: LocalStack, body: Record<string, unknown>, personId = 'E400') {
  return as(stack, personId).post('/reviews', body);
}

/** The department page's email to `to` (one per department and stage). */
export function reviewEmailTo(stack: LocalStack, to: string, reviewId: string, subject: RegExp = /annual review/): Promise<SentEmail> {
  return waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(`/reviews/${reviewId}/`));
}

/** Answers a department's page in one JSON POST (submit, confirmed), as the signed-in `personId`. */
export function submitDepartment(stack: LocalStack, personId: string, reviewId: string, code: string, answers: Record<string, string>) {
  return as(stack, personId).post(`/reviews/${reviewId}/departments/${code}`, { action: 'submit', confirmed: true, ...answers });
}

/** Every question of an account answered "keep" (in use, every grant kept, E and J shown). */
export function keepAll(accountId: string, personIds: string[]): Record<string, string> {
  return {
    [`a.${accountId}.inUse`]: 'yes',
    [`a.${accountId}.officialSite`]: 'yes',
    [`a.${accountId}.purposeNotice`]: 'yes',
    ...Object.fromEntries(personIds.map((id) => [`a.${accountId}.keep.${id}`, 'yes'])),
  };
}
