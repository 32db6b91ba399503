import { html, type SafeHtml } from '#core/html';
import type { Person } from '#core/policy';
import { requiredMark } from '#core/components';

/**
 * The people picker, shared by every form that names a person (new account admins, the grantee of
 * posting authority): a text field where one types a City email or a name. It works without
 * JavaScript: on submit the server resolves what was typed. An exact email is the person; anything
 * else is searched, and the form comes back (nothing stored) with the matches as a radio list for
 * that field, or a message that nobody matches. With JavaScript, the app's script fills the
 * field's datalist from GET /people as one types (the value is the email, so it resolves exactly).
 *
 * This module is the markup and the resolution; the directory it searches is passed in.
 */

/** A person as a search shows them: enough to tell two Ana Gallegoses apart. */
export interface PersonSummary {
  id: string;
  name: string;
  email: string;
  departmentName: string;
  title?: string;
}

/** What the picker needs of the directory (DirectoryStore has both). */
export interface PeopleDirectory {
  personByEmail(email: string): Promise<Person | undefined>;
  /** People whose name or email starts with `q`, separated people excluded, at most `limit`. */
  findPeople(q: string, limit?: number): Promise<PersonSummary[]>;
}

/** One person field of a form. */
export interface PersonFieldSpec {
  /** The field's name and id. */
  key: string;
  label: string;
  required: boolean;
  /** Shown under the label before anything is submitted. */
  hint?: string;
}

/** The most matches offered for one field. */
export const maxMatches = 10;

export const minQueryLength = 2;
export const maxQueryLength = 80;

/** The radio list's field name for `key`: the person chosen among the matches (their email). */
export const pickName = (key: string) => `${key}Pick`;

/** What typed text stands for. */
export type Resolution =
  | { kind: 'empty' }
  | { kind: 'person'; person: Person }
  | { kind: 'separated'; person: Person }
  | { kind: 'tooShort' }
  | { kind: 'choose'; matches: PersonSummary[] }
  | { kind: 'none' };

/** Resolves typed text: an exact email is the person; otherwise a search, which the person then chooses from. */
export async function resolvePerson(typed: string, directory: PeopleDirectory): Promise<Resolution> {
  const text = typed.trim();
  if (!text) return { kind: 'empty' };
  if (text.includes('@') && text.length <= 254) {
    const person = await directory.personByEmail(text.toLowerCase());
    if (person) return person.separatedOn ? { kind: 'separated', person } : { kind: 'person', person };
  }
  if (text.length < minQueryLength) return { kind: 'tooShort' };
  const matches = await directory.findPeople(text.slice(0, maxQueryLength), maxMatches);
  return matches.length ? { kind: 'choose', matches: matches.slice(0, maxMatches) } : { kind: 'none' };
}

/** The people a form's person fields name, and per field what is wrong and whom it may mean. */
export interface PickedPeople {
  /** The resolved person of each field that names one. */
  people: Record<string, Person>;
  /** One message per field to fix. */
  errors: Record<string, string>;
  /** The matches to choose from, for the fields whose text was not an exact email. */
  choices: Record<string, PersonSummary[]>;
  /** The form's values with each resolved field as its person's email and the radio choices dropped: what to show again. */
  values: Record<string, unknown>;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Whether a submitted form uses these person fields (a JSON client may send ids instead). */
export function usesPersonFields(fields: readonly PersonFieldSpec[], body: Record<string, unknown>): boolean {
  return fields.some((f) => typeof body[f.key] === 'string' || typeof body[pickName(f.key)] === 'string');
}

/**
 * Resolves each person field of a submitted form. A choice from the radio list wins over the text
 * (its value is an email, so it resolves exactly); the list's "someone else" choice is empty, and
 * the text is resolved again. `distinct`: a person named by an earlier field is refused in a later one.
 */
export async function resolvePersonFields(
  fields: readonly PersonFieldSpec[],
  body: Record<string, unknown>,
  directory: PeopleDirectory,
  options: { distinct?: boolean } = {},
): Promise<PickedPeople> {
  const resolutions = await Promise.all(fields.map((f) => resolvePerson(text(body[pickName(f.key)]).trim() || text(body[f.key]), directory)));
  const picked: PickedPeople = { people: {}, errors: {}, choices: {}, values: { ...body } };
  const namedBy = new Map<string, PersonFieldSpec>();
  fields.forEach((field, i) => {
    delete picked.values[pickName(field.key)];
    const typed = text(body[field.key]).trim();
    const r = resolutions[i] as Resolution;
    switch (r.kind) {
      case 'empty':
        if (field.required) picked.errors[field.key] = `Enter the City email address or the name of the ${field.label.toLowerCase()}`;
        return;
      case 'separated':
        picked.errors[field.key] = `${r.person.name} has separated from the City and cannot be chosen`;
        return;
      case 'tooShort':
        picked.errors[field.key] = `Type at least ${minQueryLength} letters of a name, or a City email address`;
        return;
      case 'none':
        picked.errors[field.key] = `No one in the directory matches “${typed}”: check the spelling, or type their City email address`;
        return;
      case 'choose':
        picked.errors[field.key] = 'Choose who you mean';
        picked.choices[field.key] = r.matches;
        return;
      case 'person': {
        const earlier = namedBy.get(r.person.id);
        picked.values[field.key] = r.person.email;
        if (options.distinct && earlier) {
          picked.errors[field.key] = `${r.person.name} is already the ${earlier.label.toLowerCase()}: name someone else, or leave this empty`;
          return;
        }
        namedBy.set(r.person.id, field);
        picked.people[field.key] = r.person;
      }
    }
  });
  return picked;
}

/** The id the error summary links to for each field: the first match when there is a list to choose from. */
export function pickerFieldIds(choices: Record<string, PersonSummary[]> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(choices ?? {}).map(([key]) => [key, `${key}-pick-0`]));
}

/** The one-line description of a match: title, department, email. */
const describe = (p: PersonSummary) => [p.title, p.departmentName, p.email].filter(Boolean).join(' · ');

/**
 * A person field (USWDS form group): label with the required mark, hint, error, the text input the
 * script enhances (data-people-search, list=datalist), and under it the matches to choose from.
 */
export function personField(input: { field: PersonFieldSpec; value: string; errors?: Record<string, string>; choices?: PersonSummary[] }): SafeHtml {
  const { field } = input;
  const k = field.key;
  const error = input.errors?.[k];
  const hint = field.hint ?? 'Their City email address, or their name: you choose among the matches if there are several.';
  const describedBy = `${k}-hint${error ? ` ${k}-error` : ''}`;
  const choices = input.choices ?? [];
  return html`<div class="usa-form-group${error ? ' usa-form-group--error' : ''}">
    <label class="usa-label${error ? ' usa-label--error' : ''}" for="${k}">${field.label}${field.required ? requiredMark : ''}</label>
    <span class="usa-hint" id="${k}-hint">${hint}</span>
    ${error ? html`<span class="usa-error-message" id="${k}-error">${error}</span>` : ''}
    <input class="usa-input${error ? ' usa-input--error' : ''}" type="text" id="${k}" name="${k}" value="${input.value}" autocomplete="off" spellcheck="false" maxlength="${maxQueryLength + 174}" data-people-search list="${k}-people" aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}${field.required ? html` required` : ''}>
    <datalist id="${k}-people"></datalist>
    ${
      choices.length
        ? html`<fieldset class="usa-fieldset margin-top-2" aria-describedby="${k}-error"><legend class="usa-legend">Who do you mean by “${input.value.trim()}”?</legend>
    ${choices.map(
      (p, i) => html`<div class="usa-radio"><input class="usa-radio__input" type="radio" id="${k}-pick-${i}" name="${pickName(k)}" value="${p.email}">
      <label class="usa-radio__label" for="${k}-pick-${i}">${p.name}<span class="usa-checkbox__label-description">${describe(p)}</span></label></div>`,
    )}
    <div class="usa-radio"><input class="usa-radio__input" type="radio" id="${k}-pick-other" name="${pickName(k)}" value="">
      <label class="usa-radio__label" for="${k}-pick-other">Someone else<span class="usa-checkbox__label-description">look up what is typed in the box above instead</span></label></div>
    </fieldset>`
        : ''
    }
  </div>`;
}
