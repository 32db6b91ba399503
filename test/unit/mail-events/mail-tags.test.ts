import { describe, expect, it } from 'vitest';
import { decodeTagValue, encodeTagValue, MAX_TAG_VALUE_LENGTH, mailTags, refFromTags } from '../../../functions/mail-events/mail-tags.ts';

const ses = /^[A-Za-z0-9_-]*$/;
const ref = { PK: 'REQ#na-20250301-0123456789abcdef', SK: 'APPR#00#0', key: 'first' };

describe('mail tags (which slot an email was sent from, as SES message tags)', () => {
  it.each([['REQ#na-20250301-0123456789abcdef'], ['APPR#00#1'], ['credchange-v2-dbaca@cabq.example'], ['under_score and spaces'], ['Ñandú ✓'], ['']])(
    'writes %j with only the characters SES allows, and reads it back exactly',
    (value) => {
      const encoded = encodeTagValue(value);
      expect(encoded).toMatch(ses);
      expect(decodeTagValue(encoded)).toBe(value);
    },
  );

  it('keeps letters, digits and dashes as they are, so a tag stays readable in the SES console', () => {
    expect(encodeTagValue('REQ#na-1')).toBe('REQ_23na-1');
  });

  it('reads back nothing from a value this encoding cannot have made', () => {
    expect(decodeTagValue('REQ#1')).toBeUndefined();
    expect(decodeTagValue('bad_2')).toBeUndefined();
    expect(decodeTagValue('_FF')).toBeUndefined();
  });

  it('names the item and the email in three tags, which SES publishes back as lists', () => {
    const tags = mailTags(ref);
    expect(tags).toEqual([
      { Name: 'mail-pk', Value: 'REQ_23na-20250301-0123456789abcdef' },
      { Name: 'mail-sk', Value: 'APPR_2300_230' },
      { Name: 'mail-key', Value: 'first' },
    ]);
    expect(refFromTags(Object.fromEntries(tags.map((t) => [t.Name, [t.Value]])))).toEqual(ref);
  });

  it('sends no tags rather than a value over SES’s limit (SES would refuse the email)', () => {
    expect(mailTags({ ...ref, key: 'x'.repeat(MAX_TAG_VALUE_LENGTH + 1) })).toEqual([]);
    expect(mailTags({ ...ref, key: '#'.repeat(90) })).toEqual([]);
  });

  it('finds no slot in tags that lack one, repeat one or hold a value it cannot read', () => {
    const tags = Object.fromEntries(mailTags(ref).map((t) => [t.Name, [t.Value]]));
    expect(refFromTags(undefined)).toBeUndefined();
    expect(refFromTags({ 'ses:configuration-set': ['governance'] })).toBeUndefined();
    expect(refFromTags({ ...tags, 'mail-key': undefined })).toBeUndefined();
    expect(refFromTags({ ...tags, 'mail-key': ['first', 'reminder-1'] })).toBeUndefined();
    expect(refFromTags({ ...tags, 'mail-pk': ['REQ#raw'] })).toBeUndefined();
  });
});
