import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#core/errors';
import { decodeCursor, encodeCursor, handleKey, parseRegistryQuery, planQuery, type RegistryFilters } from '#registry/registry-query';

const base: RegistryFilters = { status: 'ACTIVE', sort: 'platform' };

describe('planQuery', () => {
  it('reads the whole status partition in the chosen order when nothing is filtered', () => {
    expect(planQuery(base)).toEqual({ index: 'GSI1', pk: 'ACCOUNTS#ACTIVE', order: 'platform' });
    expect(planQuery({ ...base, sort: 'department' })).toEqual({ index: 'GSI2', pk: 'ACCOUNTS_BY_DEPARTMENT#ACTIVE', order: 'department' });
    expect(planQuery({ ...base, sort: 'handle' })).toEqual({ index: 'GSI3', pk: 'ACCOUNTS_BY_HANDLE#ACTIVE', order: 'handle' });
  });

  it('puts the status in the partition', () => {
    expect(planQuery({ ...base, status: 'RETIRED' })).toEqual({ index: 'GSI1', pk: 'ACCOUNTS#RETIRED', order: 'platform' });
  });

  it('filters a platform, and a platform and handle, as prefixes of GSI1', () => {
    expect(planQuery({ ...base, platform: 'facebook' })).toEqual({ index: 'GSI1', pk: 'ACCOUNTS#ACTIVE', skPrefix: 'facebook#', order: 'platform' });
    expect(planQuery({ ...base, platform: 'facebook', q: 'ABQp' })).toEqual({
      index: 'GSI1',
      pk: 'ACCOUNTS#ACTIVE',
      skPrefix: 'facebook#@abqp',
      order: 'platform',
    });
  });

  it('searches a handle across platforms as a prefix of GSI3, whatever the sort', () => {
    expect(planQuery({ ...base, q: '@ABQ', sort: 'department' })).toEqual({
      index: 'GSI3',
      pk: 'ACCOUNTS_BY_HANDLE#ACTIVE',
      skPrefix: '@abq',
      order: 'handle',
    });
  });

  it('filters a department, a department and platform, and all three, as prefixes of GSI2', () => {
    expect(planQuery({ ...base, department: 'APD' })).toEqual({ index: 'GSI2', pk: 'ACCOUNTS_BY_DEPARTMENT#ACTIVE', skPrefix: 'APD#', order: 'department' });
    expect(planQuery({ ...base, department: 'APD', platform: 'x' })).toEqual({
      index: 'GSI2',
      pk: 'ACCOUNTS_BY_DEPARTMENT#ACTIVE',
      skPrefix: 'APD#x#',
      order: 'department',
    });
    expect(planQuery({ ...base, department: 'APD', platform: 'x', q: 'abqpolice' })).toEqual({
      index: 'GSI2',
      pk: 'ACCOUNTS_BY_DEPARTMENT#ACTIVE',
      skPrefix: 'APD#x#@abqpolice',
      order: 'department',
    });
  });

  it('filters a department and handle without a platform with a FilterExpression on the department prefix', () => {
    expect(planQuery({ ...base, department: 'PRD', q: 'parks', status: 'RETIRED' })).toEqual({
      index: 'GSI2',
      pk: 'ACCOUNTS_BY_DEPARTMENT#RETIRED',
      skPrefix: 'PRD#',
      handleFilter: '@parks',
      order: 'department',
    });
  });

  it('keys handles lowercased with their leading @', () => {
    expect(handleKey(' ABQParks ')).toBe('@abqparks');
    expect(handleKey('@ABQParks')).toBe('@abqparks');
  });
});

describe('parseRegistryQuery', () => {
  it('defaults to active accounts in platform order, and says nothing was given', () => {
    expect(parseRegistryQuery({})).toEqual({ filters: { status: 'ACTIVE', sort: 'platform' }, allDepartments: false, given: false });
  });

  it('reads every filter, and department=all as no department filter', () => {
    expect(parseRegistryQuery({ q: 'abq', platform: 'facebook', department: 'all', status: 'RETIRED', sort: 'handle', format: 'csv' })).toEqual({
      filters: { q: 'abq', platform: 'facebook', status: 'RETIRED', sort: 'handle' },
      allDepartments: true,
      given: true,
      format: 'csv',
    });
  });

  it('refuses a bad filter with what to fix', () => {
    expect(() => parseRegistryQuery({ status: 'GONE' })).toThrow('status is Active or Retired');
    expect(() => parseRegistryQuery({ department: 'apd;drop' })).toThrow('choose a department from the list, or All departments');
    expect(() => parseRegistryQuery({ q: 'a#b' })).toThrow('search for a handle: letters, digits, @ _ . -');
  });
});

describe('cursors', () => {
  const plan = planQuery({ ...base, platform: 'facebook' });
  const key = { PK: 'ACCOUNT#acct-1', SK: 'PROFILE', GSI1PK: 'ACCOUNTS#ACTIVE', GSI1SK: 'facebook#@abq1' };

  it('round-trips as base64url JSON', () => {
    const text = encodeCursor({ key, start: 26 });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, plan)).toEqual({ key, start: 26 });
    expect(parseRegistryQuery({ platform: 'facebook', cursor: text }).cursor).toEqual({ key, start: 26 });
  });

  const refusal = (text: string) => {
    try {
      decodeCursor(text, plan);
      return 'accepted';
    } catch (error) {
      return error instanceof InvalidInputError ? error.fields.cursor : String(error);
    }
  };
  const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('refuses a cursor that is not base64url JSON', () => {
    expect(refusal('not a cursor!')).toBe('the page cursor is not base64url');
    expect(refusal(Buffer.from('{oops').toString('base64url'))).toBe('the page cursor is not valid JSON');
    expect(refusal(encoded({ key, start: 'x' }))).toBe('the page cursor is not a registry cursor');
  });

  it('refuses a tampered cursor: other key names, another partition, another prefix, not an account', () => {
    expect(refusal(encoded({ key: { ...key, GSI2PK: 'x' }, start: 26 }))).toBe('the page cursor does not name the keys of index GSI1');
    expect(refusal(encoded({ key: { ...key, GSI1PK: 'ACCOUNTS#RETIRED' }, start: 26 }))).toBe('the page cursor belongs to other filters');
    expect(refusal(encoded({ key: { ...key, GSI1SK: 'x#@abq1' }, start: 26 }))).toBe('the page cursor belongs to other filters');
    expect(refusal(encoded({ key: { ...key, PK: 'REQ#na-1' }, start: 26 }))).toBe('the page cursor does not point at a registry account');
  });

  it('answers a bad cursor in the query string with a 400 saying what to do', () => {
    expect(() => parseRegistryQuery({ cursor: 'zzz' })).toThrow(
      'The page cursor is not valid JSON. Use the Next page link as the registry gave it, or go back to the first page (/accounts).',
    );
  });
});
