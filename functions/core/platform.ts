/**
 * A platform on DTI's approved list (O.a) and the three documents rule P asks DTI to adopt for it.
 * Shared by the platforms list (functions/platforms), the New Social Media form (only an APPROVED
 * platform with all three P documents is offered), a department's proposal of a new platform
 * (functions/platform-proposal), the registry (accounts on a RETIRED platform are flagged) and the
 * annual review (its findings). A platform is never deleted: retiring keeps it, and its accounts, on record.
 */

export const platformStatuses = ['APPROVED', 'RETIRED'] as const;
export type PlatformStatus = (typeof platformStatuses)[number];

/** Rule P: user guidelines, standards and processes for managing accounts, branding standards. */
export const platformDocumentKinds = ['userGuidelines', 'accountStandards', 'brandingStandards'] as const;
export type PlatformDocumentKind = (typeof platformDocumentKinds)[number];

export const platformDocumentTitles: Record<PlatformDocumentKind, string> = {
  userGuidelines: 'User guidelines',
  accountStandards: 'Account-management standards and processes',
  brandingStandards: 'Branding standards',
};

export interface PlatformDocument {
  url: string;
  /** YYYY-MM-DD: when the City adopted this version. */
  adoptedOn: string;
}

export interface UsageAgreement {
  /** e.g. "Meta Terms of Service for government pages". */
  title: string;
  url: string;
  /** YYYY-MM-DD: when DTI last reviewed it (O.a). */
  reviewedOn: string;
}

export interface Platform {
  /** Lowercase slug, `^[a-z0-9-]{1,40}$`; fixed once added. */
  id: string;
  name: string;
  /** Kept for the readers that only ask "may a new account use it?": true exactly when status is APPROVED. */
  approved: boolean;
  status: PlatformStatus;
  siteUrl?: string;
  usageAgreement?: UsageAgreement;
  documents?: Partial<Record<PlatformDocumentKind, PlatformDocument>>;
  retiredAt?: string;
  retiredReason?: string;
  retiredById?: string;
  retiredByName?: string;
  /** Bumped by every change; each change is conditional on the version it was made from. */
  version?: number;
  updatedAt?: string;
  updatedById?: string;
  updatedByName?: string;
}

/** The P documents a platform does not have yet: a platform missing any is shown as incomplete. */
export function missingDocuments(platform: Pick<Platform, 'documents'>): PlatformDocumentKind[] {
  return platformDocumentKinds.filter((kind) => !platform.documents?.[kind]?.url);
}

export const isRetired = (platform: Pick<Platform, 'status'> | undefined) => platform?.status === 'RETIRED';

/** Only an APPROVED platform may have a new account (O.a); an item written before statuses existed counts by its `approved` flag. */
export const isApproved = (platform: Pick<Platform, 'approved' | 'status'> | undefined) =>
  platform !== undefined && platform.approved === true && platform.status !== 'RETIRED';

/**
 * Whether a New Social Media form may offer the platform (O.a, P): approved, and with all three P
 * documents recorded. An approved platform missing any (one just approved from a department's
 * proposal, say) stays on the list marked incomplete, and no new account may choose it.
 */
export const mayHaveNewAccounts = (platform: Pick<Platform, 'approved' | 'status' | 'documents'> | undefined) =>
  isApproved(platform) && platform !== undefined && missingDocuments(platform).length === 0;

/** A platform id as DTI gives it when adding one (the slug in its address); fixed once added. */
export const platformIdPattern = /^[a-z0-9-]{1,40}$/;

export const platformChangeKinds = ['ADDED', 'EDITED', 'RETIRED'] as const;
export type PlatformChangeKind = (typeof platformChangeKinds)[number];

/** One field of a platform as it was and as it became; null where it had (or has) no value. */
export interface PlatformFieldChange {
  /** The field's path, e.g. `usageAgreement.reviewedOn`, `documents.brandingStandards.url`. */
  field: string;
  /** The field as a person reads it, e.g. "Usage agreement reviewed on". */
  label: string;
  before: string | null;
  after: string | null;
}

/**
 * One change to a platform on the list (O.a, P), kept as its own item and never changed: who made
 * it, when, and each field before and after. `version` is the platform's version the change made
 * (1 when added); the change was conditional on the version before it.
 */
export interface PlatformChange {
  platformId: string;
  /** The platform's name after the change (its name before, for a rename, is in `changes`). */
  platformName: string;
  version: number;
  kind: PlatformChangeKind;
  at: string;
  byId: string;
  byName: string;
  changes: PlatformFieldChange[];
  /** Why it was retired (RETIRED only), or how it was added (by a proposal's approval). */
  reason?: string;
  /** The request whose approval made the change (a platform added from a department's proposal, O.a). */
  requestId?: string;
}

/*
 * The list's items in the governance table (adapters/platform-store.ts reads and writes them; an
 * approval that adds a platform writes them in its own transaction, so both build them here):
 *   PLATFORM#id / PROFILE            GSI1 PLATFORMS / name
 *   PLATFORM#id / CHANGE#<version>   GSI2 PLATFORM_CHANGES / <at>#id#<version>
 */

/** Versions padded, so a platform's changes sort in the order they were made. */
const versionKey = (version: number) => String(version).padStart(6, '0');

/** The platform's PROFILE item. */
export function platformItem(platform: Platform): Record<string, unknown> {
  return { ...platform, PK: `PLATFORM#${platform.id}`, SK: 'PROFILE', GSI1PK: 'PLATFORMS', GSI1SK: platform.name, entity: 'Platform' };
}

/** A change's item, written once beside the platform's profile. */
export function platformChangeItem(change: PlatformChange): Record<string, unknown> {
  return {
    ...change,
    PK: `PLATFORM#${change.platformId}`,
    SK: `CHANGE#${versionKey(change.version)}`,
    GSI2PK: 'PLATFORM_CHANGES',
    GSI2SK: `${change.at}#${change.platformId}#${versionKey(change.version)}`,
    entity: 'PlatformChange',
  };
}
