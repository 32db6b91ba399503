/**
 * The catalogue's functions for the mail itself (issue 15): what SES reports back about the emails
 * the workflows send. catalogue.ts spreads them into `functions`; both hosts read them there.
 */
import type { FunctionSpec } from './catalogue-types.ts';

export const mailFunctions = {
  recordMailBounce: {
    entry: 'functions/mail-events/handlers/record-mail-bounce.ts',
    description:
      'SES bounces and complaints (SNS): records the undeliverable email once on the approval, request, offboarding, review or account it was about; an approver\u2019s link that bounced for good goes at once to the step\u2019s designee; DTI is told once',
    // Writes only the items emails are sent about (mail-events/undeliverable.ts `itemPrefixes`):
    // the record on the email's own item, DTI's notice slot beside it, and a step's escalation (REQ#).
    access: { table: ['read', 'write'], writeKeys: ['REQ#', 'OFFBOARD#', 'REVIEW#', 'ACCOUNT#'], sendEmail: true, linkKeys: 'derive' },
    mailEvents: true,
    timeoutSeconds: 20,
  },
} as const satisfies Record<string, FunctionSpec>;
