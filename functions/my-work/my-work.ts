import type { GovernanceRequest } from '#approval-chain/kinds';
import type { Approval } from '#core/approval';
import type { OffboardingTask, TaskLink } from '#offboarding/offboarding';

/** An approval or confirmation link waiting for its approver, with the request it decides. */
export interface AssignedApproval {
  approval: Approval;
  request: GovernanceRequest;
}

/** An offboarding task link waiting for its recipient, with the task it belongs to. */
export interface AssignedTask {
  link: TaskLink;
  task: OffboardingTask;
}
