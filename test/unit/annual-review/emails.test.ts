import { describe, expect, it } from 'vitest';
import { authorityRevokedEmail, type ReviewEmailKind, reviewPageEmail } from '#annual-review/emails';
import type { ReviewPage } from '#annual-review/review';
import { departmentPage, dolores, instagramLine, namedOf, platformsPage, tom } from './review-fixtures.ts';

const link = 'https://governance.example/reviews/2027/departments/PRD';

function email(kind: ReviewEmailKind, sweep: number, page: ReviewPage = departmentPage(), review: { year: number; departmentCode?: string } = { year: 2027 }) {
  return reviewPageEmail({ review, page, recipient: page.chain[page.stage] ?? namedOf(dolores), link, kind, nextSweepAt: '2027-02-08T15:00:05.000Z', sweep });
}

describe('reviewPageEmail', () => {
  it('states the review and what to review in the subject of the first email', () => {
    expect(email('initial', 0).subject).toBe('2027 annual review: review the 2 social media accounts of Parks and Recreation');
  });

  it('marks a reminder and an escalation in the subject', () => {
    expect(email('reminder', 1).subject).toBe('Reminder: 2027 annual review: review the 2 social media accounts of Parks and Recreation');
    expect(email('escalation', 2, departmentPage({ stage: 1, lastSweep: 2 })).subject).toBe(
      'Escalated to you: 2027 annual review: review the 2 social media accounts of Parks and Recreation',
    );
  });

  it('names a department review, a single account, and the platforms page in the subject', () => {
    expect(email('initial', 0, departmentPage({ accounts: [instagramLine()] }), { year: 2027, departmentCode: 'PRD' }).subject).toBe(
      '2027 annual review of PRD: review the 1 social media account of Parks and Recreation',
    );
    expect(email('initial', 0, platformsPage()).subject).toBe('2027 annual review: review the 3 approved platforms (O.a, P)');
  });

  it('greets the recipient and gives the link, the next step and the due date', () => {
    const { text, html } = email('initial', 0);
    expect(text).toMatch(/^Dolores Baca,\n\n/);
    expect(text).toContain(`Open the review: ${link}`);
    expect(text).toContain('Next step Feb 8, 2027; due Mar 1, 2027. If it is not submitted by then, you will get a reminder.');
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain('Mar 1, 2027');
  });

  it('tells a reminded director who gets the page next', () => {
    expect(email('reminder', 1).text).toContain('If it is not submitted by then, it goes to Marcus Chavez instead.');
  });

  it('tells the person an escalation reaches that the answers are kept, and who gets it next', () => {
    const atFirstStage = email('escalation', 1, departmentPage({ stage: 0, lastSweep: 1 }));
    expect(atFirstStage.text).toContain('Nobody answered this review in time, so it now comes to you. The answers saved so far are kept.');
    expect(atFirstStage.text).toContain('it goes to Marcus Chavez instead.');
    const withDesignee = email('escalation', 2, departmentPage({ stage: 1, lastSweep: 2 }));
    expect(withDesignee.text).toMatch(/^Marcus Chavez,\n\n/);
    expect(withDesignee.text).toContain('If it is not submitted by then, it goes to Elena Martinez instead.');
  });

  it('warns the last reviewer that the next step is not attested', () => {
    const last = email('escalation', 3, departmentPage({ stage: 2, lastSweep: 3 }));
    expect(last.text).toContain('If it is not submitted by its due date, it is reported to DTI as not attested.');
    expect(last.text).not.toContain('it goes to');
  });

  it('asks DTI about the platforms on the platforms page', () => {
    const { text } = email('initial', 0, platformsPage());
    expect(text).toMatch(/^Samuel Ortiz,\n\n/);
    expect(text).toContain('For each platform: keep it, keep it with changes, or retire it.');
  });
});

describe('authorityRevokedEmail', () => {
  const base = { person: namedOf(tom), by: namedOf(dolores), year: 2027 };

  it('tells the person their authority ended because the account was retired', () => {
    const sent = authorityRevokedEmail({ ...base, accountLabel: 'X @ABQParks', retired: true });
    expect(sent.subject).toBe('Your posting authority for X @ABQParks has ended');
    expect(sent.text).toBe(
      'Tom Sandoval,\n\nIn the 2027 annual review, Dolores Baca retired X @ABQParks: it is no longer in use, so every posting authority on it has ended (policy B). Its records are kept.\n\nPlease do not post for it any more. If this is a mistake, ask for posting authority again from the account\u2019s page in the registry.',
    );
  });

  it('tells the person their authority ended because they no longer need it', () => {
    const sent = authorityRevokedEmail({ ...base, accountLabel: 'Instagram @ABQParks', retired: false });
    expect(sent.subject).toBe('Your posting authority for Instagram @ABQParks has ended');
    expect(sent.text).toBe(
      'Tom Sandoval,\n\nIn the 2027 annual review, Dolores Baca confirmed that you no longer need posting authority for Instagram @ABQParks (policy B).\n\nPlease do not post for it any more. If this is a mistake, ask for posting authority again from the account\u2019s page in the registry.',
    );
    expect(sent.html).toContain('confirmed that you no longer need posting authority for Instagram @ABQParks (policy B).');
  });
});
