import { type EmailContent, emailButton, emailLayout } from '#core/email-layout';
import { html } from '#core/html';

/**
 * DTI's notice that a step's post has nobody who can act (vacant, separated, not in the directory):
 * the step went to the Communications Director instead, or, when not even they can act, it waits
 * until the directory names someone. DTI keeps the directory, so DTI is the one to fix it.
 */
export function unroutableNotice(input: {
  requestId: string;
  stepTitle: string;
  why: string;
  sentTo?: string;
  requestUrl: string;
  directoryUrl: string;
}): EmailContent {
  const subject = input.sentTo
    ? `Routed to the Communications Director: nobody can decide ${input.stepTitle} on ${input.requestId}`
    : `Nobody can decide ${input.stepTitle} on ${input.requestId}`;
  const lead = input.sentTo
    ? `${input.why}. The decision went to ${input.sentTo} in their place.`
    : `${input.why}. The request waits until the directory names someone who can decide it.`;
  const ask = 'Please check the department’s director and designee, or the role’s holder, in the directory.';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>DTI,</p><p>${lead}</p><p>${ask}</p>${emailButton(input.directoryUrl, 'Open the directory')}<p><a href="${input.requestUrl}">The request</a></p>`,
    ),
    text: `DTI,\n\n${lead}\n\n${ask}\n\nThe directory: ${input.directoryUrl}\nThe request: ${input.requestUrl}`,
  };
}
