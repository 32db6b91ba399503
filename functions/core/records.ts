import { createHash, randomBytes } from 'node:crypto';
import { policy } from '#core/policy';
import * as z from '#core/zod';

/**
 * Public records (H, I): what the City must be able to hand the City Clerk. Each record is written
 * once and never changed: a post's content preserved before its removal (M.c, H), a correction of
 * an earlier post (M.b), a moderation removal with its K category (K). Each carries the SHA-256 of
 * its content, so an export (and anyone reading it) can check nothing changed.
 */
export type RecordKind = 'PRESERVED_POST' | 'POST_EDIT' | 'MODERATION';

/** A post as it stood, as the person who saw it describes it. */
export interface PostContent {
  text: string;
  author: string;
  /** ISO date-time, or as the platform showed it. */
  publishedAt: string;
  mediaLinks: string[];
}

export interface PreservedPost {
  requestId: string;
  /** The post's URL or platform id. */
  postRef: string;
  action: 'DELETE' | 'MERGE' | 'UNPUBLISH';
  content: PostContent;
  /** MERGE: the post it is merged into. */
  mergeTargetRef?: string;
}

export interface PostEdit {
  postRef: string;
  before: string;
  after: string;
  why: string;
}

export interface ModerationRemoval {
  /** Rule K's letter, a–l (policy.moderation.categories). */
  category: string;
  categoryLabel: string;
  /** Where it was: the post or comment URL, or a description of its place. */
  location: string;
  /** The content as it stood. */
  content: string;
  /** The constituent's display name as shown, if any. */
  author?: string;
  /** Short and viewpoint-neutral: which rule, not an opinion of the speaker. */
  justification: string;
}

export interface GovernanceRecord {
  recordId: string;
  kind: RecordKind;
  accountId: string;
  accountLabel: string;
  departmentCode: string;
  departmentName: string;
  recordedAt: string;
  recordedById: string;
  recordedByName: string;
  /** I: kept at least until this date under this schedule. */
  retention?: { schedule: string; label: string; retainUntil: string };
  /** SHA-256 (hex) of the canonical JSON of the kind's payload below. */
  sha256: string;
  preserved?: PreservedPost;
  edit?: PostEdit;
  moderation?: ModerationRemoval;
}

const prefix: Record<RecordKind, string> = { PRESERVED_POST: 'rec-post', POST_EDIT: 'rec-edit', MODERATION: 'rec-mod' };

export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

export const recordIdPattern = /^rec-(post|edit|mod)-\d{8}-[0-9a-f]{16}$/;

/**
 * A record's id. With a `seed` (a person and a form's one-time submission id), the same form sent
 * twice gets the same id, so the write-once put finds the first record instead of adding a copy.
 */
export function newRecordId(kind: RecordKind, now: Date, seed?: string): string {
  const unique = seed ? sha256Hex(seed).slice(0, 16) : randomBytes(8).toString('hex');
  return `${prefix[kind]}-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${unique}`;
}

/**
 * Browsers send a textarea's line breaks as CRLF and JSON clients as LF: every recorded text is
 * kept with LF, so the same post has the same checksum whichever way it was sent.
 */
export const sameLineBreaks = z.overwrite((s: string) => s.replace(/\r\n?/g, '\n'));

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The part of a record its checksum covers: what was preserved, edited or removed. */
export function recordPayload(record: Pick<GovernanceRecord, 'preserved' | 'edit' | 'moderation'>): unknown {
  return record.preserved ?? record.edit ?? record.moderation;
}

/** A record, its id and checksum made here so every writer makes them the same way. */
export function makeRecord(
  input: Omit<GovernanceRecord, 'recordId' | 'sha256' | 'retention'> & { retentionSchedule?: string },
  now: Date,
  seed?: string,
): GovernanceRecord {
  const { retentionSchedule, ...rest } = input;
  const schedule = retentionSchedule ? policy.records.retentionSchedules[retentionSchedule] : undefined;
  return {
    ...rest,
    recordId: newRecordId(input.kind, now, seed),
    sha256: sha256Hex(canonicalJson(recordPayload(input))),
    ...(schedule && retentionSchedule
      ? {
          retention: {
            schedule: retentionSchedule,
            label: schedule.label,
            retainUntil: new Date(now.getTime() + schedule.retainDays * 86_400_000).toISOString().slice(0, 10),
          },
        }
      : {}),
  };
}

/** True when the record's content still matches the checksum taken when it was written. */
export function recordIntact(record: GovernanceRecord): boolean {
  return sha256Hex(canonicalJson(recordPayload(record))) === record.sha256;
}
