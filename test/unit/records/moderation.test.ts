import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidInputError } from '#core/errors';
import {
  categoryChoices,
  mayModerate,
  mayRecordEdit,
  moderationRecord,
  moderatorIds,
  parseModerationForm,
  parsePostEditForm,
  postEditRecord,
} from '#records/moderation';
import { escapeHtml } from '#core/html';
import { type Policy, policy } from '#core/policy';
import { recordIdPattern, recordIntact } from '#core/records';
import { guidelinesJson, guidelinesPage, moderationFormPage, postEditFormPage, recordedPage } from '#records/pages';
import { account, grant, person, roleHolders } from '../fixtures.ts';
import { viewerFor } from '#site/navigation';

const removal = {
  category: 'g',
  location: 'https://www.instagram.com/p/Cx1/ comment by @deals4u',
  content: 'Cheap sunglasses at example.shop!!!',
  author: '@deals4u',
  justification: 'Solicits commerce unrelated to City business (K.g).',
};

const correction = {
  postRef: 'https://www.instagram.com/p/Cx2/',
  before: 'The pool opens at 9 a.m. on Saturday.',
  after: 'The pool opens at 10 a.m. on Saturday.',
  why: 'Wrong opening time.',
};

/** The fields a form is refused for. */
function refused(parse: () => unknown): Record<string, string> {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected the form to be refused');
}

const ids = policy.moderation.categories.map((c) => c.id);

describe('parseModerationForm', () => {
  it('has the twelve categories of rule K, a to l, in order', () => {
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']);
  });

  it.each(policy.moderation.categories.map((c) => [c.id, c.label]))('accepts category %s (%s)', (id) => {
    expect(parseModerationForm({ ...removal, category: id }).category).toBe(id);
  });

  it.each([['m'], ['A'], ['K.a'], ['a,b'], ['']])('refuses category %o with every valid one listed', (category) => {
    const fields = refused(() => parseModerationForm({ ...removal, category }));
    expect(Object.keys(fields)).toEqual(['category']);
    expect(fields.category).toBe(`category must be one of ${categoryChoices()}`);
    expect(fields.category).toMatch(/^category must be one of a, b, c, d, e, f, g, h, i, j, k, l: a — Posts not topically/);
    for (const c of policy.moderation.categories) expect(fields.category).toContain(`${c.id} — ${c.label}`);
  });

  it('refuses a missing category with the list too', () => {
    const { category: _, ...rest } = removal;
    expect(refused(() => parseModerationForm(rest)).category).toMatch(/^category must be one of a, b/);
  });

  it('follows the configuration it is given, not a list of its own', () => {
    const custom: Policy = { ...policy, moderation: { categories: [{ id: 'z', label: 'Only this' }] } };
    expect(parseModerationForm({ ...removal, category: 'z' }, custom).category).toBe('z');
    expect(refused(() => parseModerationForm(removal, custom)).category).toBe('category must be one of z: z — Only this');
  });

  it.each([
    ['location', { location: '' }, /say where it was/],
    ['location', { location: '   ' }, /say where it was/],
    ['location', { location: 'x'.repeat(2001) }, /2,000 characters or fewer/],
    ['content', { content: undefined }, /as it stood/],
    ['content', { content: 'x'.repeat(20_001) }, /20,000 characters or fewer/],
    ['author', { author: 'x'.repeat(201) }, /200 characters or fewer/],
    ['justification', { justification: 'too short' }, /at least 10 characters/],
    ['justification', { justification: 'x'.repeat(501) }, /500 characters or fewer/],
    ['justification', { justification: undefined }, /viewpoint|not what you think of the speaker/],
    ['submissionId', { submissionId: 'x' }, /reload the form/],
  ])('names %s when it is invalid (%o)', (field, change, message) => {
    const fields = refused(() => parseModerationForm({ ...removal, ...change }));
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it('accepts the limits themselves and trims what it keeps', () => {
    const form = parseModerationForm({
      ...removal,
      location: 'x'.repeat(2000),
      content: ` ${'y'.repeat(20_000)} `,
      author: 'z'.repeat(200),
      justification: 'j'.repeat(500),
    });
    expect(form.content).toHaveLength(20_000);
    expect(parseModerationForm({ ...removal, location: 'x', content: 'y', justification: 'j'.repeat(10) }).location).toBe('x');
  });

  it('takes the author as optional', () => {
    expect(parseModerationForm({ ...removal, author: undefined }).author).toBeUndefined();
    expect(parseModerationForm({ ...removal, author: '  ' }).author).toBe('');
  });
});

describe('mayModerate', () => {
  const named = [person('E500'), person('E501')];

  it('lets the Communications Director and their designee record a removal', () => {
    expect(moderatorIds(roleHolders)).toEqual(['E500', 'E501']);
    expect(() => mayModerate(person('E500'), roleHolders, named)).not.toThrow();
    expect(() => mayModerate(person('E501'), roleHolders, named)).not.toThrow();
  });

  it.each([
    ['an admin of the account', 'E102'],
    ['a department director', 'E100'],
    ['the Communications Coordinator', 'E502'],
    ['the APD Director of Communications', 'E310'],
    ['DTI', 'E400'],
  ])('refuses %s, saying who may', (_who, id) => {
    let error: unknown;
    try {
      mayModerate(person(id), roleHolders, named);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as Error).message).toMatch(/Only the Communications Director or their designee \(Elena Martinez, .+\) may remove/);
  });

  it('refuses everyone when nobody holds the role', () => {
    expect(() => mayModerate(person('E500'), [])).toThrow(ForbiddenError);
  });

  it('follows the directory: a new role holder may, the old one no longer', () => {
    const moved = roleHolders.map((r) => (r.role === 'COMMUNICATIONS_DIRECTOR' ? { ...r, holderId: 'E502' } : r));
    expect(() => mayModerate(person('E502'), moved)).not.toThrow();
    expect(() => mayModerate(person('E500'), moved)).toThrow(ForbiddenError);
  });
});

describe('moderationRecord', () => {
  const now = new Date('2025-04-01T18:30:00.000Z');

  it('records the category with its configured label, what it said, where, by whom, with a checksum', () => {
    const record = moderationRecord({ account: account(), person: person('E501'), form: parseModerationForm(removal), now });
    expect(record).toMatchObject({
      kind: 'MODERATION',
      accountId: account().accountId,
      accountLabel: 'Instagram @ABQParks',
      departmentCode: 'PRD',
      recordedAt: now.toISOString(),
      recordedById: 'E501',
      moderation: {
        category: 'g',
        categoryLabel: 'Solicitations of commerce not directly related to City business',
        location: removal.location,
        content: removal.content,
        author: '@deals4u',
        justification: removal.justification,
      },
    });
    expect(record.recordId).toMatch(recordIdPattern);
    expect(record.recordId).toMatch(/^rec-mod-20250401-/);
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(recordIntact(record)).toBe(true);
  });

  it('leaves out an author that was not given', () => {
    const record = moderationRecord({ account: account(), person: person('E500'), form: parseModerationForm({ ...removal, author: '' }), now });
    expect(record.moderation).not.toHaveProperty('author');
  });

  it('gives a form sent twice the same record id, and different forms different ids', () => {
    const form = parseModerationForm({ ...removal, submissionId: 'sub-12345678' });
    const make = (f = form, who = person('E500')) => moderationRecord({ account: account(), person: who, form: f, now }).recordId;
    expect(make()).toBe(make());
    expect(make()).toMatch(recordIdPattern);
    expect(make({ ...form, submissionId: 'sub-87654321' })).not.toBe(make());
    expect(make(form, person('E501'))).not.toBe(make());
    const noSubmission = parseModerationForm(removal);
    expect(make(noSubmission)).not.toBe(make(noSubmission));
  });
});

describe('parsePostEditForm', () => {
  it('accepts a correction with the change identified', () => {
    expect(parsePostEditForm(correction)).toEqual({ ...correction, submissionId: undefined });
  });

  it.each([
    ['postRef', { postRef: '' }, /URL or platform id/],
    ['postRef', { postRef: 'x'.repeat(2001) }, /2,000 characters or fewer/],
    ['before', { before: undefined }, /as it stood/],
    ['before', { before: 'x'.repeat(20_001) }, /20,000 characters or fewer/],
    ['after', { after: '' }, /as it reads after/],
    ['why', { why: 'typo' }, /at least 5 characters/],
    ['why', { why: 'x'.repeat(2001) }, /2,000 characters or fewer/],
  ])('names %s when it is invalid (%o)', (field, change, message) => {
    const fields = refused(() => parsePostEditForm({ ...correction, ...change }));
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it('refuses an "edit" that changes nothing', () => {
    expect(refused(() => parsePostEditForm({ ...correction, after: correction.before }))).toEqual({
      after: expect.stringMatching(/same as before/),
    });
    expect(refused(() => parsePostEditForm({ ...correction, after: ` ${correction.before}\n` })).after).toMatch(/same as before/);
  });
});

describe('mayRecordEdit', () => {
  it('lets anyone with an active grant on the account record a correction, poster or admin', () => {
    expect(() => mayRecordEdit(person('E102'), account(), [grant()])).not.toThrow();
    expect(() => mayRecordEdit(person('E103'), account(), [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER' })])).not.toThrow();
  });

  it('refuses someone without a grant, naming the admins to ask', () => {
    expect(() => mayRecordEdit(person('E103'), account(), [grant()])).toThrow(
      new ForbiddenError(
        'Only someone with posting authority on Instagram @ABQParks (B) may record a correction of its posts. Ask one of its admins (Ana Gallegos) to record it, or ask them for posting authority.',
      ),
    );
  });

  it.each([
    ['a revoked grant', grant({ status: 'REVOKED' })],
    ['a grant on another account', grant({ accountId: 'acct-other' })],
  ])('refuses someone who holds only %s', (_what, held) => {
    expect(() => mayRecordEdit(person('E102'), account(), [held])).toThrow(ForbiddenError);
  });

  it('refuses the Communications Director too: corrections are for those who post (B)', () => {
    expect(() => mayRecordEdit(person('E500'), account(), [grant()])).toThrow(ForbiddenError);
  });
});

describe('postEditRecord', () => {
  it('records the post, before, after and why, with a checksum over them', () => {
    const record = postEditRecord({ account: account(), person: person('E102'), form: parsePostEditForm(correction), now: new Date('2025-04-02T12:00:00Z') });
    expect(record).toMatchObject({
      kind: 'POST_EDIT',
      accountLabel: 'Instagram @ABQParks',
      recordedById: 'E102',
      recordedByName: 'Ana Gallegos',
      edit: correction,
    });
    expect(record.recordId).toMatch(/^rec-edit-20250402-[0-9a-f]{16}$/);
    expect(recordIntact(record)).toBe(true);
    expect(recordIntact({ ...record, edit: { ...correction, after: 'changed later' } })).toBe(false);
  });
});

describe('records pages', () => {
  const hostile = `<script>alert("x")</script> & 'quoted'`;

  it('escapes every value on the confirmation page', () => {
    const form = parseModerationForm({ ...removal, location: hostile, content: hostile, author: hostile, justification: hostile });
    const record = moderationRecord({ account: account({ handle: hostile }), person: { ...person('E500'), name: hostile }, form, now: new Date() });
    const page = recordedPage(record, viewerFor({ ...person('E500'), name: hostile }, roleHolders));
    expect(page).not.toContain('<script>');
    expect(page).not.toContain(`"x"`);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(page).toContain(record.sha256);
    expect(page).toContain('without notice');
  });

  it('escapes every value kept on the forms when they come back with errors', () => {
    const values = {
      category: hostile,
      location: hostile,
      content: hostile,
      author: hostile,
      justification: hostile,
      postRef: hostile,
      before: hostile,
      after: hostile,
      why: hostile,
    };
    const errors = Object.fromEntries(Object.keys(values).map((k) => [k, hostile]));
    for (const page of [
      moderationFormPage({ viewer: viewerFor(person('E500'), roleHolders), account: account(), submissionId: 'sub-12345678', values, errors }),
      postEditFormPage({ viewer: viewerFor(person('E102'), roleHolders), account: account(), submissionId: 'sub-12345678', values, errors }),
    ]) {
      expect(page).not.toContain('<script>');
      expect(page).toContain('&lt;script&gt;');
      expect(page).toContain('aria-invalid="true"');
    }
  });

  it('offers on the form and shows on the guidelines exactly the configured categories, in order', () => {
    const form = moderationFormPage({ viewer: viewerFor(person('E500'), roleHolders), account: account(), submissionId: 'sub-12345678' });
    const offered = [...form.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);
    const shown = [...guidelinesPage().matchAll(/data-category="([^"]*)"/g)].map((m) => m[1]);
    expect(offered).toEqual(ids);
    expect(shown).toEqual(ids);
    expect(guidelinesJson().categories).toEqual(policy.moderation.categories.map(({ id, label }) => ({ id, label })));
    for (const c of policy.moderation.categories) expect(guidelinesPage()).toContain(escapeHtml(c.label));
  });

  it('keeps the chosen category selected when the form comes back', () => {
    const form = moderationFormPage({
      viewer: viewerFor(person('E500'), roleHolders),
      account: account(),
      submissionId: 'sub-12345678',
      values: { category: 'd' },
    });
    expect(form).toMatch(/<option value="d" selected>/);
  });
});
