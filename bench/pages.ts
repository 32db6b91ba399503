/**
 * E. The everyday pages on a City-sized registry, through the local HTTP API as HTML, signed in as
 * the Parks and Recreation Director (E100, the dev sign-in cookie): "My work" with a few approvals
 * waiting (GET /), the registry's first page (GET /accounts), a handle search (?q=), a department
 * filter (?department=LIB) and one account's page with its records (GET /accounts/{id}). Each page
 * is measured at 50 accounts and again once the registry has grown to 2,000 (with 10 records filed
 * under each account, 20,000 in all, and their grants): its latency, and the DynamoDB read units of
 * each request (the capacity meter, reset before each), by store call, so a page whose reads grow
 * with the registry shows it.
 *
 * Set-up, not measured: one new-account request submitted and approved by both steps (the account
 * whose page is measured: a real approval trail), three more submitted and left waiting at the
 * Director (My work's approvals), then the rest of the registry written with BatchWrite as approved
 * requests leave it (test/support/offboarding.ts seedAccounts: PROFILE, handle CLAIM, grants), with
 * its records (RECORD items on GSI1 ACCOUNT_RECORDS#id, records-store.ts).
 *
 * DynamoDB Local runs in memory here (BENCH_DYNAMO=memory, as the tests use it), whatever B–D use:
 * with its data on disk it took 12–15 s for the 675 items of the first 50 accounts on this 2-core
 * machine, so the 26,000 more of 2,000 would take minutes past the watchdog; in memory they take
 * about 30 s. Read units do not depend on it.
 *
 * It runs in a process of its own, started by bench/run.ts (`tsx bench/pages.ts out.json` runs it
 * alone, `BENCH_ONLY=pages npm run bench` runs it alone with the report): its registry must start
 * empty, and a process hosts one stack (the functions keep the table they were first loaded with).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { StackSession } from './stack-session.ts';
import { round, sleep } from './stats.ts';
import { type Op, totalsByCall } from './store-calls.ts';

/** Registry sizes the pages are measured at, in order (the registry grows from one to the next). */
export const PAGES_SIZES = [50, 2000] as const;
export const RECORDS_PER_ACCOUNT = 10;
export const PAGES_WARMUP = 3;
export const PAGES_REQUESTS = 30;
/** Approvals waiting at the Director on My work. */
export const PENDING_APPROVALS = 3;
const SEED_CONCURRENCY = 8;
const VIEWER = 'E100';
const REQUESTER = 'E102';
/** Two in three handles start with the City's "@cabq", so the search fills a page at 50 accounts already. */
export const SEARCH = '@cabq';
export const FILTER_DEPARTMENT = 'LIB';

export interface PageSpec {
  key: string;
  label: string;
  path: string;
  /** The catalogue function that answers it (its store calls are the page's). */
  fn: string;
}

interface PageRun {
  key: string;
  label: string;
  path: string;
  statuses: Record<string, number>;
  /** The first non-200 answer, if any (a route still being finished answers an error). */
  error?: string;
  htmlBytes: number;
  /** What the page lists (rows on a registry page, approvals on My work, filed items on an account page), from its JSON twin. */
  shown?: { rows: number; more?: boolean };
  ms: number[];
  /** Read units of the page's function, per timed request (the local dev sign-in left out). */
  readUnits: number[];
  warmupReadUnits: number[];
  signInReadUnits: number[];
  /** Any writes made during the page's requests (there should be none). */
  writeUnits: number;
  /** Units metered during a request but made by another function (work in the background). */
  otherUnits: number;
  /** The last timed request's store calls. */
  byCall: { fn: string; op: string; calls: number; read: number }[];
}

export interface PagesSize {
  accounts: number;
  records: number;
  grants: number;
  /** BatchWrite of this size's new items (set-up, not measured). */
  seedMs: number;
  seededItems: number;
  pages: PageRun[];
}

export interface PagesResults {
  viewer: string;
  accountId: string;
  warmup: number;
  requests: number;
  pendingApprovals: number;
  search: string;
  filterDepartment: string;
  recordsPerAccount: number;
  dynamo: 'disk' | 'memory';
  stackStartMs: number;
  sizes: PagesSize[];
}

type Item = Record<string, unknown>;

async function main(outFile: string | undefined) {
  // A stuck stack must not hang the benchmark: exiting runs startDynamo's exit hook, which kills DynamoDB Local.
  setTimeout(() => {
    console.error('bench (pages): still running after 5 minutes; giving up.');
    process.exit(1);
  }, 300_000).unref();
  process.env.BENCH_DYNAMO = 'memory'; // see the header
  const { openStackSession } = await import('./stack-session.ts');
  const session = await openStackSession();
  try {
    const results = await measure(session);
    const json = `${JSON.stringify(results, null, 2)}\n`;
    if (outFile) writeFileSync(outFile, json);
    else process.stdout.write(json);
  } finally {
    await session.close();
  }
}

async function measure(session: StackSession): Promise<PagesResults> {
  const { stack, meter, recorder } = session;
  // Imported once the stack is up: they load the app's stores, whose meter reads METER_DYNAMODB at import.
  const { BatchWriteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { approveEveryStep, submit } = await import('../test/support/harness.ts');
  const { demoDirectory } = await import('#local/stack');
  const { accountItem } = await import('#adapters/registry-store');
  const { grantItem } = await import('#adapters/store');
  const { recordItem } = await import('#adapters/records-store');
  const { makeRecord } = await import('#core/records');
  const { policy } = await import('#core/policy');
  type Account = import('#core/registry').Account;
  type Grant = import('#core/registry').Grant;
  type RecordKind = import('#core/records').RecordKind;

  // Outside any function, only the local host's development sign-in reads the table (the AWS authorizer verifies a JWT).
  recorder.outside = () => 'local dev sign-in';
  meter.enabled = false;
  // Unmetered: the seeding.
  const db = DynamoDBDocumentClient.from(stack.client);
  const people = demoDirectory.people;
  const departments = demoDirectory.departments;
  const platforms = (demoDirectory as unknown as { platforms: { id: string; name: string }[] }).platforms;
  const personNamed = (id: string) => {
    const p = people.find((x) => x.id === id);
    if (!p) throw new Error(`no person ${id} in the demo directory`);
    return p;
  };
  /** Each department's staff who hold grants: everyone in it but its director. */
  const staff = Object.fromEntries(
    departments.map((d) => [d.code, people.filter((p) => p.departmentCode === d.code && p.id !== d.directorId).map((p) => p.id)]),
  ) as Record<string, string[]>;

  // --- The measured account: a new-account request approved by both steps (E100, then the Communications Director).
  const approvedRequest = await submit(stack, REQUESTER, { proposedHandle: '@cabqparksbench' });
  const approved = await approveEveryStep(stack, approvedRequest, 2);
  if (approved.status !== 'APPROVED' || !approved.accountId) throw new Error(`the measured account's request ended ${approved.status}`);
  const accountId = approved.accountId;
  // --- Approvals waiting at the Director: submitted, each parked at its first step.
  const waiting: string[] = [];
  for (let i = 0; i < PENDING_APPROVALS; i += 1) waiting.push(await submit(stack, REQUESTER));
  const deadline = Date.now() + 30_000;
  while (waiting.some((id) => stack.sfn.waitingOn(id).length === 0)) {
    if (Date.now() > deadline) throw new Error('the waiting requests never reached their first approver');
    await sleep(10);
  }

  // --- The registry, written directly. Account k (0-based) is in departments[k % 7], on platforms[k % 5].
  const at = new Date();
  const recordKinds: RecordKind[] = ['PRESERVED_POST', 'POST_EDIT', 'MODERATION'];
  const categories = policy.moderation.categories;
  const recordsFor = (account: Pick<Account, 'accountId' | 'handle' | 'platformName' | 'departmentCode' | 'departmentName'>, recordedBy: string, k: number) =>
    Array.from({ length: RECORDS_PER_ACCOUNT }, (_, j) => {
      const kind = recordKinds[(k + j) % recordKinds.length] as RecordKind;
      const when = new Date(at.getTime() - (k * 7 + j * 36 + 1) * 3_600_000);
      const postRef = `https://example.social/${account.handle.slice(1)}/posts/${100_000 + k * 100 + j}`;
      const text = `Join us at the ${['Westside', 'Valley', 'Foothills', 'Downtown'][j % 4]} community center this Saturday for a free family day: games, music and information from City departments. Details and accessibility information at cabq.gov.`;
      const by = personNamed(recordedBy);
      const record = makeRecord(
        {
          kind,
          accountId: account.accountId,
          accountLabel: `${account.handle} on ${account.platformName}`,
          departmentCode: account.departmentCode,
          departmentName: account.departmentName,
          recordedAt: when.toISOString(),
          recordedById: by.id,
          recordedByName: by.name,
          ...(kind === 'PRESERVED_POST'
            ? {
                preserved: {
                  requestId: `pr-bench-${account.accountId.slice(5)}-${j}`,
                  postRef,
                  action: 'DELETE' as const,
                  content: { text, author: account.handle, publishedAt: when.toISOString(), mediaLinks: [] },
                },
              }
            : kind === 'POST_EDIT'
              ? { edit: { postRef, before: text, after: text.replace('this Saturday', 'next Saturday'), why: 'The event moved a week.' } }
              : {
                  moderation: {
                    category: categories[j % categories.length]?.id ?? 'a',
                    categoryLabel: categories[j % categories.length]?.label ?? '',
                    location: `${postRef}#comment-${j}`,
                    content: 'A comment removed under the comment guidelines, as it stood when it was removed.',
                    author: 'A constituent',
                    justification: 'Rule K as listed; removed the same day.',
                  },
                }),
        },
        when,
        `bench-${account.accountId}-${j}`,
      );
      return recordItem(record);
    });

  let grantCount = 0;
  const seedAccounts = async (from: number, to: number) => {
    const items: Item[] = [];
    for (let k = from; k < to; k += 1) {
      const d = departments[k % departments.length] as (typeof departments)[number];
      const p = platforms[k % platforms.length] as { id: string; name: string };
      const crew = staff[d.code]?.length ? (staff[d.code] as string[]) : [d.designeeId];
      const adminId = crew[k % crew.length] as string;
      const posterId = crew.length > 1 ? (crew[(k + 1) % crew.length] as string) : undefined;
      const handle = `@${k % 3 === 2 ? 'abq' : 'cabq'}${d.code.toLowerCase()}${p.id}${k}`;
      const sourceRequestId = `na-bench-${k}`;
      const admin = personNamed(adminId);
      const account: Account = {
        accountId: `acct-bench-${k}`,
        platformId: p.id,
        platformName: p.name,
        handle,
        departmentCode: d.code,
        departmentName: d.name,
        status: 'ACTIVE',
        admins: [{ id: admin.id, name: admin.name, email: admin.email }],
        sourceRequestId,
        createdAt: new Date(at.getTime() - (3000 - k) * 86_400_000 * 0.5).toISOString(),
      };
      items.push(accountItem(account));
      items.push({ PK: `HANDLE#${p.id}#${handle.toLowerCase()}`, SK: 'CLAIM', entity: 'HandleClaim', accountId: account.accountId });
      const director = personNamed(d.directorId);
      for (const [personId, role] of [[adminId, 'ADMIN'], ...(posterId ? [[posterId, 'POSTER']] : [])] as [string, 'ADMIN' | 'POSTER'][]) {
        const grant: Grant = {
          accountId: account.accountId,
          personId,
          personName: personNamed(personId).name,
          role,
          receivesCredential: role === 'ADMIN',
          authorizedById: director.id,
          authorizedByName: director.name,
          authorizedAt: account.createdAt,
          sourceRequestId,
          status: 'ACTIVE',
        };
        items.push(grantItem(grant));
        grantCount += 1;
      }
      items.push(...recordsFor(account, adminId, k));
    }
    await writeAll(items);
    return items.length;
  };
  const writeAll = async (items: Item[]) => {
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++] as Item[];
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length; attempt += 1) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: requests } }));
          requests = (out.UnprocessedItems?.[stack.tableName] ?? []) as typeof requests;
          if (requests.length && attempt > 20) throw new Error('BatchWrite kept items unprocessed');
          if (requests.length) await sleep(20 * (attempt + 1));
        }
      }
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  };

  // The measured account's own records (it is one of the registry's accounts: the seeded ones are the others).
  const measuredAccount = { accountId, handle: '@cabqparksbench', platformName: 'Instagram', departmentCode: 'PRD', departmentName: 'Parks and Recreation' };

  const pages: PageSpec[] = [
    { key: 'myWork', label: `GET / (My work, ${PENDING_APPROVALS} approvals waiting)`, path: '/', fn: 'showMyWork' },
    { key: 'registry', label: 'GET /accounts (first page)', path: '/accounts', fn: 'showRegistry' },
    { key: 'search', label: `GET /accounts?q=${SEARCH}`, path: `/accounts?q=${encodeURIComponent(SEARCH)}`, fn: 'showRegistry' },
    {
      key: 'department',
      label: `GET /accounts?department=${FILTER_DEPARTMENT}`,
      path: `/accounts?department=${encodeURIComponent(FILTER_DEPARTMENT)}`,
      fn: 'showRegistry',
    },
    { key: 'account', label: `GET /accounts/{id} (${RECORDS_PER_ACCOUNT} records)`, path: `/accounts/${encodeURIComponent(accountId)}`, fn: 'showRegistry' },
  ];
  const headers = { cookie: `dev_user=${VIEWER}`, accept: 'text/html' };

  /** One request of a page, metered on its own (the meter reset before it). */
  const request = async (spec: PageSpec, run: PageRun, warmup: boolean): Promise<Op[]> => {
    meter.reset();
    recorder.start(spec.key);
    const t0 = performance.now();
    const res = await fetch(`${stack.baseUrl}${spec.path}`, { headers, redirect: 'manual' });
    const body = await res.text();
    const ms = performance.now() - t0;
    const ops = recorder.stop();
    run.statuses[res.status] = (run.statuses[res.status] ?? 0) + 1;
    if (res.status !== 200)
      run.error ??= `${res.status}: ${body
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300)}`;
    run.htmlBytes = Buffer.byteLength(body);
    const read = ops.filter((o) => o.fn === spec.fn).reduce((n, o) => n + o.read, 0);
    if (warmup) run.warmupReadUnits.push(round(read, 2));
    else {
      run.ms.push(ms);
      run.readUnits.push(round(read, 2));
      run.signInReadUnits.push(
        round(
          ops.filter((o) => o.fn === 'local dev sign-in').reduce((n, o) => n + o.read, 0),
          2,
        ),
      );
    }
    run.writeUnits += ops.reduce((n, o) => n + o.write, 0);
    run.otherUnits += ops.filter((o) => o.fn !== spec.fn && o.fn !== 'local dev sign-in').reduce((n, o) => n + o.read + o.write, 0);
    return ops;
  };

  /** Every page, in rounds (one request of each page per round, so load on the machine falls on all alike): warm-up rounds, then the timed ones. */
  const measurePages = async (): Promise<PageRun[]> => {
    const runs: PageRun[] = pages.map((spec) => ({
      key: spec.key,
      label: spec.label,
      path: spec.path,
      statuses: {},
      htmlBytes: 0,
      ms: [],
      readUnits: [],
      warmupReadUnits: [],
      signInReadUnits: [],
      writeUnits: 0,
      otherUnits: 0,
      byCall: [],
    }));
    const last: Op[][] = pages.map(() => []);
    meter.enabled = true;
    for (let i = 0; i < PAGES_WARMUP + PAGES_REQUESTS; i += 1) {
      for (const [j, spec] of pages.entries()) last[j] = await request(spec, runs[j] as PageRun, i < PAGES_WARMUP);
    }
    meter.enabled = false;
    for (const [j, spec] of pages.entries()) {
      const run = runs[j] as PageRun;
      run.byCall = totalsByCall((last[j] ?? []).filter((o) => o.fn === spec.fn)).map(({ fn, op, calls, read }) => ({ fn, op, calls, read: round(read, 2) }));
      // What the page lists, from the same route's JSON (unmetered, after the measurement).
      const json = await fetch(`${stack.baseUrl}${spec.path}`, { headers: { ...headers, accept: 'application/json' }, redirect: 'manual' });
      if (json.status === 200) {
        const body = (await json.json()) as { accounts?: unknown[]; next?: unknown; approvals?: unknown[]; records?: unknown[] };
        const rows = body.accounts ?? body.approvals ?? body.records;
        if (Array.isArray(rows)) run.shown = { rows: rows.length, ...(body.accounts ? { more: Boolean(body.next) } : {}) };
      } else await json.arrayBuffer();
    }
    return runs;
  };

  const sizes: PagesSize[] = [];
  let accounts = 1; // the approved one
  for (const size of PAGES_SIZES) {
    const t = performance.now();
    let items = 0;
    if (accounts === 1) {
      await writeAll(recordsFor(measuredAccount, REQUESTER, 0));
      items += RECORDS_PER_ACCOUNT;
    }
    items += await seedAccounts(accounts - 1, size - 1);
    accounts = size;
    const seedMs = performance.now() - t;
    console.log(`  ${size} accounts (${items} items written in ${(seedMs / 1000).toFixed(1)} s); measuring ${pages.length} pages…`);
    const measured = await measurePages();
    sizes.push({ accounts: size, records: size * RECORDS_PER_ACCOUNT, grants: grantCount + 2, seedMs: round(seedMs, 0), seededItems: items, pages: measured });
  }

  return {
    viewer: VIEWER,
    accountId,
    warmup: PAGES_WARMUP,
    requests: PAGES_REQUESTS,
    pendingApprovals: PENDING_APPROVALS,
    search: SEARCH,
    filterDepartment: FILTER_DEPARTMENT,
    recordsPerAccount: RECORDS_PER_ACCOUNT,
    dynamo: process.env.BENCH_DYNAMO === 'memory' ? 'memory' : 'disk',
    stackStartMs: Math.round(session.startMs),
    sizes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2]);
  process.exit(0);
}
