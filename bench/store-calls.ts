/**
 * Names each DynamoDB call the functions make after the store method that makes it, so the
 * benchmark can say where the capacity goes. Shared by bench/run.ts and bench/restart.ts.
 *
 * The names follow the code: GovernanceStore (functions/adapters/store.ts), OffboardingStore
 * (functions/adapters/offboarding-store.ts) and the email ledger every email goes through
 * (functions/adapters/mail-ledger.ts: `ledger.claim` before the send, `ledger.confirm` after it,
 * `ledger.state` when a claim finds the slot taken). A call nobody recognises is named `?`, so
 * a new store call shows up in the tables instead of hiding under another's name.
 */

/** One recorded DynamoDB call: who made it, what it was, and the capacity it consumed. */
export interface Op {
  phase: string;
  fn: string;
  op: string;
  read: number;
  write: number;
  table: number;
  gsi: Record<string, number>;
}

/** ConsumedCapacity as DynamoDB returns it (ReturnConsumedCapacity TOTAL or INDEXES). */
export interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

type Input = Record<string, unknown>;

/** A key attribute as the middleware sees it: plain (document client) or marshalled ({ S }). */
const str = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'S' in v ? String((v as { S: unknown }).S) : '');
/** The entity part of a key (`REQ#na-…` → `REQ`). */
const kind = (v: unknown) => str(v).split('#')[0] ?? '';
const names = (input: Input) => (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
const values = (input: Input) => (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;

function parts(commandName: string, input: Input) {
  // The middleware sees the client command (GetItem, PutItem, TransactWriteItems…) under the document client's.
  const command = commandName.replace(/Command$/, '');
  const key = (input.Key ?? input.Item ?? {}) as Record<string, unknown>;
  return { command, cmd: command.replace(/Items?$/, ''), where: `${kind(key.PK)}/${kind(key.SK)}` };
}

/**
 * Calls any store makes on any item: the email ledger's (on the item the email is about) and the
 * look-up of a link's item through the sparse ByApprovalId index (TableClient.keyOfLink).
 */
function describeShared(commandName: string, input: Input, link: string): string | undefined {
  const { command, cmd, where } = parts(commandName, input);
  const slot = names(input)['#m'];
  if (slot?.startsWith('mail:')) {
    const expr = String(input.UpdateExpression ?? '');
    if (cmd === 'Get') return `ledger.state (GetItem ${where}, consistent)`;
    if (cmd === 'Update' && /^SET #m = :claim$/.test(expr)) return `ledger.claim (UpdateItem ${where})`;
    if (cmd === 'Update' && /^SET #m\.attempts = /.test(expr)) return `ledger.claim, takeover (UpdateItem ${where})`;
    if (cmd === 'Update' && /^SET #m\.sentAt = /.test(expr)) return `ledger.confirm (UpdateItem ${where})`;
  }
  if (cmd === 'Query' && input.IndexName === 'ByApprovalId') return `${link}/index (${command} ByApprovalId)`;
  return undefined;
}

/** The transaction a store method sends, told apart by its items. */
function describeTransaction(input: Input): string {
  type TransactItem = { Update?: Input; Put?: Input; ConditionCheck?: Input };
  const items = (input.TransactItems ?? []) as TransactItem[];
  const [first, second] = items;
  const firstKey = parts('UpdateItem', first?.Update ?? {}).where;
  const secondKey = parts('PutItem', second?.Put ?? second?.ConditionCheck ?? {}).where;
  let method = '?';
  if (firstKey === 'REQ/META' && secondKey === 'HANDLE/CLAIM') method = 'approveIntoRegistry';
  else if (firstKey === 'REQ/META' && second?.ConditionCheck) method = 'approvePostingAuthority';
  else if (firstKey === 'OFFBOARD/TASK' && secondKey === 'ACCOUNT/GRANT') method = 'appoint';
  return `${method} (TransactWriteItems ${items.length} items)`;
}

/** Names a DynamoDB call after the GovernanceStore method that makes it (functions/adapters/store.ts). */
export function describeOp(commandName: string, input: Input): string {
  const shared = describeShared(commandName, input, 'approvalById');
  if (shared) return shared;
  const { command, cmd, where } = parts(commandName, input);
  const label = (method: string | undefined, detail = where) => `${method ?? '?'} (${command} ${detail})`;
  if (cmd === 'Get') {
    const gets: Record<string, string> = {
      'PERSON/PROFILE': 'person',
      'DEPT/PROFILE': 'department',
      'PLATFORM/PROFILE': 'platform',
      'HANDLE/CLAIM': 'handleTaken',
      'ACCOUNT/PROFILE': 'account',
      'REQ/META': 'request',
      'REQ/APPR': 'approval',
    };
    return label(gets[where], `${where}${input.ConsistentRead ? ', consistent' : ''}`);
  }
  const puts: Record<string, string> = { 'REQ/META': 'createRequest', 'REQ/APPR': 'createApproval' };
  if (cmd === 'Put') return label(puts[where]);
  if (cmd === 'Update') {
    const expr = String(input.UpdateExpression ?? '');
    const methods: [string, RegExp, string][] = [
      ['REQ/META', /^REMOVE pendingStart/, 'markStarted'],
      ['REQ/META', /^SET #status = :status/, 'closeRequest'],
      ['REQ/APPR', /^SET decision/, 'recordDecision'],
      ['REQ/APPR', /^SET sealedToken/, 'storeToken'],
      ['REQ/APPR', /^SET supersededAt/, 'supersede'],
    ];
    return label(methods.find(([w, re]) => w === where && re.test(expr))?.[2]);
  }
  if (cmd === 'Query') {
    const index = typeof input.IndexName === 'string' ? input.IndexName : 'table';
    if (index === 'ByPendingStart') return label('pendingStarts', `ByPendingStart ${str(values(input)[':w'])}`);
    const target = kind(values(input)[':pk']);
    const queries: Record<string, string> = {
      'GSI1 EMAIL': 'personByEmail',
      'GSI1 ROLES': 'roleHolders',
      'GSI1 DEPARTMENTS': 'departments',
      'GSI1 PLATFORMS': 'approvedPlatforms',
      'GSI1 ACCOUNTS': 'accounts',
      'GSI2 PEOPLE': 'people',
      'GSI2 REQUESTER': 'requestsBy',
      'GSI2 GRANTEE': 'grantsForPerson',
      'table REQ': 'requestWithApprovals',
      'table ACCOUNT': 'grantsOn|grantsForAccount',
    };
    return label(queries[`${index} ${target}`], `${index} ${target}`);
  }
  if (cmd === 'TransactWrite') return describeTransaction(input);
  if (cmd === 'BatchWrite') return label('putDirectory', 'directory');
  return label(undefined);
}

/** Names a DynamoDB call of the offboarding functions after the OffboardingStore method that makes it (functions/adapters/offboarding-store.ts). */
export function describeOffboardingOp(commandName: string, input: Input): string {
  const shared = describeShared(commandName, input, 'linkById');
  if (shared) return shared;
  const { command, cmd, where } = parts(commandName, input);
  const label = (method: string, detail = where) => `${method} (${command} ${detail})`;
  if (cmd === 'Get') {
    const gets: Record<string, string> = {
      'OFFBOARD/META': 'offboarding',
      'OFFBOARD/ACCOUNT': 'plan',
      'OFFBOARD/TASK': 'task',
      'OFFBOARD/LINK': 'linkById/item',
      'OFFBOARD/ACCOUNTS': 'accountIds',
    };
    const method = gets[where];
    if (method) return label(method, `${where}${input.ConsistentRead ? ', consistent' : ''}`);
  }
  if (cmd === 'Put') {
    const puts: Record<string, string> = {
      'OFFBOARD/META': 'createOffboarding',
      'OFFBOARD/ACCOUNT': 'putPlan',
      'OFFBOARD/TASK': 'putTask',
      'OFFBOARD/LINK': 'putLink',
      'OFFBOARD/ACCOUNTS': 'start (account list)',
      'OFFBOARD/OPEN': 'markOpen',
    };
    const method = puts[where];
    if (method) return label(method);
  }
  if (cmd === 'Update') {
    const expr = String(input.UpdateExpression ?? '');
    const updates: [string, RegExp, string][] = [
      ['OFFBOARD/META', /startedAt/, 'start'],
      ['OFFBOARD/META', /finishedAt/, 'finish'],
      ['OFFBOARD/META', /^SET sealedToken/, 'storeToken'],
      ['OFFBOARD/ACCOUNT', /revokedAt/, 'markRevoked'],
      ['OFFBOARD/ACCOUNT', /if_not_exists/, 'markAccountFailed'],
      ['OFFBOARD/TASK', /^SET reveals/, 'recordReveal'],
      ['OFFBOARD/TASK', /doneAt/, 'complete'],
      ['OFFBOARD/TASK', /lastSweep/, 'chase'],
      ['ACCOUNT/GRANT', /revokedAt/, 'revokeGrant'],
      ['PERSON/PROFILE', /separatedOn/, 'markSeparated'],
    ];
    const method = updates.find(([w, re]) => w === where && re.test(expr))?.[2];
    if (method) return label(method);
  }
  if (cmd === 'Delete' && where === 'OFFBOARD/OPEN') return label('clearOpen');
  if (cmd === 'Query') {
    if (str(values(input)[':open']) === 'OPEN#') return label('anyOpen', 'table OFFBOARD OPEN#');
    const v = values(input);
    const target = `${typeof input.IndexName === 'string' ? input.IndexName : 'table'} ${kind(v[':pk'])}${v[':sk'] === undefined ? '' : ` ${kind(v[':sk'])}#`}`;
    const queries: Record<string, string> = {
      'table OFFBOARD TASK#': 'tasks',
      'table OFFBOARD LINK#': 'linksFor',
      'table OFFBOARD': 'everything',
      'GSI2 GRANTEE': 'grantsOf',
      'table ACCOUNT GRANT#': 'grantsOn',
      'GSI1 OFFBOARDINGS': 'offboardings',
    };
    const method = queries[target];
    if (method) return label(method, target);
  }
  // The directory (person, department, account, roleHolders, personByEmail…): GovernanceStore, as in B.
  return describeOp(commandName, input);
}

/** Splits one ConsumedCapacity into total, table and per-index units. */
export function unitsOf(c: Capacity): { total: number; table: number; gsi: Record<string, number> } {
  const total = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
  const gsi = Object.fromEntries(Object.entries(c.GlobalSecondaryIndexes ?? {}).map(([k, v]) => [k, v.CapacityUnits ?? 0]));
  return { total, table: c.Table?.CapacityUnits ?? total, gsi };
}

/** Whether a DynamoDB command writes (its capacity is write units). */
export const isWriteCommand = (commandName: string) => /Put|Update|Delete|Write/.test(commandName);

/** One store call's totals: how often a function made it, and the read and write units it cost (table and each index). */
export interface CallTotals {
  fn: string;
  op: string;
  calls: number;
  read: number;
  write: number;
  table: number;
  gsi: Record<string, number>;
}

/** Sums metered calls by function and store call, in the order first seen. */
export function totalsByCall<T extends { fn: string; op: string; read: number; write: number; table: number; gsi: Record<string, number> }>(
  calls: readonly T[],
): (CallTotals & { sources: T[] })[] {
  const byCall = new Map<string, CallTotals & { sources: T[] }>();
  for (const c of calls) {
    const k = `${c.fn}\u0000${c.op}`;
    const agg = byCall.get(k) ?? { fn: c.fn, op: c.op, calls: 0, read: 0, write: 0, table: 0, gsi: {}, sources: [] };
    agg.calls += 1;
    agg.read += c.read;
    agg.write += c.write;
    agg.table += c.table;
    for (const [g, u] of Object.entries(c.gsi)) agg.gsi[g] = (agg.gsi[g] ?? 0) + u;
    agg.sources.push(c);
    byCall.set(k, agg);
  }
  return [...byCall.values()];
}
