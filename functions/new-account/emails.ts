import { type EmailContent, emailButton, emailLayout } from '#core/email-layout';
import { html } from '#core/html';
import type { Account } from '#core/registry';
import type { AccountRequest } from '#new-account/new-account';

/** DTI keeps the registry (O.b): it hears of every new account. */
export function registryNoticeEmail(input: { request: AccountRequest; account: Account; registryUrl: string }): EmailContent {
  const { account, request } = input;
  const subject = `Registry: new ${account.platformName} account ${account.handle} (${account.departmentName})`;
  const admins = account.admins.map((a) => a.name).join(', ');
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>A new City social media account was approved and entered in the registry (O.b).</p>
      <dl><dt>Account</dt><dd>${account.accountId}</dd><dt>Platform</dt><dd>${account.platformName}</dd><dt>Handle</dt><dd>${account.handle}</dd>
      <dt>Department</dt><dd>${account.departmentName}</dd><dt>Admins</dt><dd>${admins}</dd><dt>Request</dt><dd>${request.requestId}</dd></dl>
      ${emailButton(input.registryUrl, 'Open the registry')}`,
    ),
    text: `A new City social media account was approved and entered in the registry (O.b).\n\nAccount: ${account.accountId}\nPlatform: ${account.platformName}\nHandle: ${account.handle}\nDepartment: ${account.departmentName}\nAdmins: ${admins}\nRequest: ${request.requestId}\n\nRegistry: ${input.registryUrl}`,
  };
}
