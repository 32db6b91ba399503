import type { GovernanceRequest } from '#approval-chain/kinds';
import type { Approval } from '#core/approval';
import type { OffboardingTask, TaskLink } from '#offboarding/offboarding';
import type { ReviewPage } from '#annual-review/review';

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

/** An annual review page waiting for its reviewer (a department's accounts, or DTI's platforms). */
export interface AssignedReview {
  page: ReviewPage;
  assignedAt: string;
}
