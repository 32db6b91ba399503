import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryChange, Provenance } from '#directory/apply';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, startTestStack, submit, waitForEmail, browserAs } from '../support/harness.ts';

/**
 * DTI's directory administration (issue 13) through the local HTTP API on DynamoDB Local: DTI
 * changes a department's director and a role's holder, each change a directory event applied as
 * HR's are (provenance DTI and who, a history item, open approvals moved); anyone else is refused
 * and nothing changes; a separated or repeated person is a 400 naming the field; a change older
 * than what HR has recorded is a 409 and changes nothing.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const browser = (personId: string) => browserAs(stack, personId);

interface Recorded {
  version?: string;
  provenance?: Provenance;
}
type DepartmentJson = { department: Recorded & { code: string; name: string; directorId: string; designeeId: string }; history: DirectoryChange[] };
type RoleJson = { role: Recorded & { role: string; holderId?: string; designeeId?: string; vacantSince?: string }; history: DirectoryChange[] };

const departmentJson = async (code: string) => (await (await as(stack, 'E401').get(`/directory/departments/${code}`)).json()) as DepartmentJson;
const roleJson = async (role: string) => (await (await as(stack, 'E401').get(`/directory/roles/${role}`)).json()) as RoleJson;
const breadcrumb = '<a class="usa-breadcrumb__link" href="/directory"><span>Directory</span></a>';

describe('the overview and the lists', () => {
  it('counts the seeded directory, finds nothing to attend to, and links to the three lists', async () => {
    const json = (await (await as(stack, 'E400').get('/directory')).json()) as { counts: Record<string, number>; attention: unknown[] };
    expect(json).toEqual({ counts: { people: 21, separated: 0, departments: 7, roles: 4, vacant: 0 }, attention: [] });
    const page = await browser('E400').get('/directory');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<h1>Directory administration</h1>');
    for (const href of ['/directory/departments', '/directory/roles', '/directory/people']) expect(text).toContain(`<a href="${href}">`);
    expect(text).toContain('<a class="app-nav__link" href="/directory" aria-current="page">Directory</a>');
  });

  it('lists the departments and roles with who holds each post, and a seeded person as seeded', async () => {
    const departments = await (await browser('E400').get('/directory/departments')).text();
    expect(departments).toContain(breadcrumb);
    expect(departments).toMatch(
      /<a href="\/directory\/departments\/PRD">Parks and Recreation<\/a> \(PRD\).*<a href="\/directory\/people\/E100">Dolores Baca<\/a>/s,
    );
    const roles = await (await browser('E400').get('/directory/roles')).text();
    expect(roles).toContain('<a href="/directory/roles/COMMUNICATIONS_DIRECTOR">Communications Director</a>');
    const ana = await (await browser('E400').get('/directory/people/E102')).text();
    expect(ana).toContain('HR owns these values');
    expect(ana).toContain('<dt>Values from</dt><dd>seeded (demo data)</dd><dt>When</dt><dd>not recorded</dd>');
  });
});

describe('DTI changes a department’s director', () => {
  it('records the new director with provenance DTI and who, in the history, and moves the waiting approval to them', async () => {
    const requestId = await submit(stack, 'E102');
    await waitForEmail(stack, (e) => e.to.includes('dbaca@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(requestId));

    const res = await browser('E400').post('/directory/departments/PRD', { director: 'tsandoval@cabq.example', designee: 'mchavez@cabq.example' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/directory/departments/PRD?done=changed&moved=yes');

    const { department, history } = await departmentJson('PRD');
    expect(department).toMatchObject({ code: 'PRD', name: 'Parks and Recreation', directorId: 'E103', designeeId: 'E101' });
    expect(department.provenance).toMatchObject({ source: 'DTI', by: { id: 'E400', name: 'Samuel Ortiz' } });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      type: 'Department Updated',
      detail: { code: 'PRD', name: 'Parks and Recreation', directorId: 'E103', designeeId: 'E101', sequence: 0 },
      provenance: { source: 'DTI', by: { id: 'E400', name: 'Samuel Ortiz' } },
    });
    expect(history[0]?.handOverReason).toMatch(
      /^Parks and Recreation has a new director or designee \(recorded by DTI \(Samuel Ortiz\) on \d{4}-\d{2}-\d{2}\)$/,
    );

    const moved = await waitForEmail(
      stack,
      (e) => e.to.includes('tsandoval@cabq.example') && e.subject.startsWith('Moved to you') && e.text.includes(requestId),
    );
    expect(moved.text).toContain('Parks and Recreation has a new director or designee');

    const page = await (await browser('E400').get('/directory/departments/PRD?done=changed&moved=yes')).text();
    expect(page).toContain(breadcrumb);
    expect(page).toContain('The open approvals and tasks of the people who left the post have been moved');
    expect(page).toContain('<dt>Director</dt><dd><a href="/directory/people/E103">Tom Sandoval</a>');
    expect(page).toContain('<dt>Values from</dt><dd>DTI (Samuel Ortiz)</dd>');
    expect(page).toContain('<li>Director: Tom Sandoval (E103)</li>');
    expect(page).toContain('value="tsandoval@cabq.example"');
  });

  it('records nothing when the form names the people already in the post', async () => {
    const res = await as(stack, 'E400').post('/directory/departments/PRD', { director: 'tsandoval@cabq.example', designee: 'mchavez@cabq.example' });
    expect(await res.json()).toEqual({ result: 'unchanged' });
    expect((await departmentJson('PRD')).history).toHaveLength(1);
  });

  it('refuses anyone but DTI with a 403 on every page and form, and changes nothing', async () => {
    const posts: [string, Record<string, string>][] = [
      ['/directory/departments/PRD', { director: 'agallegos@cabq.example', designee: 'mchavez@cabq.example' }],
      ['/directory/roles/COMMUNICATIONS_DIRECTOR', { holder: 'agallegos@cabq.example', designee: 'pherrera@cabq.example' }],
      ['/directory/roles/COMMUNICATIONS_DIRECTOR', { action: 'remove', confirm: 'yes' }],
    ];
    for (const [path, body] of posts) {
      const json = await as(stack, 'E102').post(path, body);
      expect(json.status, path).toBe(403);
      expect(((await json.json()) as { message: string }).message).toMatch(
        /^Only DTI \(the Department of Technology and Innovation\) administers the directory/,
      );
      const page = await browser('E500').post(path, body);
      expect(page.status, path).toBe(403);
      expect(await page.text()).toContain('Elena Martinez is not in DTI');
    }
    for (const path of ['/directory', '/directory/departments/PRD', '/directory/roles', '/directory/people?q=ana', '/directory/people/E102']) {
      expect((await browser('E100').get(path)).status, path).toBe(403);
    }
    expect((await browser('E102').get('/')).status).toBe(200);
    expect(await (await browser('E102').get('/')).text()).not.toContain('href="/directory"');
    const { department, history } = await departmentJson('PRD');
    expect(department).toMatchObject({ directorId: 'E103', designeeId: 'E101' });
    expect(history).toHaveLength(1);
    expect((await roleJson('COMMUNICATIONS_DIRECTOR')).role).toMatchObject({ holderId: 'E500', designeeId: 'E501' });
  });

  it('refuses a separated designee, or the director twice, with a 400 naming the field, and changes nothing', async () => {
    const put = await stack.hr.put({
      source: 'cabq.hr',
      'detail-type': 'Employee Updated',
      detail: {
        employeeId: 'E202',
        name: 'Isabel Romero',
        email: 'iromero@cabq.example',
        departmentCode: 'LIB',
        title: 'Outreach Librarian',
        supervisorId: 'E201',
        status: 'SEPARATED',
        separationDate: '2026-11-30',
        effectiveAt: new Date().toISOString(),
        sequence: 1,
      },
    });
    expect(put).toMatchObject({ status: 202, body: { result: 'applied' } });

    const json = await as(stack, 'E400').post('/directory/departments/PRD', { director: 'tsandoval@cabq.example', designee: 'iromero@cabq.example' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { fields: Record<string, string> }).fields).toEqual({
      designee: 'Isabel Romero has separated from the City and cannot be chosen',
    });
    const page = await browser('E400').post('/directory/departments/PRD', { director: 'tsandoval@cabq.example', designee: 'tsandoval@cabq.example' });
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('id="error-summary" tabindex="-1" autofocus data-focus-on-load');
    expect(text).toContain('<a href="#designee">Tom Sandoval is the director already: the designee must be someone other than the director</a>');
    expect(text).toContain('aria-invalid="true"');
    expect((await departmentJson('PRD')).history).toHaveLength(1);

    // HR's record, with where it came from; the overview counts the separation.
    const isabel = await (await browser('E400').get('/directory/people/E202')).text();
    expect(isabel).toContain('<dt>Status</dt><dd><span class="app-status app-status--separated">separated</span></dd>');
    expect(isabel).toContain('<dt>Values from</dt><dd>HR’s feed</dd>');
    expect(isabel).toContain('<li>Status: SEPARATED, separated on 2026-11-30</li>');
    const overview = (await (await as(stack, 'E400').get('/directory')).json()) as { counts: Record<string, number> };
    expect(overview.counts).toMatchObject({ people: 21, separated: 1 });
  });

  it('refuses a change older than one HR has recorded with a 409, and changes nothing', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    const put = await stack.hr.put({
      source: 'cabq.hr',
      'detail-type': 'Department Updated',
      detail: { code: 'LIB', name: 'Albuquerque Public Library', directorId: 'E201', designeeId: 'E200', effectiveAt: future, sequence: 1 },
    });
    expect(put).toMatchObject({ status: 202, body: { result: 'applied' } });

    const page = await browser('E400').post('/directory/departments/LIB', { director: 'glucero@cabq.example', designee: 'hotero@cabq.example' });
    expect(page.status).toBe(409);
    const text = await page.text();
    expect(text).toContain('<h2 class="usa-alert__heading">A newer change is recorded</h2>');
    expect(text).toContain('A newer change to Albuquerque Public Library is recorded (from HR’s feed, effective');
    expect(text).toContain(breadcrumb);
    const json = await as(stack, 'E400').post('/directory/departments/LIB', { director: 'glucero@cabq.example', designee: 'hotero@cabq.example' });
    expect(json.status).toBe(409);
    expect(((await json.json()) as { error: string }).error).toBe('ConflictError');
    const { department, history } = await departmentJson('LIB');
    expect(department).toMatchObject({ directorId: 'E201', designeeId: 'E200', provenance: { source: 'HR' } });
    expect(history.map((c) => c.provenance.source)).toEqual(['HR']);
  });
});

describe('DTI assigns and removes a City-wide role', () => {
  const coordinator = '/directory/roles/COMMUNICATIONS_COORDINATOR';

  it('assigns a holder and designee, recorded as a Role Assigned with who made it', async () => {
    const res = await browser('E401').post(coordinator, { holder: 'pherrera@cabq.example', designee: 'emartinez@cabq.example' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${coordinator}?done=changed&moved=yes`);
    const { role, history } = await roleJson('COMMUNICATIONS_COORDINATOR');
    expect(role).toMatchObject({ holderId: 'E501', designeeId: 'E500', provenance: { source: 'DTI', by: { id: 'E401', name: 'Julia Vigil' } } });
    expect(history.map((c) => [c.type, c.detail])).toEqual([
      ['Role Assigned', expect.objectContaining({ role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E501', designeeId: 'E500', sequence: 0 })],
    ]);
  });

  it('asks to confirm before leaving the role vacant, then records a Role Removed and flags the role', async () => {
    const ask = await browser('E400').post(coordinator, { action: 'remove' });
    expect(ask.status).toBe(200);
    const confirm = await ask.text();
    expect(confirm).toContain('<h1>Leave the Communications Coordinator role vacant?</h1>');
    expect(confirm).toContain(`<form class="usa-form" method="post" action="${coordinator}" novalidate>
  <input type="hidden" name="action" value="remove">
  <input type="hidden" name="confirm" value="yes">`);
    expect(confirm).toContain(`<a class="usa-link" href="${coordinator}">No, keep it as it is</a>`);
    expect((await roleJson('COMMUNICATIONS_COORDINATOR')).role.holderId).toBe('E501');

    const res = await browser('E400').post(coordinator, { action: 'remove', confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${coordinator}?done=removed&moved=yes`);
    const { role, history } = await roleJson('COMMUNICATIONS_COORDINATOR');
    expect(role.holderId).toBeUndefined();
    expect(role.vacantSince).toEqual(expect.any(String));
    expect(history.map((c) => c.type)).toEqual(['Role Assigned', 'Role Removed']);

    const overview = (await (await as(stack, 'E400').get('/directory')).json()) as { attention: { id: string; nobody: boolean }[] };
    expect(overview.attention[0]).toMatchObject({ id: 'COMMUNICATIONS_COORDINATOR', nobody: true });
    const page = await (await browser('E400').get('/directory')).text();
    expect(page).toContain('<a href="/directory/roles/COMMUNICATIONS_COORDINATOR">Communications Coordinator</a> <strong>(nobody can act)</strong>');

    const again = await as(stack, 'E400').post(coordinator, { action: 'remove', confirm: 'yes' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('Nobody holds the Communications Coordinator role now; there is nothing to remove.');
  });
});

describe('people (HR’s, read only)', () => {
  it('finds people by name, email or id, a separated person by email or id only, and says what to type', async () => {
    const byName = (await (await as(stack, 'E400').get('/directory/people?q=ana')).json()) as { people: { id: string }[] };
    expect(byName.people.map((p) => p.id)).toEqual(['E102']);
    const byId = (await (await as(stack, 'E400').get('/directory/people?q=E202')).json()) as { people: { id: string }[] };
    expect(byId.people.map((p) => p.id)).toEqual(['E202']);
    expect(((await (await as(stack, 'E400').get('/directory/people?q=isabel')).json()) as { people: unknown[] }).people).toEqual([]);
    const page = await (await browser('E400').get('/directory/people?q=iromero%40cabq.example')).text();
    expect(page).toContain('<a href="/directory/people/E202">Isabel Romero</a>');
    const short = await browser('E400').get('/directory/people?q=a');
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('<a href="#q">Type at least 2 characters</a>');
    expect((await browser('E400').get('/directory/people/E999')).status).toBe(404);
  });
});
