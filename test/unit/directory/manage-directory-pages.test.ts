import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedPerson } from '#directory/admin';
import { confirmRemovalPage, departmentPage, peoplePage, rolePage } from '#directory/admin-pages';
import { viewerFor } from '#site/navigation';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { department, mockPeople, people, person, roleHolders } from '../fixtures.ts';

const viewer = viewerFor(person('E400'), roleHolders);
const everyone = new Map<string, RecordedPerson>(people.map((p) => [p.id, p]));
const breadcrumb = '<a class="usa-breadcrumb__link" href="/directory"><span>Directory</span></a>';

describe('the access check, before anything is read', () => {
  type Module = typeof import('#directory/handlers/manage-directory');
  let handler: Module['handler'];
  const ddb = mockClient(DynamoDBDocumentClient);

  beforeAll(async () => {
    setFunctionEnv();
    ({ handler } = await import('#directory/handlers/manage-directory'));
  });

  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
  });

  /** A JSON request on `routeKey` (httpEvent's own route key is the path). */
  const request = (email: string, routeKey: string, path: string, pathParameters?: Record<string, string>) => {
    const method = routeKey.startsWith('POST') ? 'POST' : 'GET';
    const event = httpEvent({
      method,
      path,
      email,
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      ...(pathParameters ? { pathParameters } : {}),
      ...(method === 'POST' ? { body: JSON.stringify({ director: 'agallegos@cabq.example', designee: 'mchavez@cabq.example' }) } : {}),
    });
    return handler({ ...event, routeKey, requestContext: { ...event.requestContext, routeKey } }, lambdaContext);
  };

  it('answers a GET and a POST by someone outside DTI with a 403 naming who may, and reads or writes nothing of the directory', async () => {
    for (const res of [
      await request(person('E102').email, 'GET /directory', '/directory'),
      await request(person('E102').email, 'POST /directory/{section}/{id}', '/directory/departments/PRD', { section: 'departments', id: 'PRD' }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body as string)).toEqual({
        error: 'ForbiddenError',
        message:
          'Only DTI (the Department of Technology and Innovation) administers the directory; Ana Gallegos is not in DTI. Ask DTI to change a department’s director or designee, or who holds a City-wide role.',
      });
    }
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } });
    expect(ddb).not.toHaveReceivedCommandWith(QueryCommand, { ExpressionAttributeValues: { ':pk': 'DEPARTMENTS' } });
  });

  it('lets DTI through to the page', async () => {
    const res = await request(person('E401').email, 'GET /directory/{section}', '/directory/roles', { section: 'roles' });
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(res.body as string) as { roles: { role: string }[] }).roles.map((r) => r.role)).toEqual([
      'COMMUNICATIONS_DIRECTOR',
      'APD_DIRECTOR_OF_COMMUNICATIONS',
      'COMMUNICATIONS_COORDINATOR',
      'CITY_CLERK_CONTACT',
    ]);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: 'ROLE#CITY_CLERK_CONTACT', SK: 'PROFILE' }, ConsistentRead: true });
  });
});

describe('the pages', () => {
  it('shows a refused form again with the error summary that takes focus, linked to the field or its first match', () => {
    const html = departmentPage({
      viewer,
      department: department('PRD'),
      people: everyone,
      history: [],
      form: {
        values: { director: 'Tom', designee: 'tsandoval@cabq.example' },
        errors: { director: 'Choose who you mean', designee: 'Tom Sandoval is the director already: the designee must be someone other than the director' },
        choices: { director: [{ id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentName: 'Parks and Recreation' }] },
      },
    });
    expect(html).toContain(breadcrumb);
    expect(html).toContain('id="error-summary" tabindex="-1" autofocus data-focus-on-load');
    expect(html).toContain('<a href="#director-pick-0">Choose who you mean</a>');
    expect(html).toContain('<a href="#designee">Tom Sandoval is the director already: the designee must be someone other than the director</a>');
    expect(html).toContain('<label class="usa-radio__label" for="director-pick-0">Tom Sandoval');
    expect(html).toContain('<dt>Values from</dt><dd>seeded (demo data)</dd>');
    expect(html).toContain('<p>No change has been recorded: the values are as the directory was first loaded.</p>');
  });

  it('shows a role’s history newest first, with where each change came from and the hand-over it made', () => {
    const provenance = (at: string) => ({ source: 'DTI' as const, effectiveAt: at, receivedAt: at, by: { id: 'E400', name: 'Samuel Ortiz' } });
    const html = rolePage({
      viewer,
      role: 'COMMUNICATIONS_COORDINATOR',
      record: { role: 'COMMUNICATIONS_COORDINATOR', vacantSince: '2026-12-02T17:00:00.000Z', version: 'b', provenance: provenance('2026-12-02T17:00:00.000Z') },
      people: everyone,
      history: [
        {
          version: 'a',
          type: 'Role Assigned',
          detail: { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E501', designeeId: 'E500', effectiveAt: '2026-12-01T17:00:00.000Z', sequence: 0 },
          provenance: provenance('2026-12-01T17:00:00.000Z'),
          handOverReason: 'Communications Coordinator: a new holder or designee (recorded by DTI (Samuel Ortiz) on 2026-12-01)',
        },
        {
          version: 'b',
          type: 'Role Removed',
          detail: { role: 'COMMUNICATIONS_COORDINATOR', effectiveAt: '2026-12-02T17:00:00.000Z', sequence: 0 },
          provenance: provenance('2026-12-02T17:00:00.000Z'),
        },
      ],
      form: {},
      notice: 'removed',
      handedOver: true,
    });
    expect(html).toContain(
      'Nobody holds the role now; the change is recorded below, with your name. The open approvals and tasks of the people who left the post',
    );
    expect(html).toContain('<dt>Holder</dt><dd><span class="usa-tag">Nobody</span></dd>');
    expect(html.indexOf('Role Removed')).toBeLessThan(html.indexOf('Role Assigned'));
    expect(html).toContain(
      '<li>Holder: Paul Herrera (E501)</li><li>Designee: Elena Martinez (E500)</li><li>Open work moved: Communications Coordinator: a new holder',
    );
    expect(html).not.toContain('name="action" value="remove"');
  });

  it('asks before a role is left vacant, saying what it means', () => {
    const html = confirmRemovalPage({
      viewer,
      role: 'COMMUNICATIONS_DIRECTOR',
      record: { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
      people: everyone,
    });
    expect(html).toContain('Until someone is assigned, nobody can decide the approvals that need the Communications Director: DTI is told of each one.');
    expect(html).toContain(
      '<form class="usa-form" method="post" action="/directory/roles/COMMUNICATIONS_DIRECTOR" novalidate>\n  <input type="hidden" name="action" value="remove">',
    );
  });

  it('labels the search and marks its error for screen readers', () => {
    const html = peoplePage({ viewer, q: 'a', departments: new Map(), error: 'Type at least 2 characters' });
    expect(html).toContain('<label class="usa-label" for="q">Name, City email or employee id</label>');
    expect(html).toContain('aria-describedby="q-hint q-error" aria-invalid="true"');
    expect(html).toContain('<a href="#q">Type at least 2 characters</a>');
  });
});
