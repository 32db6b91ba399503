import { directoryRoleTitle } from '#core/policy';
import { type DirectoryEvent, directoryDetailTypes, type EntityRef, entityOf, prerequisites, versionOf } from '#directory/events';

type Item = Record<string, unknown>;

/** Where a directory change came from, kept on the entity and in its history. */
export interface Provenance {
  /** HR's feed (its events and the bulk import, which sends the same events), or DTI's administration pages. */
  source: 'HR' | 'DTI';
  /** The sender's effectiveAt. */
  effectiveAt: string;
  receivedAt: string;
  /** Who made a DTI change. */
  by?: { id: string; name: string };
}

/** One change to an entity, as its history keeps it. */
export interface DirectoryChange {
  version: string;
  type: DirectoryEvent['type'];
  detail: DirectoryEvent['detail'];
  provenance: Provenance;
  /** Why people lost a post with this change, e.g. "Parks and Recreation has a new director or designee (…)". */
  handOverReason?: string;
}

/** A hand-over a change owes: the people whose open work is to move, and why. */
export interface HandOverOwed {
  personIds: string[];
  reason: string;
  createdAt: string;
}

/** One versioned write: the entity's fields (the store adds its keys), conditional on the version read. */
export interface ApplyWrite {
  ref: EntityRef;
  /** The entity's stored version as read (undefined: none), which the write is conditional on. */
  expected: string | undefined;
  version: string;
  set: Record<string, unknown>;
  /** Attributes to remove (a title HR no longer has). */
  remove: string[];
  /** Attributes to set only if absent (separatedOn: the first date wins, offboarding's included). */
  setIfAbsent?: Record<string, unknown>;
  change: DirectoryChange;
  handOver?: HandOverOwed;
}

/** What the applier needs of the table (adapters/directory-writes.ts). */
export interface DirectoryWritesPort {
  stored(ref: EntityRef): Promise<Item | undefined>;
  apply(w: ApplyWrite): Promise<'ok' | 'conflict' | 'duplicate'>;
  park(waitingFor: EntityRef, event: DirectoryEvent, version: string, about: EntityRef, provenance: Provenance): Promise<void>;
  parkedFor(ref: EntityRef): Promise<{ key: { PK: string; SK: string }; event: DirectoryEvent; provenance: Provenance }[]>;
  unpark(key: { PK: string; SK: string }): Promise<void>;
  pendingHandOver(key: { PK: string; SK: string }): Promise<unknown>;
}

/** The key of the hand-over a change owes (one per entity and version). */
export const handOverKey = (ref: EntityRef, version: string) => ({ PK: `HANDOVER#${ref.kind}#${ref.id}#${version}`, SK: 'PENDING' });

/** Who sent a change: HR's feed (its events, the bulk import), or DTI's administration pages (and who). */
export interface DirectoryOrigin {
  source: Provenance['source'];
  by?: { id: string; name: string };
}

export type ApplyResult = 'applied' | 'stale' | 'duplicate' | 'parked';

export interface ApplyOutcome {
  entity: EntityRef;
  version: string;
  result: ApplyResult;
  /** Parked: what it waits for. */
  waitingFor?: EntityRef[];
  /** Events that were waiting for this entity and were applied with it. */
  unparked: ApplyOutcome[];
  /** The hand-over this change owes (people whose open approvals and tasks move), if any. */
  handOver?: { PK: string; SK: string };
}

/** The hand-over step, run once a change that owes one is recorded (hand-over.ts; a port so the apply is testable alone). */
export type RunHandOver = (key: { PK: string; SK: string }) => Promise<unknown>;

/** A date in Albuquerque, YYYY-MM-DD. */
const denverDay = (at: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date(at));

/** How a change reads in its history and in the hand-over's emails. */
function changeWrite(
  event: DirectoryEvent,
  stored: Item | undefined,
  version: string,
  provenance: Provenance,
): Omit<ApplyWrite, 'expected' | 'change'> & { reason?: string } {
  const ref = entityOf(event);
  const on = denverDay(event.detail.effectiveAt);
  const recorded = `recorded by ${provenance.source === 'DTI' ? `DTI (${provenance.by?.name ?? 'an administrator'})` : 'HR'} on ${on}`;
  const formers = (pairs: [unknown, string][]) => [
    ...new Set(pairs.filter(([was, now]) => typeof was === 'string' && was !== now).map(([was]) => was as string)),
  ];
  switch (event.type) {
    case directoryDetailTypes.employee: {
      const d = event.detail;
      const fields = {
        id: d.employeeId,
        name: d.name,
        email: d.email,
        departmentCode: d.departmentCode,
        ...(d.title ? { title: d.title } : {}),
        ...(d.supervisorId ? { supervisorId: d.supervisorId } : {}),
      };
      const separating = d.status === 'SEPARATED';
      const newlySeparated = separating && !stored?.separatedOn;
      return {
        ref,
        version,
        set: { ...fields, hrStatus: d.status, provenance },
        remove: ['title', 'supervisorId'].filter((k) => !(k in fields)),
        ...(separating ? { setIfAbsent: { separatedOn: d.separationDate ?? on } } : {}),
        ...(newlySeparated ? { reason: `${d.name} has separated from the City (${recorded})`, handOverFrom: [d.employeeId] } : {}),
      };
    }
    case directoryDetailTypes.department: {
      const d = event.detail;
      const from = formers([
        [stored?.directorId, d.directorId],
        [stored?.designeeId, d.designeeId],
      ]);
      return {
        ref,
        version,
        set: {
          code: d.code,
          name: d.name,
          directorId: d.directorId,
          designeeId: d.designeeId,
          provenance,
        },
        remove: [],
        ...(from.length ? { reason: `${d.name} has a new director or designee (${recorded})`, handOverFrom: from } : {}),
      };
    }
    case directoryDetailTypes.roleAssigned:
    case directoryDetailTypes.roleRemoved: {
      const d = event.detail;
      const assigned = event.type === directoryDetailTypes.roleAssigned ? event.detail : undefined;
      const from = formers([
        [stored?.holderId, assigned?.holderId ?? ''],
        [stored?.designeeId, assigned?.designeeId ?? ''],
      ]);
      const title = directoryRoleTitle(d.role);
      return {
        ref,
        version,
        set: {
          role: d.role,
          provenance,
          ...(assigned ? { holderId: assigned.holderId, designeeId: assigned.designeeId } : { vacantSince: event.detail.effectiveAt }),
        },
        remove: assigned ? ['vacantSince'] : ['holderId', 'designeeId'],
        ...(from.length
          ? { reason: `${title}: ${assigned ? 'a new holder or designee' : 'nobody holds the role now'} (${recorded})`, handOverFrom: from }
          : {}),
      };
    }
  }
}

/**
 * Applies directory events in order per entity, idempotently:
 * - an event older than the entity's stored version changes nothing and is logged as stale; the
 *   same version again is a duplicate (a redelivery) and also changes nothing;
 * - an event whose department or people are not in the directory yet is parked, and applied when
 *   they arrive (events.ts `prerequisites`);
 * - a newer one is written with its history item in one conditional transaction; if it takes a
 *   post from someone (a director, designee or role holder replaced, a person separated), the same
 *   transaction records the hand-over it owes, which then moves their open work (hand-over.ts).
 *   A duplicate delivery finishes a hand-over a crash left undone.
 */
export class DirectoryApplier {
  constructor(
    private readonly writes: DirectoryWritesPort,
    private readonly runHandOver?: RunHandOver,
    private readonly log: (message: string, fields: Record<string, unknown>) => void = () => {},
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  async apply(event: DirectoryEvent, origin: DirectoryOrigin): Promise<ApplyOutcome> {
    const provenance: Provenance = {
      source: origin.source,
      effectiveAt: event.detail.effectiveAt,
      receivedAt: this.now(),
      ...(origin.by ? { by: origin.by } : {}),
    };
    return this.applyOne(event, provenance);
  }

  private async applyOne(event: DirectoryEvent, provenance: Provenance, depth = 0): Promise<ApplyOutcome> {
    const ref = entityOf(event);
    const version = versionOf(event.detail);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await this.writes.stored(ref);
      const storedVersion = typeof stored?.version === 'string' ? stored.version : undefined;
      if (storedVersion !== undefined && storedVersion >= version) {
        const result = storedVersion === version ? 'duplicate' : 'stale';
        this.log(result === 'stale' ? 'stale directory event ignored' : 'directory event already applied', { entity: ref, version, storedVersion });
        if (result === 'duplicate') await this.finishHandOver(ref, version);
        return { entity: ref, version, result, unparked: [] };
      }
      const missing: EntityRef[] = [];
      for (const need of prerequisites(event)) if (!(await this.writes.stored(need))) missing.push(need);
      if (missing.length) {
        for (const need of missing) await this.writes.park(need, event, version, ref, provenance);
        this.log('directory event parked until what it names arrives', { entity: ref, version, waitingFor: missing });
        return { entity: ref, version, result: 'parked', waitingFor: missing, unparked: [] };
      }
      const { reason, handOverFrom, ...write } = changeWrite(event, stored, version, provenance) as ReturnType<typeof changeWrite> & {
        handOverFrom?: string[];
      };
      const createdAt = this.now();
      const handOver = reason && handOverFrom?.length ? { personIds: handOverFrom, reason, createdAt } : undefined;
      const outcome = await this.writes.apply({
        ...write,
        expected: storedVersion,
        change: { version, type: event.type, detail: event.detail, provenance, ...(reason ? { handOverReason: reason } : {}) },
        ...(handOver ? { handOver } : {}),
      });
      if (outcome === 'conflict') continue;
      if (outcome === 'duplicate') {
        await this.finishHandOver(ref, version);
        return { entity: ref, version, result: 'duplicate', unparked: [] };
      }
      const key = handOver ? handOverKey(ref, version) : undefined;
      if (key && this.runHandOver) await this.runHandOver(key);
      const unparked = ref.kind === 'ROLE' || depth > 8 ? [] : await this.unpark(ref, depth);
      return { entity: ref, version, result: 'applied', unparked, ...(key ? { handOver: key } : {}) };
    }
    throw new Error(`The directory entry ${ref.kind} ${ref.id} kept changing while event ${version} was applied; deliver it again.`);
  }

  /** The events that waited for `ref`: applied now, in their order, each leaving the lot once applied or found stale. */
  private async unpark(ref: EntityRef, depth: number): Promise<ApplyOutcome[]> {
    const outcomes: ApplyOutcome[] = [];
    for (const parked of await this.writes.parkedFor(ref)) {
      const outcome = await this.applyOne(parked.event, parked.provenance, depth + 1);
      // Still missing something else: it waits there now (parked under that), so it leaves this lot.
      await this.writes.unpark(parked.key);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async finishHandOver(ref: EntityRef, version: string): Promise<void> {
    const key = handOverKey(ref, version);
    if (this.runHandOver && (await this.writes.pendingHandOver(key))) await this.runHandOver(key);
  }
}
