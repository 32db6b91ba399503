import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { env } from '#adapters/env';

export interface Email {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

export interface Mailer {
  send(email: Email): Promise<string | undefined>;
}

const ses = new SESClient({});

/** SES in AWS; the SES emulator locally (AWS_ENDPOINT_URL_SES). */
export const sesMailer: Mailer = {
  async send(email) {
    const out = await ses.send(
      new SendEmailCommand({
        Source: env().MAIL_FROM,
        Destination: { ToAddresses: email.to },
        ConfigurationSetName: env().SES_CONFIGURATION_SET,
        Message: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
        },
      }),
    );
    return out.MessageId;
  },
};
