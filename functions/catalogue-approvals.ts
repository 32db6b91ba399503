/**
 * The catalogue's functions for the approvals of rules R, F.d, Q and O.a (departmental policies,
 * exceptions, displays on City websites, new platforms): each kind's form handler, and the
 * exception's lapse task. catalogue.ts spreads them into `functions`; both hosts read them there.
 */
import type { FunctionSpec } from './catalogue-types.ts';

export const approvalKindFunctions = {
  requestDepartmentPolicy: {
    entry: 'functions/department-policy/handlers/request-department-policy.ts',
    description:
      'Departmental social media policy (R): someone of the department submits its policy (text, version, what it adds); lists the department\u2019s current, superseded and pending versions; starts the Communications Director\u2019s approval',
    access: { table: ['read', 'write'], startExecution: ['departmentPolicyApproval'] },
    routes: [
      { method: 'GET', path: '/departments/{departmentCode}/policies', auth: 'jwt' },
      { method: 'GET', path: '/departments/{departmentCode}/policies/new', auth: 'jwt' },
      { method: 'POST', path: '/departments/{departmentCode}/policies', auth: 'jwt' },
    ],
  },
  requestException: {
    entry: 'functions/exception/handlers/request-exception.ts',
    description:
      'Exceptions (F.d): someone holding a grant on an account asks for an exception to F.a, F.b or F.c (why, until when); starts the Communications Coordinator\u2019s approval',
    access: { table: ['read', 'write'], startExecution: ['exceptionApproval'] },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/exceptions/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/exceptions', auth: 'jwt' },
    ],
  },
  lapseException: {
    entry: 'functions/exception/handlers/lapse-exception.ts',
    description:
      'State machine task: waits for an approved exception\u2019s notice day (tells the requester and the Communications Coordinator it is ending) and then its end date, when it lapses',
    access: { table: ['read', 'write'], sendEmail: true, sendTaskResult: ['exceptionApproval'] },
    timeoutSeconds: 20,
  },
  requestWebsiteDisplay: {
    entry: 'functions/website-display/handlers/request-website-display.ts',
    description:
      'Social media on a City website (Q): someone holding a grant on an account asks to show its content on a City web page (which page, what content, how it is moderated); starts DTI\u2019s review',
    access: { table: ['read', 'write'], startExecution: ['websiteDisplayApproval'] },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/displays/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/displays', auth: 'jwt' },
    ],
  },
  proposePlatform: {
    entry: 'functions/platform-proposal/handlers/propose-platform.ts',
    description:
      'A new platform (O.a): a department proposes a platform not on the approved list (what it is, why, its usage agreement); starts DTI\u2019s decision',
    access: { table: ['read', 'write'], startExecution: ['platformProposalApproval'] },
    routes: [
      { method: 'GET', path: '/platform-proposals/new', auth: 'jwt' },
      { method: 'POST', path: '/platform-proposals', auth: 'jwt' },
    ],
  },
} as const satisfies Record<string, FunctionSpec>;
