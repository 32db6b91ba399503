import type { ApplyPorts } from '#annual-review/apply';
import type { Platform, PlatformChange } from '#core/platform';
import { retiredPlatform, reviewedPlatform } from '#platforms/platforms';
import { PlatformStore } from '#adapters/platform-store';
import { sendAboutPage } from '#adapters/review-mail';
import type { ReviewStore } from '#adapters/review-store';
import { GovernanceStore } from '#adapters/store';

let directory: GovernanceStore | undefined;
let platformStore: PlatformStore | undefined;

/**
 * A platform change made by the review, on the platform list's own terms: conditional on the
 * version it was read at, recorded as a change. A lost race (DTI edited it that moment) is read
 * again and made once more; an already retired platform is left as it is.
 */
async function changePlatform(id: string, make: (current: Platform) => { platform: Platform; change: PlatformChange } | undefined): Promise<void> {
  platformStore ??= new PlatformStore();
  const s = platformStore;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const { platform } = await s.platformWithChanges(id);
    if (!platform || platform.status === 'RETIRED') return;
    const made = make(platform);
    if (!made || (await s.changePlatform(made.platform, made.change, platform.version ?? 0))) return;
  }
}

/** The ports applyPage works over, on the governance table and the mail ledger. */
export function reviewApplyPorts(store: ReviewStore, reviewId = ''): ApplyPorts {
  directory ??= new GovernanceStore();
  const d = directory;
  return {
    revokeGrant: (g, at, reason, by) => store.revokeGrant(g, at, reason, by),
    putGrant: (grant) => store.putGrant(grant),
    // The same retirement as a retirement request's: account, remaining grants and credential (retirement-store.ts).
    retireAccount: (accountId, at, reason, by) => store.retireAccount(accountId, at, reason, by),
    async person(id) {
      const p = await d.person(id);
      return p ? { id: p.id, name: p.name, email: p.email } : undefined;
    },
    notify: (page, key, to, email) => sendAboutPage(page, key, to, email),
    markApplied: (page, at) => store.markApplied(page, at),
    platforms: {
      reviewed: (platformId, note, by, at) => changePlatform(platformId, (current) => reviewedPlatform({ current, note, by, now: new Date(at), reviewId })),
      retire: (platformId, reason, by, at) =>
        changePlatform(platformId, (current) =>
          retiredPlatform({ current, version: current.version ?? 0, reason: `${reason} (annual review ${reviewId})`, by, now: new Date(at) }),
        ),
    },
  };
}
