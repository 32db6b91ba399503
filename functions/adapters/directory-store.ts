import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Department, Person, Platform, RoleHolder } from '#core/policy';
import { type Item, TableClient } from '#adapters/table';

/**
 * The directory in the governance table: people, departments, role holders and the approved
 * platforms (O.a), read by every workflow. Keys:
 *   PERSON#id / PROFILE            GSI1 EMAIL#email        GSI2 PEOPLE / name#id
 *   DEPT#code / PROFILE            GSI1 DEPARTMENTS / code
 *   ROLE#role / PROFILE            GSI1 ROLES / role
 *   PLATFORM#id / PROFILE          GSI1 PLATFORMS / name   (the approved list, O.a)
 */
export class DirectoryStore extends TableClient {
  person(id: string) {
    return this.get<Person>(`PERSON#${id}`, 'PROFILE');
  }

  async personByEmail(email: string): Promise<Person | undefined> {
    const [found] = await this.queryAll<Person>({ index: 'GSI1', pk: `EMAIL#${email.toLowerCase()}` });
    return found;
  }

  people() {
    return this.queryAll<Person>({ index: 'GSI2', pk: 'PEOPLE' });
  }

  department(code: string) {
    return this.get<Department>(`DEPT#${code}`, 'PROFILE');
  }

  departments() {
    return this.queryAll<Department>({ index: 'GSI1', pk: 'DEPARTMENTS' });
  }

  async roleHolders(): Promise<RoleHolder[]> {
    return this.queryAll<RoleHolder>({ index: 'GSI1', pk: 'ROLES' });
  }

  platform(id: string) {
    return this.get<Platform>(`PLATFORM#${id}`, 'PROFILE');
  }

  async approvedPlatforms() {
    const all = await this.queryAll<Platform>({ index: 'GSI1', pk: 'PLATFORMS' });
    return all.filter((p) => p.approved);
  }

  /** Seeds or updates the directory (demo data locally; the City's HR feed later). */
  async putDirectory(input: { people: Person[]; departments: Department[]; roles: RoleHolder[]; platforms: { id: string; name: string }[] }): Promise<void> {
    const items: Item[] = [
      ...input.people.map((p) => ({
        PK: `PERSON#${p.id}`,
        SK: 'PROFILE',
        GSI1PK: `EMAIL#${p.email.toLowerCase()}`,
        GSI1SK: 'PERSON',
        GSI2PK: 'PEOPLE',
        GSI2SK: `${p.name}#${p.id}`,
        entity: 'Person',
        ...p,
        email: p.email.toLowerCase(),
      })),
      ...input.departments.map((d) => ({ PK: `DEPT#${d.code}`, SK: 'PROFILE', GSI1PK: 'DEPARTMENTS', GSI1SK: d.code, entity: 'Department', ...d })),
      ...input.roles.map((r) => ({ PK: `ROLE#${r.role}`, SK: 'PROFILE', GSI1PK: 'ROLES', GSI1SK: r.role, entity: 'Role', ...r })),
      ...input.platforms.map((p) => ({
        PK: `PLATFORM#${p.id}`,
        SK: 'PROFILE',
        GSI1PK: 'PLATFORMS',
        GSI1SK: p.name,
        entity: 'Platform',
        approved: true,
        ...p,
      })),
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
