import { describe, expect, it } from 'vitest';
import policyJson from '../../../functions/config/policy.json' with { type: 'json' };
import { ConfigurationError } from '#core/errors';
import { chainFor, directoryRoleTitle, type Policy, parsePolicy, planApprovalSteps, policy as bundledPolicy, type RoleHolder } from '#core/policy';
import { department, roleHolders } from '../fixtures.ts';

/** A new-account plan: the department's chain from the policy (D, S.a). */
const plan = (requesterId: string, code: string, holders: RoleHolder[] = roleHolders, policy?: Policy) =>
  planApprovalSteps({ requesterId, chain: chainFor(code, policy), department: department(code), roleHolders: holders, policy });

/** A posting-authority plan (B): the account department's director, never the requester or the grantee. */
const planAuthority = (requesterId: string, granteeId: string, code: string) =>
  planApprovalSteps({ requesterId, forIds: [granteeId], chain: bundledPolicy.postingAuthority.chain, department: department(code), roleHolders });

describe('planApprovalSteps', () => {
  it('routes a request to the Department Director and then the Communications Director', () => {
    const steps = plan('E102', 'PRD');
    expect(steps.map((s) => [s.role, s.approverId, s.title])).toEqual([
      ['DEPARTMENT_DIRECTOR', 'E100', 'Department Director (Parks and Recreation)'],
      ['COMMUNICATIONS_DIRECTOR', 'E500', 'Communications Director'],
    ]);
    expect(steps.every((s) => !s.routedToDesignee)).toBe(true);
  });

  it('routes APD requests to the APD Director of Communications and never the Communications Director (S.a)', () => {
    const steps = plan('E312', 'APD');
    expect(steps.map((s) => [s.role, s.approverId])).toEqual([
      ['DEPARTMENT_DIRECTOR', 'E300'],
      ['APD_DIRECTOR_OF_COMMUNICATIONS', 'E310'],
    ]);
    expect(steps.some((s) => s.role === 'COMMUNICATIONS_DIRECTOR' || s.approverId === 'E500')).toBe(false);
  });

  it('escalates each step to the role holder’s designee', () => {
    expect(plan('E102', 'PRD').map((s) => s.escalateToId)).toEqual(['E101', 'E501']);
    expect(plan('E312', 'APD').map((s) => s.escalateToId)).toEqual(['E301', 'E311']);
  });

  it('sends the director’s step to the designee when the requester is their department’s director', () => {
    const [director, comms] = plan('E100', 'PRD');
    expect(director).toMatchObject({ role: 'DEPARTMENT_DIRECTOR', approverId: 'E101', routedToDesignee: true, escalateToId: null });
    expect(comms).toMatchObject({ approverId: 'E500', routedToDesignee: false, escalateToId: 'E501' });
  });

  it('sends the communications step to the comms designee when the requester is the Communications Director', () => {
    const holders: RoleHolder[] = [{ role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E200', designeeId: 'E501' }];
    const [director, comms] = plan('E200', 'LIB', holders);
    expect(director).toMatchObject({ approverId: 'E201', routedToDesignee: true, escalateToId: null });
    expect(comms).toMatchObject({ role: 'COMMUNICATIONS_DIRECTOR', approverId: 'E501', routedToDesignee: true, escalateToId: null });
  });

  it('routes the Communications Director’s own request to the comms designee (demo directory, CMO)', () => {
    const steps = plan('E500', 'CMO');
    expect(steps.map((s) => [s.approverId, s.routedToDesignee, s.escalateToId])).toEqual([
      ['E501', true, null],
      ['E501', true, null],
    ]);
  });

  it('does not escalate to the requester when the requester is a step’s designee', () => {
    const [director] = plan('E101', 'PRD');
    expect(director).toMatchObject({ approverId: 'E100', routedToDesignee: false, escalateToId: null });
  });

  it('refuses to plan when nobody holds a role in the chain', () => {
    const withoutComms = roleHolders.filter((r) => r.role !== 'COMMUNICATIONS_DIRECTOR');
    expect(() => plan('E102', 'PRD', withoutComms)).toThrow(ConfigurationError);
    expect(() => plan('E102', 'PRD', withoutComms)).toThrow(/Communications Director/);
  });

  it('refuses to plan when the requester is both a role holder and its designee', () => {
    const dept = { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E100' };
    expect(() => planApprovalSteps({ requesterId: 'E100', chain: chainFor('PRD'), department: dept, roleHolders })).toThrow(ConfigurationError);
  });

  it('refuses to plan when the requester holds a role that has no designee', () => {
    const dept = { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: '' };
    expect(() => planApprovalSteps({ requesterId: 'E100', chain: chainFor('PRD'), department: dept, roleHolders })).toThrow(/no other designee/);
  });
});

describe('planApprovalSteps for posting authority (B)', () => {
  it('asks only the account department’s director, escalating to the designee', () => {
    expect(planAuthority('E102', 'E102', 'PRD')).toEqual([
      {
        role: 'DEPARTMENT_DIRECTOR',
        title: 'Department Director (Parks and Recreation)',
        approverId: 'E100',
        escalateToId: 'E101',
        routedToDesignee: false,
      },
    ]);
  });

  it('uses the account’s department, not the requester’s', () => {
    expect(planAuthority('E202', 'E202', 'PRD').map((s) => s.approverId)).toEqual(['E100']);
  });

  it('sends the director’s own request to the designee', () => {
    expect(planAuthority('E100', 'E100', 'PRD')).toMatchObject([{ approverId: 'E101', routedToDesignee: true, escalateToId: null }]);
  });

  it('sends a request for the director, made by someone else, to the designee too: nobody authorizes themselves', () => {
    expect(planAuthority('E102', 'E100', 'PRD')).toMatchObject([{ approverId: 'E101', routedToDesignee: true, escalateToId: null }]);
  });

  it('does not escalate to the grantee when the grantee is the director’s designee', () => {
    expect(planAuthority('E102', 'E101', 'PRD')).toMatchObject([{ approverId: 'E100', routedToDesignee: false, escalateToId: null }]);
  });

  it('refuses to plan when both the director and the designee are interested in the request', () => {
    expect(() => planAuthority('E100', 'E101', 'PRD')).toThrow(/no other designee/);
  });
});

describe('parsePolicy', () => {
  const withWaits = (waits: Record<string, unknown>) => ({ ...policyJson, waits: { ...policyJson.waits, ...waits } });

  it('accepts the bundled policy.json', () => {
    expect(parsePolicy(policyJson).newAccountApproval.chainByDepartment.APD).toEqual(['DEPARTMENT_DIRECTOR', 'APD_DIRECTOR_OF_COMMUNICATIONS']);
  });

  it('rejects a zero decision wait with a ConfigurationError naming the field', () => {
    expect(() => parsePolicy(withWaits({ decisionWaitSeconds: 0 }))).toThrow(ConfigurationError);
    expect(() => parsePolicy(withWaits({ decisionWaitSeconds: 0 }))).toThrow(/decisionWaitSeconds/);
  });

  it('rejects a decision wait longer than 24 days, which the local engine cannot time', () => {
    expect(parsePolicy(withWaits({ decisionWaitSeconds: 24 * 24 * 3600 })).waits.decisionWaitSeconds).toBe(2_073_600);
    expect(() => parsePolicy(withWaits({ decisionWaitSeconds: 25 * 24 * 3600 }))).toThrow(/decisionWaitSeconds/);
  });

  it('rejects an unknown role in a chain with a ConfigurationError naming the field', () => {
    const raw = { ...policyJson, newAccountApproval: { ...policyJson.newAccountApproval, chain: ['DEPARTMENT_DIRECTOR', 'MAYOR'] } };
    expect(() => parsePolicy(raw)).toThrow(ConfigurationError);
    expect(() => parsePolicy(raw)).toThrow(/newAccountApproval\.chain/);
  });

  it('rejects an empty approval chain', () => {
    const raw = { ...policyJson, newAccountApproval: { ...policyJson.newAccountApproval, chainByDepartment: { APD: [] } } };
    expect(() => parsePolicy(raw)).toThrow(/at least one step/);
  });

  it('uses the policy it is given to choose the chain', () => {
    const policy = parsePolicy({ ...policyJson, newAccountApproval: { ...policyJson.newAccountApproval, chain: ['COMMUNICATIONS_DIRECTOR'] } });
    expect(plan('E102', 'PRD', roleHolders, policy).map((s) => s.approverId)).toEqual(['E500']);
  });
});

describe('directoryRoleTitle', () => {
  it('names every City-wide role for pages and the history: the policy’s approver titles, and the records contact, which approves nothing', () => {
    expect(directoryRoleTitle('COMMUNICATIONS_COORDINATOR')).toBe('Communications Coordinator');
    expect(directoryRoleTitle('APD_DIRECTOR_OF_COMMUNICATIONS')).toBe('APD Director of Communications');
    expect(directoryRoleTitle('CITY_CLERK_CONTACT')).toBe('City Clerk’s records contact');
  });
});
