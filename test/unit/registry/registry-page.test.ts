import { describe, expect, it } from 'vitest';
import type { Decision } from '#core/approval';
import { hashSecret } from '#core/approval-link';
import { approvalEmail, failureNoticeEmail, outcomeEmail } from '#approval-chain/emails';
import { escapeHtml, html } from '#core/html';
import { approvalPage, myRequestsPage, requestPage } from '#approval-chain/pages';
import { account, accountRequest, approval, grant, paRequestId, people, person, postingAuthorityRequest } from '../fixtures.ts';
import { postingAuthorityNoticeEmail } from '#posting-authority/emails';
import { describeRequest } from '#approval-chain/kinds';
import { postingAuthorityFormPage } from '#posting-authority/form-page';
import { registryPage } from '#registry/pages';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';

describe('registryPage', () => {
  const grants = [
    grant(),
    grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', receivesCredential: false, sourceRequestId: paRequestId }),
    grant({ personId: 'E101', personName: 'Marcus Chavez', status: 'REVOKED' }),
    grant({ accountId: 'acct-other', personId: 'E202', personName: 'Isabel Romero' }),
  ];
  const shown = registryPage([account()], grants, person('E400'));

  it('lists the active admins and posters of each account with their role, and who authorized them', () => {
    expect(shown).toContain('Ana Gallegos <span class="hint">(authorized by Dolores Baca)</span> <span class="role">admin, shared credential</span>');
    expect(shown).toContain('Tom Sandoval <span class="hint">(authorized by Dolores Baca)</span> <span class="role">poster</span>');
    expect(shown).not.toContain('Marcus Chavez');
    expect(shown).not.toContain('Isabel Romero');
  });

  it('links each account to its posting-authority form', () => {
    expect(shown).toContain(`<a href="/accounts/${account().accountId}/authority/new">Request posting authority</a>`);
  });

  it('escapes names and handles', () => {
    const hostile = registryPage([account({ handle: `@x${attack}` })], [grant({ personName: attack })], person('E400'));
    expect(hostile).not.toContain(attack);
    expect(hostile).toContain(`@x${escapedAttack}`);
  });
});
