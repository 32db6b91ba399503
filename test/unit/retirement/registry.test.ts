import { describe, expect, it } from 'vitest';
import { actionsFor } from '#registry/handlers/show-registry';
import { accountPage } from '#registry/pages';
import { viewerFor } from '#site/navigation';
import { account, accountId, department, grant, person, roleHolders } from '../fixtures.ts';

const raId = 'ra-20260312-00112233445566ff';
const grants = [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER' })];
const prd = department('PRD');
const view = (id: string, a = account()) => {
  const viewer = viewerFor(person(id), roleHolders);
  return accountPage({ viewer, account: a, grants, source: { approvals: [] }, filed: [], actions: actionsFor(viewer, a, grants, prd) });
};

describe('retirement on the account page', () => {
  it('offers "Retire this account" to an admin and the director of an active account, and to nobody else', () => {
    const may = (id: string, a = account()) => actionsFor(viewerFor(person(id), roleHolders), a, grants, prd).retirement;
    expect([may('E102'), may('E100'), may('E101'), may('E103'), may('E400')]).toEqual([true, true, true, false, false]);
    expect(may('E102', account({ status: 'RETIRED' }))).toBe(false);
    expect(view('E102')).toContain(`<a href="/accounts/${accountId}/retirement/new">Retire this account</a>`);
    expect(view('E103')).not.toContain('Retire this account');
  });

  it('shows a retired account as retired, with the day and a link to the request that retired it', () => {
    const retired = { ...account({ status: 'RETIRED' }), retiredAt: '2026-03-12T17:00:00.000Z', retiredReason: 'No longer in use', retiredBySourceId: raId };
    const page = view('E103', retired);
    expect(page).toContain(`retired</span> on Mar 12, 2026 through <a href="/requests/${raId}">${raId}</a>. Why: No longer in use`);
    expect(page).not.toContain('Retire this account');
  });
});
