import { describe, expect, it } from 'vitest';
import { type PeopleDirectory, type PersonSummary, personField, pickerFieldIds, resolvePerson, resolvePersonFields } from '#core/people-picker';
import type { Person } from '#core/policy';

const ana: Person = { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example', departmentCode: 'PRD', title: 'Marketing Coordinator' };
const tom: Person = { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentCode: 'PRD' };
const gone: Person = { id: 'E104', name: 'Gone Person', email: 'gone@cabq.example', departmentCode: 'PRD', separatedOn: '2026-01-02' };
const summary = (p: Person): PersonSummary => ({
  id: p.id,
  name: p.name,
  email: p.email,
  departmentName: 'Parks and Recreation',
  ...(p.title ? { title: p.title } : {}),
});

/** A directory in memory: exact emails, and a prefix search that, like the store, leaves out separated people. */
function directory(people: Person[]): PeopleDirectory & { searches: string[] } {
  const searches: string[] = [];
  return {
    searches,
    personByEmail: async (email) => people.find((p) => p.email === email),
    findPeople: async (q, limit = 10) => {
      searches.push(q);
      const lc = q.toLowerCase();
      return people
        .filter((p) => !p.separatedOn && (p.name.toLowerCase().startsWith(lc) || p.email.startsWith(lc)))
        .slice(0, limit)
        .map(summary);
    },
  };
}

describe('resolvePerson', () => {
  it('takes an exact email as the person, whatever the case, without searching', async () => {
    const dir = directory([ana, tom]);
    expect(await resolvePerson('  AGallegos@cabq.example ', dir)).toEqual({ kind: 'person', person: ana });
    expect(dir.searches).toEqual([]);
  });

  it('offers the one match of a name to confirm', async () => {
    expect(await resolvePerson('tom', directory([ana, tom]))).toEqual({ kind: 'choose', matches: [summary(tom)] });
  });

  it('offers every match of a prefix to choose from', async () => {
    const anna: Person = { id: 'E200', name: 'Anna Baca', email: 'abaca@cabq.example', departmentCode: 'PRD' };
    expect(await resolvePerson('an', directory([ana, anna, tom]))).toEqual({ kind: 'choose', matches: [summary(ana), summary(anna)] });
  });

  it('answers none when nobody matches, and never offers a separated person', async () => {
    expect(await resolvePerson('zed', directory([ana]))).toEqual({ kind: 'none' });
    expect(await resolvePerson('gone', directory([gone]))).toEqual({ kind: 'none' });
  });

  it('refuses the exact email of a separated person', async () => {
    expect(await resolvePerson('gone@cabq.example', directory([gone]))).toEqual({ kind: 'separated', person: gone });
  });

  it('asks for two letters before searching', async () => {
    const dir = directory([ana]);
    expect(await resolvePerson('a', dir)).toEqual({ kind: 'tooShort' });
    expect(await resolvePerson('', dir)).toEqual({ kind: 'empty' });
    expect(dir.searches).toEqual([]);
  });
});

describe('resolvePersonFields', () => {
  const fields = [
    { key: 'admin1', label: 'First administrator', required: true },
    { key: 'admin2', label: 'Second administrator', required: false },
    { key: 'admin3', label: 'Third administrator', required: false },
  ];

  it('resolves each field, keeps the choices for the ambiguous one and the message for the unknown one', async () => {
    const picked = await resolvePersonFields(
      fields,
      { admin1: 'agallegos@cabq.example', admin2: 'tom', admin3: 'nobody', purpose: 'kept' },
      directory([ana, tom]),
    );
    expect(picked.people).toEqual({ admin1: ana });
    expect(picked.errors).toEqual({
      admin2: 'Choose who you mean',
      admin3: 'No one in the directory matches “nobody”: check the spelling, or type their City email address',
    });
    expect(picked.choices).toEqual({ admin2: [summary(tom)] });
    expect(picked.values).toEqual({ admin1: 'agallegos@cabq.example', admin2: 'tom', admin3: 'nobody', purpose: 'kept' });
  });

  it('takes the radio choice over the text, and shows the chosen email afterwards', async () => {
    const picked = await resolvePersonFields(fields, { admin1: 'tom', admin1Pick: 'tsandoval@cabq.example' }, directory([ana, tom]));
    expect(picked).toEqual({ people: { admin1: tom }, errors: {}, choices: {}, values: { admin1: 'tsandoval@cabq.example' } });
  });

  it('requires the required field and refuses the same person twice when asked to', async () => {
    const empty = await resolvePersonFields(fields, { admin1: '' }, directory([ana]));
    expect(empty.errors).toEqual({ admin1: 'Enter the City email address or the name of the first administrator' });
    const twice = await resolvePersonFields(fields, { admin1: ana.email, admin2: ana.email }, directory([ana]), { distinct: true });
    expect(twice.people).toEqual({ admin1: ana });
    expect(twice.errors).toEqual({ admin2: 'Ana Gallegos is already the first administrator: name someone else, or leave this empty' });
  });
});

describe('personField', () => {
  const field = { key: 'admin2', label: 'Second administrator', required: true, hint: 'Their City email.' };

  it('before submitting: the label with its required mark, the hint tied to the input, and the datalist the script fills', () => {
    const markup = personField({ field, value: '' }).toString();
    expect(markup).toContain('<label class="usa-label" for="admin2">Second administrator <abbr title="required"');
    expect(markup).toContain('<span class="usa-hint" id="admin2-hint">Their City email.</span>');
    expect(markup).toContain('data-people-search list="admin2-people" aria-describedby="admin2-hint" required>');
    expect(markup).toContain('<datalist id="admin2-people"></datalist>');
    expect(markup).not.toContain('type="radio"');
  });

  it('without JavaScript: the error tied to the field and a labelled radio list of the matches, all escaped', () => {
    const evil: PersonSummary = { id: 'E9', name: '<b>Ana</b>', email: 'a"x@cabq.example', departmentName: 'Parks & Rec', title: 'Lead' };
    const markup = personField({ field, value: '<script>', errors: { admin2: 'Choose who you mean' }, choices: [evil] }).toString();
    expect(markup).toContain('<span class="usa-error-message" id="admin2-error">Choose who you mean</span>');
    expect(markup).toContain('value="&lt;script&gt;"');
    expect(markup).toContain('aria-describedby="admin2-hint admin2-error" aria-invalid="true"');
    expect(markup).toContain('<legend class="usa-legend">Who do you mean by “&lt;script&gt;”?</legend>');
    expect(markup).toContain('<input class="usa-radio__input" type="radio" id="admin2-pick-0" name="admin2Pick" value="a&quot;x@cabq.example">');
    expect(markup).toContain(
      '<label class="usa-radio__label" for="admin2-pick-0">&lt;b&gt;Ana&lt;/b&gt;<span class="usa-checkbox__label-description">Lead · Parks &amp; Rec · a&quot;x@cabq.example</span></label>',
    );
    expect(markup).toContain('<input class="usa-radio__input" type="radio" id="admin2-pick-other" name="admin2Pick" value="">');
    expect(markup).not.toContain('<b>');
  });

  it('links the error summary to the first match of a field with choices', () => {
    expect(pickerFieldIds({ admin2: [summary(tom)] })).toEqual({ admin2: 'admin2-pick-0' });
  });
});
