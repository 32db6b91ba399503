import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Department, Person, RoleHolder } from '#core/policy';
import { isApproved, type Platform } from '#core/platform';
import type { PersonSummary } from '#core/people-picker';
import { platformItem } from '#adapters/platform-store';
import { type Item, strip, TableClient } from '#adapters/table';

/** A platform as seed data gives it: approved, with what is known of its site, usage agreement and P documents. */
export type SeedPlatform = Pick<Platform, 'id' | 'name'> & Partial<Pick<Platform, 'siteUrl' | 'usageAgreement' | 'documents'>>;

/** The most people one search answers (the picker's radio list and the /people endpoint). */
export const searchLimit = 10;

/**
 * The directory item of a person, the one builder every writer uses (the seeder, HR updates):
 *   PK PERSON#id / PROFILE
 *   GSI1 EMAIL#<email lc> / PERSON        exact lookup at sign-in and in the picker
 *   GSI2 PEOPLE / <name lc>#id            name-prefix search, case-insensitive (begins_with)
 *   GSI3 PEOPLE_BY_EMAIL / <email lc>     email-prefix search
 * The keys are written after the person's fields, so keys read back with an earlier version of the
 * person (an HR update merges into what is stored) are always replaced by ones built from its fields.
 *
 * A search by a later word of the name (the surname of "Ana Gallegos") is not offered: it would need
 * one more item per word of each name (an index slot per word), and a person is one item here, which
 * the HR update writes as one put. Typing the start of the email (agallegos@…) finds the surname.
 */
export function personItem(person: Person): Item {
  const email = person.email.toLowerCase();
  return {
    ...person,
    PK: `PERSON#${person.id}`,
    SK: 'PROFILE',
    GSI1PK: `EMAIL#${email}`,
    GSI1SK: 'PERSON',
    GSI2PK: 'PEOPLE',
    GSI2SK: `${person.name.toLowerCase()}#${person.id}`,
    GSI3PK: 'PEOPLE_BY_EMAIL',
    GSI3SK: email,
    entity: 'Person',
    email,
  };
}

/**
 * The directory in the governance table: people, departments, role holders and the approved
 * platforms (O.a), read by every workflow. Keys:
 *   PERSON#id / PROFILE            GSI1 EMAIL#email        GSI2 PEOPLE / <name lc>#id   GSI3 PEOPLE_BY_EMAIL / <email lc>
 *   DEPT#code / PROFILE            GSI1 DEPARTMENTS / code
 *   ROLE#role / PROFILE            GSI1 ROLES / role
 *   PLATFORM#id / PROFILE          GSI1 PLATFORMS / name   (DTI's list, O.a: approved and retired; platform-store.ts
 *                                                          writes its changes)
 */
export class DirectoryStore extends TableClient {
  person(id: string) {
    return this.get<Person>(`PERSON#${id}`, 'PROFILE');
  }

  async personByEmail(email: string): Promise<Person | undefined> {
    const [found] = await this.queryAll<Person>({ index: 'GSI1', pk: `EMAIL#${email.trim().toLowerCase()}` });
    return found;
  }

  /** Everyone, by name (the local sign-in page and the seeder's check; the forms search instead). */
  people() {
    return this.queryAll<Person>({ index: 'GSI2', pk: 'PEOPLE' });
  }

  /**
   * Whether the directory has anyone at all, separated people included (sign-in/directory-gate.ts:
   * while it has nobody, the first DTI administrators see the setup page). One Query, Limit 1.
   */
  async hasPeople(): Promise<boolean> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'GSI2',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'GSI2PK' },
        ExpressionAttributeValues: { ':pk': 'PEOPLE' },
        Select: 'COUNT',
        Limit: 1,
      }),
    );
    return (out.Count ?? 0) > 0;
  }

  /**
   * People whose name or email starts with `q` (case-insensitive), not separated, names first and
   * then by name: two Queries (GSI2 by name, GSI3 by email), never a Scan, each read only until it
   * has `limit` people who are still with the City.
   */
  async searchPeople(q: string, limit = searchLimit): Promise<Person[]> {
    const prefix = q.trim().toLowerCase();
    if (!prefix) return [];
    const [byName, byEmail] = await Promise.all([
      this.stillEmployed('GSI2', 'PEOPLE', prefix, limit),
      this.stillEmployed('GSI3', 'PEOPLE_BY_EMAIL', prefix, limit),
    ]);
    const seen = new Set<string>();
    const found: Person[] = [];
    for (const person of [...byName, ...byEmail]) {
      if (seen.has(person.id)) continue;
      seen.add(person.id);
      found.push(person);
    }
    return found.slice(0, limit);
  }

  /** The search as the picker and GET /people show it: with each person's department name. */
  async findPeople(q: string, limit = searchLimit): Promise<PersonSummary[]> {
    const [people, departments] = await Promise.all([this.searchPeople(q, limit), this.departments()]);
    const names = new Map(departments.map((d) => [d.code, d.name]));
    return people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      departmentName: names.get(p.departmentCode) ?? p.departmentCode,
      ...(p.title ? { title: p.title } : {}),
    }));
  }

  /** One index's partition under a sort-key prefix, without separated people, until `limit` are found. */
  private async stillEmployed(index: 'GSI2' | 'GSI3', pk: string, prefix: string, limit: number): Promise<Person[]> {
    const found: Person[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          FilterExpression: 'attribute_not_exists(separatedOn)',
          ExpressionAttributeNames: { '#pk': `${index}PK`, '#sk': `${index}SK` },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          Limit: 50,
          ExclusiveStartKey,
        }),
      );
      for (const item of out.Items ?? []) found.push(strip<Person>(item));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey && found.length < limit);
    return found.slice(0, limit);
  }

  department(code: string) {
    return this.get<Department>(`DEPT#${code}`, 'PROFILE');
  }

  departments() {
    return this.queryAll<Department>({ index: 'GSI1', pk: 'DEPARTMENTS' });
  }

  /** Who holds each City-wide role; a role nobody holds now (Role Removed) is not listed. */
  async roleHolders(): Promise<RoleHolder[]> {
    return (await this.queryAll<RoleHolder>({ index: 'GSI1', pk: 'ROLES' })).filter((r) => r.holderId);
  }

  platform(id: string) {
    return this.get<Platform>(`PLATFORM#${id}`, 'PROFILE');
  }

  /** The platforms a new account may use (O.a): APPROVED only, never a retired one. */
  async approvedPlatforms() {
    return (await this.allPlatforms()).filter(isApproved);
  }

  /** Every platform on DTI's list, approved and retired (the registry flags accounts on a retired one): one Query. */
  allPlatforms() {
    return this.queryAll<Platform>({ index: 'GSI1', pk: 'PLATFORMS' });
  }

  /**
   * Seeds or updates the directory (demo data locally; the City's HR feed later). Platforms are
   * seeded approved at version 1, with what the seed says of their site, usage agreement and P
   * documents; after that DTI changes them on /platforms, each change recorded (platform-store.ts).
   */
  async putDirectory(input: { people: Person[]; departments: Department[]; roles: RoleHolder[]; platforms: SeedPlatform[] }): Promise<void> {
    const items: Item[] = [
      ...input.people.map(personItem),
      ...input.departments.map((d) => ({ PK: `DEPT#${d.code}`, SK: 'PROFILE', GSI1PK: 'DEPARTMENTS', GSI1SK: d.code, entity: 'Department', ...d })),
      ...input.roles.map((r) => ({ PK: `ROLE#${r.role}`, SK: 'PROFILE', GSI1PK: 'ROLES', GSI1SK: r.role, entity: 'Role', ...r })),
      ...input.platforms.map((p) =>
        platformItem({
          id: p.id,
          name: p.name,
          approved: true,
          status: 'APPROVED',
          ...(p.siteUrl ? { siteUrl: p.siteUrl } : {}),
          ...(p.usageAgreement ? { usageAgreement: p.usageAgreement } : {}),
          ...(p.documents ? { documents: p.documents } : {}),
          version: 1,
        }),
      ),
    ];
    for (let i = 0; i < items.length; i += 25) {
      let pending: Item[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }));
        pending = out.UnprocessedItems?.[this.table] as Item[] | undefined;
      }
    }
  }
}
