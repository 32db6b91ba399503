import { describe, expect, it } from 'vitest';
import type { Person, RoleHolder } from '#core/policy';
import { navigationFor, viewerFor } from '#site/navigation';
import { page } from '#core/html';
import { html } from '#core/html';

const person = (id: string, departmentCode: string): Person => ({ id, name: `Person ${id}`, email: `${id.toLowerCase()}@cabq.gov`, departmentCode });

const roles: RoleHolder[] = [
  { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
  { role: 'APD_DIRECTOR_OF_COMMUNICATIONS', holderId: 'E310', designeeId: 'E311' },
  { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E502', designeeId: 'E500' },
  { role: 'CITY_CLERK_CONTACT', holderId: 'E600', designeeId: 'E601' },
];

const labels = (p: Person) => viewerFor(p, roles).nav.map((l) => l.label);

describe('role-aware navigation', () => {
  it('gives every employee their work, the form, their requests and the registry, and nothing else', () => {
    expect(labels(person('E102', 'PRD'))).toEqual(['My work', 'New account', 'My requests', 'Registry']);
  });

  it('adds the platforms list, the directory, the annual reviews, offboardings and the records export for DTI', () => {
    expect(labels(person('E400', 'DTI'))).toEqual([
      'My work',
      'New account',
      'My requests',
      'Registry',
      'Platforms',
      'Directory',
      'Annual reviews',
      'Credentials',
      'Offboardings',
      'Records export',
    ]);
    expect(viewerFor(person('E401', 'DTI'), roles).nav).toContainEqual({ href: '/platforms', label: 'Platforms' });
  });

  it('gives the platforms link to DTI only: the forms behind it are DTI’s (O.a)', () => {
    for (const p of [person('E102', 'PRD'), person('E500', 'CMO'), person('E600', 'CLERK'), person('E310', 'APD')]) {
      const viewer = viewerFor(p, roles);
      expect(viewer.capabilities.platforms, p.id).toBe(false);
      expect(
        viewer.nav.map((l) => l.href),
        p.id,
      ).not.toContain('/platforms');
    }
    expect(viewerFor(person('E400', 'DTI'), roles).capabilities.platforms).toBe(true);
  });

  it('adds the records export for the City Clerk’s records contact and designee, and offboardings for role holders', () => {
    expect(labels(person('E600', 'CLERK'))).toEqual(['My work', 'New account', 'My requests', 'Registry', 'Offboardings', 'Records export']);
    expect(labels(person('E601', 'CLERK'))).toEqual(['My work', 'New account', 'My requests', 'Registry', 'Offboardings', 'Records export']);
    expect(labels(person('E502', 'CMO'))).toEqual(['My work', 'New account', 'My requests', 'Registry', 'Annual reviews', 'Credentials', 'Offboardings']);
  });

  it('gives the credentials list to DTI and the Communications Coordinator and designee only (O.b)', () => {
    // E500 is the Communications Director, and the Coordinator's designee.
    const may = ['E400', 'E502', 'E500'];
    for (const p of [person('E400', 'DTI'), person('E502', 'CMO'), person('E500', 'CMO')])
      expect(viewerFor(p, roles).capabilities.credentials, p.id).toBe(true);
    for (const p of [person('E501', 'CMO'), person('E600', 'CLERK'), person('E310', 'APD'), person('E102', 'PRD')]) {
      expect(may).not.toContain(p.id);
      expect(viewerFor(p, roles).capabilities.credentials, p.id).toBe(false);
    }
  });

  it('gives the annual reviews to DTI and the Communications Director and Coordinator only; a director answers from My work', () => {
    expect(viewerFor(person('E500', 'CMO'), roles).nav).toContainEqual({ href: '/reviews', label: 'Annual reviews' });
    for (const p of [person('E100', 'PRD'), person('E600', 'CLERK'), person('E310', 'APD')]) expect(viewerFor(p, roles).capabilities.reviews, p.id).toBe(false);
  });

  it('gives APD’s Director of Communications and designee APD’s accounts as their own list (S)', () => {
    const apd = viewerFor(person('E310', 'APD'), roles);
    expect(apd.capabilities.ownDepartments).toEqual(['APD']);
    expect(apd.nav).toContainEqual({ href: '/accounts?department=APD', label: 'APD accounts' });
    expect(viewerFor(person('E311', 'APD'), roles).capabilities.ownDepartments).toEqual(['APD']);
    expect(viewerFor(person('E500', 'CMO'), roles).capabilities.ownDepartments).toEqual([]);
  });

  it('marks the current page and shows sign-out to the signed-in, and the way in to everyone else', () => {
    const viewer = viewerFor(person('E400', 'DTI'), roles);
    const signedIn = page({ title: 'T', body: html`<p>x</p>`, viewer, path: '/offboardings/off-1' });
    expect(signedIn).toContain('<a class="app-nav__link" href="/offboardings" aria-current="page">Offboardings</a>');
    expect(signedIn.match(/aria-current/g)).toHaveLength(1);
    expect(signedIn).toContain('<form method="post" action="/auth/sign-out">');
    const anonymous = page({ title: 'T', body: html`<p>x</p>` });
    expect(anonymous).toContain('<a href="/auth/sign-in">Sign in</a>');
    expect(anonymous).not.toContain('/auth/sign-out');
    expect(anonymous).not.toContain('href="/offboardings"');
    expect(
      navigationFor({ offboardings: false, recordsExport: false, platforms: false, directory: false, reviews: false, credentials: false, ownDepartments: [] }),
    ).toHaveLength(4);
    const onPlatform = page({ title: 'T', body: html`<p>x</p>`, viewer, path: '/platforms/nextdoor' });
    expect(onPlatform).toContain('<a class="app-nav__link" href="/platforms" aria-current="page">Platforms</a>');
  });
});
