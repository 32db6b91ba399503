import type { Grant } from '#core/registry';
import type { Standing } from '#core/standing';
import { strip, TableClient } from '#adapters/table';

/**
 * What stays in force on an account besides its grants: its standings (core/standing.ts), kept in
 * the account's partition beside its profile and grants:
 *   ACCOUNT#id / STANDING#<kind>#<requestId>   an exception (F.d) or a display on a City website (Q)
 * Written by the kinds' approvals (in the transaction that closes the request) and by an
 * exception's lapse; read here.
 */
export class StandingStore extends TableClient {
  /** Every standing of the account, in force or ended: one Query of its partition under STANDING#. */
  standingsOn(accountId: string, consistent = false): Promise<Standing[]> {
    return this.queryAll<Standing>({ pk: `ACCOUNT#${accountId}`, skPrefix: 'STANDING#', consistent });
  }

  /**
   * The account's grants and standings together, in one consistent Query of its whole partition
   * (its profile, GRANT#… and STANDING#… items): what the annual review reads of each account.
   */
  async holdingsOf(accountId: string): Promise<{ grants: Grant[]; standings: Standing[] }> {
    const items = await this.queryItems({ pk: `ACCOUNT#${accountId}`, consistent: true });
    const grants: Grant[] = [];
    const standings: Standing[] = [];
    for (const item of items) {
      const sk = String(item.SK);
      if (sk.startsWith('GRANT#')) grants.push(strip<Grant>(item));
      else if (sk.startsWith('STANDING#')) standings.push(strip<Standing>(item));
    }
    return { grants, standings };
  }
}
