import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { env } from '#adapters/env';
import { tracer } from '#adapters/tracer';
import { type MailRef, mailTags } from '../mail-events/mail-tags.ts';

export interface Email {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

export interface Mailer {
  /**
   * `about`: the ledger slot the email is sent from (mail-ledger.ts), sent with it as SES message
   * tags, so that SES's bounce or complaint for it names the item and the email (mail-events/).
   */
  send(email: Email, about?: MailRef): Promise<string | undefined>;
}

const ses = tracer.captureAWSv3Client(new SESClient({}));

/** SES in AWS; the SES emulator locally (AWS_ENDPOINT_URL_SES), which accepts the tags and keeps nothing of them. */
export const sesMailer: Mailer = {
  async send(email, about) {
    const tags = about ? mailTags(about) : [];
    const out = await ses.send(
      new SendEmailCommand({
        Source: env().MAIL_FROM,
        Destination: { ToAddresses: email.to },
        ConfigurationSetName: env().SES_CONFIGURATION_SET,
        Message: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
        },
        ...(tags.length ? { Tags: tags } : {}),
      }),
    );
    return out.MessageId;
  },
};
