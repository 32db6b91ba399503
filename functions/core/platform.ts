/**
 * A platform on DTI's approved list (O.a) and the three documents rule P asks DTI to adopt for it.
 * Shared by the platforms list (functions/platforms), the New Social Media form (only an APPROVED
 * platform is offered), the registry (accounts on a RETIRED platform are flagged) and the annual
 * review (its findings). A platform is never deleted: retiring keeps it, and its accounts, on record.
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
  /** Why it was retired (RETIRED only). */
  reason?: string;
}
