import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../infra/local/stack.ts';
import type { Account, Grant } from '#core/registry';
import { accountItem } from '../../functions/adapters/registry-store.ts';
import { grantItem } from '../../functions/adapters/store.ts';
import { as, type SentEmail, waitForEmail } from './harness.ts';

/** Today in Albuquerque, as HR would date a separation that takes effect now. */
export const denverToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date());
export const denverDaysFromNow = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date(Date.now() + days * 86_400_000));

export interface SeedGrant {
  personId: string;
  personName?: string;
  role: 'ADMIN' | 'POSTER';
  receivesCredential?: boolean;
}

const names: Record<string, string> = {
  E100: 'Dolores Baca',
  E101: 'Marcus Chavez',
  E102: 'Ana Gallegos',
  E103: 'Tom Sandoval',
  E200: 'Grace Lucero',
  E202: 'Isabel Romero',
};

/**
 * Registry entries and grants as approved requests leave them (the new-account and posting-authority
 * workflows have their own tests): `count` accounts in a department, each with these grants.
 */
export async function seedAccounts(
  stack: LocalStack,
  count: number,
  grants: SeedGrant[],
  department = { code: 'PRD', name: 'Parks and Recreation' },
): Promise<{ accountId: string; handle: string }[]> {
  const db = DynamoDBDocumentClient.from(stack.client);
  const tag = randomBytes(4).toString('hex');
  const at = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  const ids: { accountId: string; handle: string }[] = [];
  for (let i = 0; i < count; i++) {
    const accountId = `acct-seed-${tag}-${i}`;
    const account: Account = {
      accountId,
      platformId: 'facebook',
      platformName: 'Facebook',
      handle: `@seed${tag}${i}`,
      departmentCode: department.code,
      departmentName: department.name,
      status: 'ACTIVE',
      admins: [],
      sourceRequestId: `na-seed-${tag}`,
      createdAt: at,
    };
    ids.push({ accountId, handle: account.handle });
    items.push(accountItem(account));
    for (const g of grants) {
      const grant: Grant = {
        accountId,
        personId: g.personId,
        personName: g.personName ?? names[g.personId] ?? g.personId,
        role: g.role,
        receivesCredential: g.receivesCredential ?? g.role === 'ADMIN',
        authorizedById: 'E100',
        authorizedByName: 'Dolores Baca',
        authorizedAt: at,
        sourceRequestId: `na-seed-${tag}`,
        status: 'ACTIVE',
      };
      items.push(grantItem(grant));
    }
  }
  for (let i = 0; i < items.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  return ids;
}

export interface Hire {
  id: string;
  name: string;
  email: string;
}

/**
 * A new employee through an "Employee Updated" event (the directory feed: the whole record, HR's
 * first for them, so sequence 0), so each test has its own people to offboard.
 */
export async function hire(stack: LocalStack, departmentCode: string, name = 'Test Employee'): Promise<Hire> {
  const id = `T${randomBytes(4).toString('hex')}`;
  const person = { id, name: `${name} ${id}`, email: `${id.toLowerCase()}@cabq.example` };
  const put = await stack.hr.put({
    source: 'cabq.hr',
    'detail-type': 'Employee Updated',
    detail: {
      employeeId: id,
      name: person.name,
      email: person.email,
      departmentCode,
      status: 'ACTIVE',
      effectiveAt: new Date().toISOString(),
      sequence: 0,
    },
  });
  if (put.status !== 202 || put.body.result !== 'applied') throw new Error(`hire failed: ${JSON.stringify(put.body)}`);
  return person;
}

/**
 * HR changes someone's record: "Employee Updated" carries the whole record, so this reads the
 * person as the directory has them and sends that with `change` applied, ordered after the change
 * stored (the same or a later instant, the next sequence).
 */
export async function updateEmployee(stack: LocalStack, employeeId: string, change: Record<string, unknown>) {
  const db = DynamoDBDocumentClient.from(stack.client);
  const { Item: p } = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `PERSON#${employeeId}`, SK: 'PROFILE' }, ConsistentRead: true }));
  if (!p) throw new Error(`${employeeId} is not in the directory`);
  const [at, sequence] = String(p.version ?? '').split('#');
  const status = p.hrStatus ?? (p.separatedOn ? 'SEPARATED' : 'ACTIVE');
  const detail = {
    employeeId,
    name: p.name,
    email: p.email,
    departmentCode: p.departmentCode,
    ...(p.title ? { title: p.title } : {}),
    ...(p.supervisorId ? { supervisorId: p.supervisorId } : {}),
    status,
    ...(status === 'SEPARATED' && p.separatedOn ? { separationDate: p.separatedOn } : {}),
    effectiveAt: new Date(Math.max(Date.now(), at ? Date.parse(at) : 0)).toISOString(),
    sequence: sequence ? Number(sequence) + 1 : 0,
    ...change,
  };
  return stack.hr.put({ source: 'cabq.hr', 'detail-type': 'Employee Updated', detail });
}

/** A seeded grant for a hired person. */
export const grantFor = (p: Hire, role: 'ADMIN' | 'POSTER' = 'ADMIN', receivesCredential?: boolean): SeedGrant => ({
  personId: p.id,
  personName: p.name,
  role,
  receivesCredential,
});

/** Puts an "Employee Separated" event on the local HR bus. */
export function separate(stack: LocalStack, employeeId: string, separationDate = denverToday()) {
  return stack.hr.put({ source: 'cabq.hr', 'detail-type': 'Employee Separated', detail: { employeeId, separationDate } });
}

export function taskLinkIn(email: SentEmail): { url: string; taskId: string; secret: string } {
  const match = /(https?:\/\/\S+\/tasks\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+))/.exec(email.text);
  if (!match?.[1] || !match[2] || !match[3]) throw new Error(`no task link in "${email.subject}"`);
  return { url: match[1], taskId: match[2], secret: match[3] };
}

/** The offboarding task link emailed to `to` about the account with this handle (not an approved account's credential capture, which says "record the login"). */
export async function taskLinkFor(stack: LocalStack, to: string, handle: string, subject: RegExp = /^Action needed: (?!record the login)/) {
  return taskLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.subject.includes(`${handle} `)));
}

/** POSTs a task action as the signed-in `personId`, as the task page's forms do. */
export function taskAction(stack: LocalStack, personId: string, link: { taskId: string; secret: string }, fields: Record<string, string>) {
  return as(stack, personId).post(`/tasks/${link.taskId}`, { s: link.secret, ...fields });
}

/** Reveal then confirm: what an admin does after setting the password on the platform. Returns the password. */
export async function rotate(stack: LocalStack, personId: string, link: { taskId: string; secret: string }): Promise<string> {
  const revealed = await taskAction(stack, personId, link, { action: 'reveal' });
  const { password } = (await revealed.json()) as { password?: string };
  if (revealed.status !== 200 || !password) throw new Error(`reveal failed: ${revealed.status}`);
  const confirmed = await taskAction(stack, personId, link, { action: 'confirm', setOnPlatform: 'yes' });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status} ${await confirmed.text()}`);
  return password;
}

export interface OffboardingJson {
  offboardingId: string;
  status: string;
  accountCount?: number;
  accounts: { accountId: string; revoked: string; rotation: string; appointment: string; attention: boolean }[];
  tasks: {
    accountId: string;
    kind: string;
    status: string;
    round: number;
    remindersSent: number;
    reveals: { personId: string }[];
    doneById?: string;
    appointed?: { id: string };
  }[];
}

export async function offboardingRecord(stack: LocalStack, offboardingId: string, viewer = 'E400'): Promise<OffboardingJson> {
  const res = await as(stack, viewer).get(`/offboardings/${offboardingId}`);
  if (res.status !== 200) throw new Error(`record: ${res.status} ${await res.text()}`);
  return (await res.json()) as OffboardingJson;
}
