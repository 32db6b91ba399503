import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningSes, startSes } from '../../infra/local/services.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { validForm } from '../support/forms.ts';
import { boot, eventually, killGroup, linkOf, mail, rng, scan } from './harness.ts';
import { denverDaysFromNow, denverToday, seedAccounts } from '../support/offboarding.ts';

/**
 * The crash tier: the local stack runs as a child, a burst of submissions, decisions, HR
 * separations (offboarding) and annual review answers (a director's page, DTI's platforms) hits it,
 * and the whole process group (DynamoDB Local's java too) is SIGKILLed at a point a seeded random
 * generator picks. It restarts on the same data, and the invariants are checked:
 * - every stored request has its execution and its first email, within seconds;
 * - every acknowledged submission is stored, every acknowledged decision recorded;
 * - no decision is recorded without its run moving on (the next step emailed, or the outcome recorded);
 * - nobody is emailed twice for one step (except a send the kill cut between the provider taking
 *   it and its confirmation: the ledger marks it `uncertain`, and its copy carries the same link);
 * - the history tells the truth (a request's status agrees with its decisions);
 * - an acknowledged review answer is submitted and applied (its revocation made, the person told once),
 *   and every review page was emailed once;
 * - a directory change in the burst that takes a department director's post moves the approvals
 *   waiting for her to the new director, each new link emailed once, and nothing more to her;
 * - every other request kind (posting authority, post removal, departmental policy, exception, City
 *   website display, platform proposal) asked in the burst too: each acknowledged one is stored, runs
 *   as one execution on its own kind's state machine, and its first approver was emailed once.
 * A failing seed is in the test's name: `CRASH_SEEDS=<seed> npx vitest run --project crash` replays it.
 */
const seeds = (process.env.CRASH_SEEDS ?? '11,23,37,41,59').split(',').map(Number);
const burstSubmissions = 30;
const decisionsInBurst = 10;
/** Employees separated during the burst, each an admin of two accounts with a co-admin. */
const separationsInBurst = 3;
/** Requests waiting for a director whose post a directory change in the burst moves (issue 13). */
const handOversInBurst = 2;
/** Submissions of each other request kind in the burst (six kinds, each on its own state machine). */
const otherKindSubmissions = 2;

/**
 * Each request kind by its id's prefix: its state machine, and who decides its first step for a
 * request of Ana Gallegos (E102, Parks, supervised by Marcus Chavez) about a Parks account.
 */
const kinds = {
  na: { kind: 'NEW_ACCOUNT', stateMachine: 'newAccountApproval', firstApprover: 'dbaca@cabq.example' },
  pa: { kind: 'POSTING_AUTHORITY', stateMachine: 'postingAuthorityApproval', firstApprover: 'dbaca@cabq.example' },
  pr: { kind: 'POST_REMOVAL', stateMachine: 'postRemovalApproval', firstApprover: 'mchavez@cabq.example' },
  dp: { kind: 'DEPARTMENT_POLICY', stateMachine: 'departmentPolicyApproval', firstApprover: 'emartinez@cabq.example' },
  ex: { kind: 'EXCEPTION', stateMachine: 'exceptionApproval', firstApprover: 'rapodaca@cabq.example' },
  wd: { kind: 'WEBSITE_DISPLAY', stateMachine: 'websiteDisplayApproval', firstApprover: 'sortiz@cabq.example' },
  pp: { kind: 'PLATFORM_PROPOSAL', stateMachine: 'platformProposalApproval', firstApprover: 'sortiz@cabq.example' },
} as const;
type KindPrefix = keyof typeof kinds;
const kindOf = (requestId: string) => kinds[requestId.slice(0, 2) as KindPrefix] as (typeof kinds)[KindPrefix] | undefined;

/** What Ana Gallegos asks of each other kind in the burst (valid bodies: see each kind's http and statemachines tests). */
function otherAsks(accountId: string, tag: string): { prefix: Exclude<KindPrefix, 'na'>; path: string; body: Record<string, unknown> }[] {
  return Array.from({ length: otherKindSubmissions }, (_, i) => [
    {
      prefix: 'pa' as const,
      path: `/accounts/${accountId}/authority`,
      body: { granteeId: 'E103', role: 'POSTER', receivesCredential: false, reason: 'Posts the weekly pool schedule and closures.' },
    },
    {
      prefix: 'pr' as const,
      path: `/accounts/${accountId}/removals`,
      body: {
        postRef: `https://www.facebook.com/abqparks/posts/crash${tag}${i}`,
        action: 'DELETE',
        reason: 'The post gave the wrong date for the pool opening.',
        content: { text: 'Pools open June 1!\nBring sunscreen.', author: 'ABQ Parks', publishedAt: '2025-05-20T15:04:00Z', mediaLinks: [] },
      },
    },
    {
      prefix: 'dp' as const,
      path: '/departments/PRD/policies',
      body: {
        version: `crash-${tag}.${i}`,
        text: 'Staff reply to comments within one business day.',
        additions: 'Reply times and a weekend rota for comments.',
      },
    },
    {
      prefix: 'ex' as const,
      path: `/accounts/${accountId}/exceptions`,
      body: { standard: 'b', reason: 'The summer camp page shares partner posts for the season.', endsOn: denverDaysFromNow(30 + i) },
    },
    {
      prefix: 'wd' as const,
      path: `/accounts/${accountId}/displays`,
      body: {
        webPageUrl: `https://www.cabq.gov/parks/crash-${tag}-${i}`,
        content: 'The latest 3 posts',
        moderation: 'A Parks web editor approves each post before the embed shows it and checks every link.',
        automaticFeed: 'no',
      },
    },
    {
      prefix: 'pp' as const,
      path: '/platform-proposals',
      body: {
        name: `Crashnet ${tag} ${i}`,
        siteUrl: `https://www.crashnet-${tag}-${i}.example`,
        description: 'A social network where residents follow local news and events.',
        reason: 'Residents asked us to post program updates there.',
        agreementUrl: `https://www.crashnet-${tag}-${i}.example/terms`,
      },
    },
  ]).flat();
}

let ses: RunningSes;
beforeAll(async () => {
  ses = await startSes();
});
afterAll(async () => {
  await ses?.stop();
});

function client(baseUrl: string) {
  const headers = { cookie: 'dev_user=E102', accept: 'application/json', 'content-type': 'application/json' };
  return {
    submit: (personId = 'E102', form: Record<string, unknown> = {}) =>
      fetch(`${baseUrl}/requests`, {
        method: 'POST',
        headers: { ...headers, cookie: `dev_user=${personId}` },
        body: JSON.stringify({
          ...validForm,
          ...form,
          proposedHandle: `@crash${randomBytes(5).toString('hex')}`,
          submissionId: randomBytes(9).toString('base64url'),
        }),
      }),
    hr: (detailType: 'Employee Updated' | 'Department Updated' | 'Employee Separated', detail: Record<string, string | number>) =>
      fetch(`${baseUrl}/dev/hr/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'cabq.hr', 'detail-type': detailType, detail }),
      }),
    /** A request of another kind, asked by Ana Gallegos (E102). */
    ask: (path: string, body: Record<string, unknown>) =>
      fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify({ ...body, submissionId: randomBytes(9).toString('base64url') }) }),
    review: (path: string, body: Record<string, unknown>, personId: string) =>
      fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, cookie: `dev_user=${personId}` }, body: JSON.stringify(body) }),
    reviewPage: async (path: string, personId: string) =>
      (await (await fetch(`${baseUrl}${path}`, { headers: { ...headers, cookie: `dev_user=${personId}` } })).json()) as {
        accounts?: { accountId: string; grants: { personId: string }[] }[];
        platforms?: { platformId: string }[];
      },
    decide: (approvalId: string, secret: string, outcome: 'APPROVED' | 'REJECTED') =>
      fetch(`${baseUrl}/approvals/${approvalId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ s: secret, outcome, ...(outcome === 'REJECTED' ? { reason: 'not in this form, please' } : {}) }).toString(),
      }),
  };
}

describe('the local stack killed mid-burst', () => {
  it.each(seeds)('keeps every request, decision and email exactly once (seed %i)', async (seed) => {
    const random = rng(seed);
    await fetch(`${ses.endpoint}/clear-store`, { method: 'POST' });
    const dataDir = mkdtempSync(join(tmpdir(), 'smg-crash-'));
    const port = await freePort();
    const director = 'dbaca@cabq.example';
    const communications = 'emartinez@cabq.example';
    try {
      let { child, ready } = await boot(dataDir, port, ses.endpoint);
      const api = client(ready.baseUrl);

      // Offboarding too: employees who each administer two accounts with a co-admin, separated in the burst.
      const tag = randomBytes(3).toString('hex');
      // And a poster on every one of those accounts, whose posting authority the annual review below ends.
      const staff = Array.from({ length: separationsInBurst * 2 + 1 }, (_, i) => ({
        id: `C${tag}${i}`,
        name: `Crash Test ${tag} ${i}`,
        email: `c${tag}${i}@cabq.example`,
      }));
      const poster = staff[separationsInBurst * 2] as (typeof staff)[number];
      for (const p of staff) {
        // Each one's whole record, HR's first for them (sequence 0).
        const hired = {
          employeeId: p.id,
          name: p.name,
          email: p.email,
          departmentCode: 'PRD',
          status: 'ACTIVE',
          effectiveAt: new Date().toISOString(),
          sequence: 0,
        };
        expect((await api.hr('Employee Updated', hired)).status).toBe(202);
      }
      const seedClient = new DynamoDBClient({ endpoint: ready.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
      const leavers = await Promise.all(
        Array.from({ length: separationsInBurst }, async (_, i) => {
          const [leaver, coAdmin] = [staff[2 * i], staff[2 * i + 1]] as [(typeof staff)[number], (typeof staff)[number]];
          const shim = { client: seedClient, tableName: ready.tableName } as unknown as LocalStack;
          const accounts = await seedAccounts(shim, 2, [
            { personId: leaver.id, personName: leaver.name, role: 'ADMIN' },
            { personId: coAdmin.id, personName: coAdmin.name, role: 'ADMIN' },
            { personId: poster.id, personName: poster.name, role: 'POSTER' },
          ]);
          return { leaver, coAdmin, accounts };
        }),
      );
      // The account Ana Gallegos (E102, an active admin) asks about in the burst: posting authority for
      // Tom Sandoval, post removals, exceptions, displays on a City web page. Two admins, as every account
      // has (the director's review answer is refused for an account it would leave with fewer).
      const [asked] = await seedAccounts({ client: seedClient, tableName: ready.tableName } as unknown as LocalStack, 1, [
        { personId: 'E102', personName: 'Ana Gallegos', role: 'ADMIN' },
        { personId: 'E101', personName: 'Marcus Chavez', role: 'ADMIN' },
      ]);
      seedClient.destroy();
      const asks = otherAsks(asked?.accountId as string, tag);
      const separationDate = denverToday();

      // Requests already waiting for the director, whose links the burst decides.
      const before = await Promise.all(Array.from({ length: decisionsInBurst }, () => api.submit().then((r) => r.json() as Promise<{ requestId: string }>)));
      const links = await eventually(async () => {
        const emails = await mail(ses.endpoint);
        const found = before.map(({ requestId }) => emails.find((e) => e.to === director && e.text.includes(requestId)));
        if (found.some((e) => !e)) throw new Error('first emails not all out yet');
        return found.map((e) => linkOf(e?.text ?? '') as RegExpExecArray);
      });

      // Requests waiting for the Library's director, Grace Lucero (E200), whose post a Department Updated
      // in the burst gives to her designee, Henry Otero (E201), and her his (issue 13): they move at once.
      const library = { was: 'glucero@cabq.example', now: 'hotero@cabq.example' };
      const libraryRequests = await Promise.all(
        Array.from({ length: handOversInBurst }, () =>
          api.submit('E202', { departmentCode: 'LIB', adminIds: ['E202', 'E201'] }).then(async (r) => {
            const body = (await r.json()) as { requestId?: string };
            if (r.status !== 201 || !body.requestId) throw new Error(`a Library request was refused: ${r.status} ${JSON.stringify(body)}`);
            return body.requestId;
          }),
        ),
      );
      await eventually(async () => {
        const emails = await mail(ses.endpoint);
        if (libraryRequests.some((id) => !emails.some((e) => e.to === library.was && e.text.includes(id))))
          throw new Error('library first emails not all out yet');
      });

      // The year's annual review, open before the burst: the Parks director's page (the leavers' accounts)
      // and DTI's platforms page, both answered in the burst; the director revokes one poster.
      const year = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date());
      expect((await api.review('/reviews', { year }, 'E400')).status).toBe(202);
      const parksPath = `/reviews/${year}/departments/PRD`;
      const { page: parks, platformsPage } = await eventually(async () => {
        const page = await api.reviewPage(parksPath, 'E100');
        const platformsPage = await api.reviewPage(`/reviews/${year}/platforms`, 'E400');
        if (!page.accounts?.length || !platformsPage.platforms?.length) throw new Error('review pages not open yet');
        return { page, platformsPage };
      });
      // The director revokes the poster (not an admin: the offboarding's rotation goes to the co-admins).
      const revoked = { accountId: leavers[0]?.accounts[0]?.accountId as string, person: poster };
      const parksAnswers = Object.fromEntries(
        (parks.accounts ?? []).flatMap((a) => [
          [`a.${a.accountId}.inUse`, 'yes'],
          [`a.${a.accountId}.officialSite`, 'yes'],
          [`a.${a.accountId}.purposeNotice`, 'yes'],
          ...a.grants.map((g) => [`a.${a.accountId}.keep.${g.personId}`, a.accountId === revoked.accountId && g.personId === revoked.person.id ? 'no' : 'yes']),
        ]),
      );
      const platformAnswers = Object.fromEntries((platformsPage.platforms ?? []).map((p) => [`p.${p.platformId}.decision`, 'KEEP']));

      const acknowledged = {
        submitted: new Set<string>(),
        decided: new Map<string, string>(),
        separated: new Set<string>(),
        reviewed: new Set<string>(),
        handedOver: false,
        /** Acknowledged requests of the other kinds, by id: the prefix the kind's ids start with. */
        asked: new Map<string, KindPrefix>(),
      };
      /** Answers that were not the request's acknowledgement: a refused body would leave a kind untested. */
      const refused: string[] = [];
      // The kill point: after the k-th answer of the burst, then a few more milliseconds, both seeded,
      // so it lands while requests, starts, emails and decisions are in flight.
      const killAfterAnswers = 1 + Math.floor(random() * (burstSubmissions + decisionsInBurst + separationsInBurst + 3 + asks.length - 10));
      const killAfterMs = Math.floor(random() * 40);
      let answers = 0;
      let answered!: () => void;
      const enoughAnswers = new Promise<void>((resolve) => {
        answered = resolve;
      });
      const count = () => {
        answers += 1;
        if (answers === killAfterAnswers) answered();
      };
      // The review answers are the burst's slowest requests, so an early kill always cuts them; in
      // about half the seeds the kill waits for the director's answer to be acknowledged too, so that
      // an acknowledged answer is also seen to survive (its changes made, its notice sent once).
      const afterDirectorsAnswer = (seed >> 1) % 2 === 1;
      const reviewAnswers = [
        { path: parksPath, body: parksAnswers, personId: 'E100' },
        { path: `/reviews/${year}/platforms`, body: platformAnswers, personId: 'E400' },
      ].map(async ({ path, body, personId }) => {
        const res = await api.review(path, { action: 'submit', confirmed: true, ...body }, personId);
        if (res.status === 200) acknowledged.reviewed.add(path);
        count();
      });
      const burst = [
        ...Array.from({ length: burstSubmissions }, async () => {
          const res = await api.submit();
          const body = (await res.json()) as { requestId?: string };
          if (res.status === 201 && body.requestId) acknowledged.submitted.add(body.requestId);
          count();
        }),
        ...links.map(async ([, approvalId, secret], i) => {
          const outcome = random() < 0.7 ? 'APPROVED' : 'REJECTED';
          const res = await api.decide(approvalId as string, secret as string, outcome);
          if (res.status === 200) acknowledged.decided.set(approvalId as string, `${before[i]?.requestId}:${outcome}`);
          count();
        }),
        ...reviewAnswers,
        ...asks.map(async ({ prefix, path, body }) => {
          const res = await api.ask(path, body);
          const answer = (await res.json()) as { requestId?: string; message?: string };
          if (res.status === 201 && answer.requestId?.startsWith(`${prefix}-`)) acknowledged.asked.set(answer.requestId, prefix);
          // A 5xx is the kill cutting the request (DynamoDB Local's java going first); anything else is the body refused.
          else if (res.status < 500) refused.push(`${prefix} ${path}: ${res.status} ${JSON.stringify(answer)}`);
          count();
        }),
        (async () => {
          const res = await api.hr('Department Updated', {
            code: 'LIB',
            name: 'Albuquerque Public Library',
            directorId: 'E201',
            designeeId: 'E200',
            effectiveAt: new Date().toISOString(),
            sequence: 1,
          });
          if (res.status === 202) acknowledged.handedOver = true;
          count();
        })(),
        ...leavers.map(async ({ leaver }) => {
          const res = await api.hr('Employee Separated', { employeeId: leaver.id, separationDate });
          if (res.status === 202) acknowledged.separated.add(leaver.id);
          count();
        }),
      ].map((p) => p.catch(() => undefined));
      await enoughAnswers;
      if (afterDirectorsAnswer) await reviewAnswers[0]?.catch(() => undefined);
      await new Promise((r) => setTimeout(r, killAfterMs));
      await killGroup(child);
      await Promise.all(burst);
      expect(refused, 'every other-kind submission the stack answered before the kill was accepted').toEqual([]);

      ({ child, ready } = await boot(dataDir, port, ses.endpoint));
      const restartedAt = Date.now();
      let libraryApplied = false;
      const db = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: ready.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }),
      );
      try {
        const storedOtherKinds = await eventually(async () => {
          const rows = await scan(db, ready.tableName);
          const executions = new Map((await scan(db, 'local-step-functions-executions')).map((e) => [String(e.name), e]));
          // Executions by the request they run (the input names it), whatever their name or state machine.
          const runsOf = new Map<string, number>();
          for (const e of executions.values()) {
            const requestId = (JSON.parse(String(e.input ?? '{}')) as { requestId?: string }).requestId;
            if (requestId) runsOf.set(requestId, (runsOf.get(requestId) ?? 0) + 1);
          }
          const requests = rows.filter((r) => r.PK.startsWith('REQ#') && r.SK === 'META');
          const approvals = rows.filter((r) => r.PK.startsWith('REQ#') && r.SK.startsWith('APPR#'));
          const emails = await mail(ses.endpoint);
          const ids = new Set(requests.map((r) => String(r.requestId)));

          // Nothing acknowledged is lost.
          for (const id of acknowledged.submitted) expect(ids, `acknowledged submission ${id}`).toContain(id);
          for (const [id, prefix] of acknowledged.asked) {
            expect(ids, `acknowledged ${kinds[prefix].kind} request ${id}`).toContain(id);
            expect(requests.find((r) => r.requestId === id)?.kind, `kind of ${id}`).toBe(kinds[prefix].kind);
          }
          for (const [approvalId, what] of acknowledged.decided) {
            const a = approvals.find((x) => x.approvalId === approvalId);
            expect((a?.decision as { outcome?: string } | undefined)?.outcome, `acknowledged decision ${what}`).toBe(what.split(':')[1]);
          }
          for (const r of requests) {
            const id = String(r.requestId);
            // Every stored request has its execution, and nothing is left waiting to be started.
            // It runs once, on its own kind's state machine.
            const kind = kindOf(id);
            expect(kind?.kind, `kind of ${id}`).toBe(r.kind);
            expect(executions.get(id)?.status, `execution of ${id}`).toMatch(/RUNNING|SUCCEEDED/);
            expect(executions.get(id)?.stateMachine, `state machine of ${id}`).toBe(kind?.stateMachine);
            expect(runsOf.get(id), `executions of ${id}`).toBe(1);
            expect(r.pendingStart, `start marker of ${id}`).toBeUndefined();
            const mine = approvals.filter((a) => a.requestId === id);
            const step0 = mine.find((a) => a.SK === 'APPR#00#0') as
              | { decision?: { outcome: string }; 'mail:first'?: { uncertain?: boolean; sentAt?: string } }
              | undefined;
            // The Library's requests are checked below, with the hand-over.
            if (libraryRequests.includes(id)) continue;
            // Its first approver was emailed its link once (twice at most for a send the kill left uncertain).
            const firsts = emails.filter((e) => e.to === kind?.firstApprover && e.subject.startsWith('Decision needed') && e.text.includes(id));
            const firstSlot = step0?.['mail:first'];
            expect(firstSlot?.sentAt, `first email of ${id} recorded as sent`).toBeDefined();
            expect(firsts.length, `first emails of ${id} to ${kind?.firstApprover} (slot ${JSON.stringify(firstSlot)})`).toBeGreaterThanOrEqual(1);
            expect(firsts.length, `first emails of ${id} to ${kind?.firstApprover} (slot ${JSON.stringify(firstSlot)})`).toBeLessThanOrEqual(
              firstSlot?.uncertain ? 2 : 1,
            );
            // No decision without the run moving on; the status tells what the decisions say.
            if (step0?.decision?.outcome === 'APPROVED') {
              expect(
                emails.some((e) => e.to === communications && e.text.includes(id)),
                `${id}: approved by the director, so the Communications Director is asked`,
              ).toBe(true);
              expect(r.status).toBe('PENDING');
            } else if (step0?.decision?.outcome === 'REJECTED') {
              expect(r.status, `${id}: rejected`).toBe('REJECTED');
            } else {
              expect(r.status, `${id}: undecided`).toBe('PENDING');
            }
          }
          // Nobody is emailed twice for one step: one email per link and kind, except a send the
          // kill cut before its confirmation (uncertain), whose one copy carries the same link.
          const uncertain = new Set(
            approvals.filter((a) => (a['mail:first'] as { uncertain?: boolean } | undefined)?.uncertain).map((a) => String(a.approvalId)),
          );
          const perLink = new Map<string, number>();
          for (const e of emails) {
            const link = linkOf(e.text);
            if (link?.[1])
              perLink.set(`${e.to} ${e.subject.split(':')[0]} ${link[1]}`, (perLink.get(`${e.to} ${e.subject.split(':')[0]} ${link[1]}`) ?? 0) + 1);
          }
          for (const [key, n] of perLink) {
            const approvalId = key.split(' ').pop() as string;
            const slot = JSON.stringify(approvals.find((a) => a.approvalId === approvalId)?.['mail:first']);
            expect(n, `${key} (seed ${seed}; its ledger slot: ${slot})`).toBeLessThanOrEqual(uncertain.has(approvalId) ? 2 : 1);
          }
          // The hand-over: once the Library's change was acknowledged (or applied before the kill cut its
          // answer), each request waits for Henry Otero, on a new link emailed to him once (but for an
          // uncertain send), and Grace Lucero had only her first email; otherwise nothing moved.
          const libraryMoved = acknowledged.handedOver || rows.some((r) => r.PK === 'DEPT#LIB' && r.SK === 'PROFILE' && r.directorId === 'E201');
          libraryApplied = libraryMoved;
          for (const id of libraryRequests) {
            const step0 = approvals.find((a) => a.requestId === id && a.SK === 'APPR#00#0');
            const slot = step0?.['mail:first'] as { uncertain?: boolean; sentAt?: string } | undefined;
            const moved = emails.filter((e) => e.to === library.now && e.subject.startsWith('Moved to you') && e.text.includes(id));
            const toHer = emails.filter((e) => e.to === library.was && e.text.includes(id));
            expect(
              toHer.map((e) => e.subject.split(':')[0]),
              `${id}: Grace Lucero's emails`,
            ).toEqual(['Decision needed']);
            const state = JSON.stringify({
              acknowledged: acknowledged.handedOver,
              department: rows.find((r) => r.PK === 'DEPT#LIB' && r.SK === 'PROFILE'),
              handOvers: rows.filter((r) => r.PK.startsWith('HANDOVER#DEPT#LIB')),
              approvals: approvals.filter((a) => a.requestId === id).map((a) => [a.SK, a.approverId, a.supersededAt ?? null]),
            });
            expect(step0?.approverId, `${id}: who decides step 0 (${state})`).toBe(libraryMoved ? 'E201' : 'E200');
            expect(moved.length, `${id}: moved emails (slot ${JSON.stringify(slot)})`).toBe(
              libraryMoved ? (slot?.uncertain ? Math.min(moved.length, 2) : 1) : 0,
            );
            if (libraryMoved) expect(slot?.sentAt, `${id}: moved email recorded as sent`).toBeDefined();
          }
          // Offboarding: every acknowledged separation runs, revokes every grant of the leaver and sends
          // each co-admin one rotation link per account (but for an uncertain send).
          const offboardings = [...executions.values()].filter((e) => String(e.name).startsWith('off-'));
          for (const { leaver, coAdmin, accounts } of leavers) {
            const execution = offboardings.find((e) => String(e.name).startsWith(`off-${leaver.id}-`));
            if (!acknowledged.separated.has(leaver.id) && !execution) continue; // never accepted: HR sends it again
            expect(execution?.status, `offboarding of ${leaver.id}`).toMatch(/RUNNING|SUCCEEDED/);
            for (const { accountId, handle } of accounts) {
              const grant = rows.find((r) => r.PK === `ACCOUNT#${accountId}` && r.SK.startsWith(`GRANT#${leaver.id}#`));
              expect(grant?.status, `${leaver.id}'s grant on ${accountId}`).toBe('REVOKED');
              const links = rows.filter((r) => r.SK.startsWith(`LINK#${accountId}#ROTATE#0#${coAdmin.id}`));
              expect(links, `rotation link for ${coAdmin.id} on ${accountId}`).toHaveLength(1);
              const sent = emails.filter((e) => e.to === coAdmin.email && e.subject.startsWith('Action needed') && e.subject.includes(`${handle} `));
              const slot = links[0]?.['mail:first'] as { uncertain?: boolean; sentAt?: string } | undefined;
              expect(slot?.sentAt, `rotation email on ${accountId} recorded as sent`).toBeDefined();
              expect(sent.length, `rotation emails to ${coAdmin.id} on ${accountId} (slot ${JSON.stringify(slot)})`).toBe(
                slot?.uncertain ? Math.min(sent.length, 2) : 1,
              );
            }
          }
          // Every stored request's receipt went to its requester once (but for an uncertain send): it
          // precedes the director's first email, which every request has by now (checked above).
          for (const r of requests) {
            const id = String(r.requestId);
            const receipts = emails.filter((e) => e.subject.startsWith('Received:') && e.text.includes(id));
            const slot = rows.find((x) => x.PK === r.PK && x.SK === 'MAIL')?.['mail:receipt'] as { uncertain?: boolean; sentAt?: string } | undefined;
            expect(slot?.sentAt, `receipt of ${id} recorded as sent`).toBeDefined();
            expect(receipts.length, `receipts of ${id} (slot ${JSON.stringify(slot)})`).toBe(slot?.uncertain ? Math.min(receipts.length, 2) : 1);
            expect(new Set(receipts.map((e) => e.to)), `receipt of ${id} goes to its requester`).toEqual(new Set([(r.requester as { email: string }).email]));
          }
          // Outcome emails too: once per request and audience.
          for (const r of requests.filter((x) => x.status === 'REJECTED')) {
            const outcomes = emails.filter((e) => e.subject.startsWith('Not approved') && e.text.includes(String(r.requestId)));
            const slot = rows.find((x) => x.PK === r.PK && x.SK === 'MAIL')?.['mail:outcome-requester'] as { uncertain?: boolean; sentAt?: string } | undefined;
            expect(slot?.sentAt, `rejection email of ${r.requestId} recorded as sent`).toBeDefined();
            expect(outcomes.length, `rejection email of ${r.requestId} (slot ${JSON.stringify(slot)})`).toBe(
              slot?.uncertain ? Math.min(outcomes.length, 2) : 1,
            );
          }
          // The annual review: its execution survives; an acknowledged answer is submitted and applied;
          // each page's first email and the revoked co-admin's notice went out once (but for an uncertain send).
          expect(executions.get(`annual-review-${year}`)?.status, 'the annual review').toMatch(/RUNNING|SUCCEEDED/);
          const pages = rows.filter((r) => r.PK === `REVIEW#${year}` && r.SK.startsWith('PAGE#'));
          const ledgers = rows.filter((r) => r.PK === `REVIEW#${year}` && r.SK.startsWith('MAIL#'));
          const slotsOf = (sk: string, prefix: string) =>
            Object.entries(ledgers.find((l) => l.SK === sk) ?? {}).filter(([k]) => k.startsWith(`mail:${prefix}`)) as [
              string,
              { uncertain?: boolean; sentAt?: string },
            ][];
          for (const [sk, to] of [
            ['PAGE#DEPT#PRD', director],
            ['PAGE#PLATFORMS', 'sortiz@cabq.example'],
          ] as const) {
            const page = pages.find((p) => p.SK === sk);
            if (acknowledged.reviewed.has(sk === 'PAGE#PLATFORMS' ? `/reviews/${year}/platforms` : parksPath)) {
              expect(page?.status, `${sk} acknowledged`).toBe('SUBMITTED');
              expect(page?.appliedAt, `${sk} applied`).toBeDefined();
            }
            const first = slotsOf(sk.replace('PAGE#', 'MAIL#'), 'initial-0-0-');
            expect(first.length, `${sk}: one first email`).toBe(1);
            const sent = emails.filter((e) => e.to === to && e.text.includes(`/reviews/${year}/`) && !e.subject.startsWith('Reminder'));
            expect(sent.length, `${sk} emails (slot ${JSON.stringify(first)})`).toBe(first[0]?.[1].uncertain ? Math.min(sent.length, 2) : 1);
          }
          if (acknowledged.reviewed.has(parksPath)) {
            const grant = rows.find((r) => r.PK === `ACCOUNT#${revoked.accountId}` && r.SK.startsWith(`GRANT#${revoked.person.id}#`));
            expect(grant?.status, 'the co-admin the director revoked').toBe('REVOKED');
            const notice = slotsOf('MAIL#DEPT#PRD', `revoked-${revoked.accountId}-${revoked.person.id}`);
            const told = emails.filter((e) => e.to === revoked.person.email && e.subject.startsWith('Your posting authority'));
            expect(told.length, `notice to ${revoked.person.id} (slot ${JSON.stringify(notice)})`).toBe(
              notice[0]?.[1].uncertain ? Math.min(told.length, 2) : 1,
            );
          }
          return requests.filter((r) => r.kind !== 'NEW_ACCOUNT').length;
        });
        // What the kill left for recovery, so a run shows the tier exercised something.
        console.log(
          `seed ${seed}: killed ${killAfterMs} ms after answer ${killAfterAnswers}; ${acknowledged.submitted.size}/${burstSubmissions} submissions, ${acknowledged.asked.size}/${asks.length} of the other kinds (${storedOtherKinds} stored), ${acknowledged.decided.size}/${decisionsInBurst} decisions, ${acknowledged.separated.size}/${separationsInBurst} separations and ${acknowledged.reviewed.size}/2 review pages acknowledged; the directory change ${acknowledged.handedOver ? 'acknowledged' : libraryApplied ? 'applied but unanswered (its hand-over finished after the restart)' : 'not applied'}; ` +
            `at restart ${ready.reconciled.started} stored request(s) had no execution; invariants held ${Date.now() - restartedAt} ms after the restart`,
        );
      } finally {
        db.destroy();
        await killGroup(child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
