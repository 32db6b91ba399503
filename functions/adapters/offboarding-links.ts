import { hashSecret, newApprovalId } from '#core/approval-link';
import type { NamedPerson } from '#core/request';
import { currentRecipients, type OffboardingTask, type TaskLink } from '#offboarding/offboarding';
import { type TaskEmailKind, taskEmail, taskLink } from '#offboarding/emails';
import { env } from '#adapters/env';
import { linkKeys } from '#adapters/link-keys';
import { sendOnce } from '#adapters/mail-ledger';
import type { OffboardingStore } from '#adapters/offboarding-store';

/**
 * Brings a task's links up to date with its state, and is safe to repeat: each recipient of the
 * current round has one link (the approval-link mechanism: opaque id, MAC-derived secret, only its
 * hash stored); a link not yet emailed is emailed; a link behind the task's reminder count gets
 * the reminder, with the same URL. Each email is sent once per idempotency key (mail-ledger.ts); a
 * new link's first email is claimed as the link is created.
 */
export async function deliverTaskLinks(store: OffboardingStore, task: OffboardingTask, waitSeconds: number): Promise<number> {
  if (task.status !== 'OPEN') return 0;
  const keys = linkKeys();
  const existing = await store.linksFor(task);
  const dueBy = new Date(Date.now() + waitSeconds * 1000).toISOString();
  let sent = 0;
  for (const recipient of currentRecipients(task)) {
    let created: TaskLink | undefined;
    const link =
      existing.find((l) => l.round === task.round && l.recipient.id === recipient.id) ??
      (await store.putLink(await draftLink(task, recipient, (id) => keys.linkSecret(id)), (made) => {
        created = made;
      }));
    const kind: TaskEmailKind | undefined = !link.emailedAt
      ? task.round === 1
        ? 'escalation'
        : 'initial'
      : link.remindersSent < task.remindersSent
        ? 'reminder'
        : undefined;
    if (!kind) continue;
    const url = taskLink(env().PUBLIC_BASE_URL, link.approvalId, await keys.linkSecret(link.approvalId));
    const at = new Date().toISOString();
    const result = await sendOnce(
      { ...store.linkKey(link), key: kind === 'reminder' ? `reminder-${task.remindersSent}` : 'first' },
      { to: [recipient.email], ...taskEmail({ task, recipient, link: url, kind, dueBy }) },
      { claimed: created === link, record: kind === 'reminder' ? { remindersSent: task.remindersSent, lastRemindedAt: at } : { emailedAt: at } },
    );
    if (result !== 'skipped') sent += 1;
  }
  return sent;
}

async function draftLink(task: OffboardingTask, recipient: NamedPerson, secretOf: (id: string) => Promise<string>): Promise<TaskLink> {
  const approvalId = newApprovalId();
  return {
    offboardingId: task.offboardingId,
    accountId: task.accountId,
    kind: task.kind,
    round: task.round,
    approvalId,
    recipient,
    secretHash: hashSecret(await secretOf(approvalId)),
    createdAt: new Date().toISOString(),
    remindersSent: 0,
  };
}
