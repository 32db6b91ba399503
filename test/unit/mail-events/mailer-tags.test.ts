import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refFromTags } from '../../../functions/mail-events/mail-tags.ts';
import { setFunctionEnv } from '../env.ts';
import { requestId } from '../fixtures.ts';

type Ledger = typeof import('#adapters/mail-ledger');
type Mailer = typeof import('#adapters/mailer');
let sendOnce: Ledger['sendOnce'];
let sesMailer: Mailer['sesMailer'];

beforeAll(async () => {
  setFunctionEnv();
  ({ sendOnce } = await import('#adapters/mail-ledger'));
  ({ sesMailer } = await import('#adapters/mailer'));
});

const email = { to: ['dbaca@cabq.example'], subject: 'Decision needed', html: '<p>Decide.</p>', text: 'Decide.' };

describe('the mailer tags each email with the slot it is sent from', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  });

  it('sends the ledger slot’s item and key as SES message tags, which read back as that slot', async () => {
    const slot = { PK: `REQ#${requestId}`, SK: 'APPR#00#0', key: 'reminder-1' };
    await sendOnce(slot, email);
    const tags = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Tags ?? [];
    expect(tags.map((t) => t.Name)).toEqual(['mail-pk', 'mail-sk', 'mail-key']);
    for (const t of tags) expect(t.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(refFromTags(Object.fromEntries(tags.map((t) => [t.Name as string, [t.Value as string]])))).toEqual(slot);
  });

  it('puts no secret or link in the tags, whatever the email holds', async () => {
    await sendOnce({ PK: `REQ#${requestId}`, SK: 'APPR#00#0', key: 'first' }, { ...email, text: 'https://example.test/approvals/abc?s=SECRET' });
    expect(JSON.stringify(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Tags)).not.toMatch(/SECRET|approvals|https/);
  });

  it('sends an email from no slot without tags', async () => {
    await sesMailer.send(email);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Tags).toBeUndefined();
  });
});
