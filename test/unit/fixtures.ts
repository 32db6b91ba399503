import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import directory from '../../functions/config/demo-directory.json' with { type: 'json' };
import type { Approval } from '#core/approval';
import type { AccountRequest } from '#new-account/new-account';
import type { OffboardingTask } from '#offboarding/offboarding';
import type { Department, Person, RoleHolder } from '#core/policy';
import type { PostingAuthorityRequest } from '#posting-authority/posting-authority';
import type { Account, Grant } from '#core/registry';
import type { NamedPerson } from '#core/request';

/** Demo directory values (functions/config/demo-directory.json), typed for the domain. */
export const departments = directory.departments as Department[];
export const roleHolders = directory.roles as RoleHolder[];
export const people = directory.people as Person[];

export function department(code: string): Department {
  const found = departments.find((d) => d.code === code);
  if (!found) throw new Error(`no demo department ${code}`);
  return found;
}

export function person(id: string): Person {
  const found = people.find((p) => p.id === id);
  if (!found) throw new Error(`no demo person ${id}`);
  return found;
}

export const requestId = 'na-20250301-0123456789abcdef';

/** A pending Parks and Recreation request by Ana Gallegos (E102), two steps. */
export function accountRequest(overrides: Partial<AccountRequest> = {}): AccountRequest {
  return {
    requestId,
    kind: 'NEW_ACCOUNT',
    status: 'PENDING',
    requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    platformId: 'instagram',
    platformName: 'Instagram',
    purpose: 'Promote summer programs and pool schedules to families.',
    audience: 'Families in Albuquerque',
    riskAssessment: 'Negative comments; we moderate daily under rule K.',
    proposedHandle: '@ABQParks',
    admins: [
      { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
      { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
    ],
    checklist: ['cityName', 'cityLogo', 'linkToCabq', 'purposeNotice', 'commentGuidelines'],
    steps: [
      {
        role: 'DEPARTMENT_DIRECTOR',
        title: 'Department Director (Parks and Recreation)',
        approverId: 'E100',
        approverName: 'Dolores Baca',
        escalateToId: 'E101',
        routedToDesignee: false,
      },
      {
        role: 'COMMUNICATIONS_DIRECTOR',
        title: 'Communications Director',
        approverId: 'E500',
        approverName: 'Elena Martinez',
        escalateToId: 'E501',
        routedToDesignee: false,
      },
    ],
    createdAt: '2025-03-01T16:00:00.000Z',
    ...overrides,
  };
}

export const approvalId = 'AbCdEfGhIjKlMnOpQrStUv';

/** The first step's undecided approval for `accountRequest()`. */
export function approval(overrides: Partial<Approval> = {}): Approval {
  return {
    requestId,
    step: 0,
    round: 0,
    approvalId,
    role: 'Department Director (Parks and Recreation)',
    approverId: 'E100',
    approverName: 'Dolores Baca',
    approverEmail: 'dbaca@cabq.example',
    secretHash: 'not-a-real-hash',
    createdAt: '2025-03-01T16:00:05.000Z',
    emailedAt: '2025-03-01T16:00:06.000Z',
    remindersSent: 0,
    ...overrides,
  };
}

export const paRequestId = 'pa-20250310-fedcba9876543210';
export const accountId = 'acct-20250301-0123456789abcdef';

/** The Parks Instagram account that `accountRequest()` created, Ana Gallegos and Tom Sandoval its admins. */
export function account(overrides: Partial<Account> = {}): Account {
  return {
    accountId,
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    status: 'ACTIVE',
    admins: accountRequest().admins,
    sourceRequestId: requestId,
    createdAt: '2025-03-02T16:00:00.000Z',
    ...overrides,
  };
}

/** An active grant on `account()`: by default Ana's ADMIN grant from the new-account approval. */
export function grant(overrides: Partial<Grant> = {}): Grant {
  return {
    accountId,
    personId: 'E102',
    personName: 'Ana Gallegos',
    role: 'ADMIN',
    receivesCredential: true,
    authorizedById: 'E100',
    authorizedByName: 'Dolores Baca',
    authorizedAt: '2025-03-02T16:00:00.000Z',
    sourceRequestId: requestId,
    status: 'ACTIVE',
    ...overrides,
  };
}

/** A pending request by Tom Sandoval (E103) to post for `account()`, decided by the Parks director. */
export function postingAuthorityRequest(overrides: Partial<PostingAuthorityRequest> = {}): PostingAuthorityRequest {
  return {
    requestId: paRequestId,
    kind: 'POSTING_AUTHORITY',
    status: 'PENDING',
    requester: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
    grantee: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
    accountId,
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    role: 'POSTER',
    receivesCredential: true,
    reason: 'Posts the weekly pool schedule and closures.',
    steps: [
      {
        role: 'DEPARTMENT_DIRECTOR',
        title: 'Department Director (Parks and Recreation)',
        approverId: 'E100',
        approverName: 'Dolores Baca',
        escalateToId: 'E101',
        routedToDesignee: false,
      },
    ],
    createdAt: '2025-03-10T16:00:00.000Z',
    ...overrides,
  };
}

/** A directory person as the workflows carry them (id, name, email). */
export function named(id: string): NamedPerson {
  const p = person(id);
  return { id: p.id, name: p.name, email: p.email };
}

/** Ana Gallegos (E102) separated on a date long past: her offboarding is due. */
export const offboardingId = 'off-E102-20260115';
export const rotationVersionId = '7d2c9f4e-1b3a-4c5d-8e6f-a0b1c2d3e4f5';

/** Tom Sandoval's rotation of the Parks Instagram password after Ana's separation, escalating to Dolores Baca. */
export function rotationTask(overrides: Partial<OffboardingTask> = {}): OffboardingTask {
  return {
    offboardingId,
    accountId,
    kind: 'ROTATE',
    accountLabel: 'Instagram @ABQParks',
    departmentName: 'Parks and Recreation',
    employeeName: 'Ana Gallegos',
    status: 'OPEN',
    round: 0,
    remindersSent: 0,
    lastSweep: 0,
    recipients: [named('E103')],
    escalateTo: named('E100'),
    versionId: rotationVersionId,
    createdAt: '2026-01-15T07:00:04.000Z',
    reveals: [],
    ...overrides,
  };
}

/** The directory's people on a mocked table: found by email (GSI1, how a sign-in is resolved) and by id. */
export function mockPeople(ddb: AwsClientStub<DynamoDBDocumentClient>, list: Person[] = people): void {
  for (const p of list) {
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': `EMAIL#${p.email}` } }).resolves({ Items: [p] });
    ddb.on(GetCommand, { Key: { PK: `PERSON#${p.id}`, SK: 'PROFILE' } }).resolves({ Item: p });
  }
}
