import type { Approval } from '#core/approval';
import { unroutableNotice } from '#directory/emails';
import { env } from '#adapters/env';
import { sendOnce } from '#adapters/mail-ledger';
import { approvalKey } from '#adapters/store';

const base = () => env().PUBLIC_BASE_URL.replace(/\/+$/, '');

/** Tells DTI, once per link (its slot is on the approval), that a step's post has nobody who can act. */
export async function tellDti(approval: Pick<Approval, 'requestId' | 'step' | 'round'>, stepTitle: string, why: string, sentTo?: string) {
  const email = unroutableNotice({
    requestId: approval.requestId,
    stepTitle,
    why,
    ...(sentTo ? { sentTo } : {}),
    requestUrl: `${base()}/requests/${approval.requestId}`,
    directoryUrl: `${base()}/directory`,
  });
  return sendOnce({ ...approvalKey(approval), key: sentTo ? 'dti-fallback' : 'dti-unroutable' }, { to: [env().DTI_EMAIL], ...email });
}
