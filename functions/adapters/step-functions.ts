import { ConfigurationError } from '#core/errors';
import { env } from '#adapters/env';
import { ExecutionAlreadyExists, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Step Functions in AWS; the local runtime's endpoint locally (AWS_ENDPOINT_URL_SFN). */
const sfn = new SFNClient({});

export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>;
}

export const sfnCallbacks: TaskCallbacks = {
  async succeed(taskToken, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
};

export async function sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
  await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
}

/**
 * Starts an execution named after the request, so a repeated start is a no-op: Step Functions
 * answers ExecutionAlreadyExists only when the same name comes with a different input.
 */
export async function startNamedExecution(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'exists'> {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'exists';
    throw error;
  }
}

/** The state machines functions start, each through the ARN its starter's environment holds. */
const workflowArns = {
  approvalChain: () => ({ name: 'STATE_MACHINE_ARN_APPROVAL_CHAIN', arn: env().STATE_MACHINE_ARN_APPROVAL_CHAIN }),
  separationOffboarding: () => ({ name: 'STATE_MACHINE_ARN_SEPARATION_OFFBOARDING', arn: env().STATE_MACHINE_ARN_SEPARATION_OFFBOARDING }),
  annualReview: () => ({ name: 'STATE_MACHINE_ARN_ANNUAL_REVIEW', arn: env().STATE_MACHINE_ARN_ANNUAL_REVIEW }),
};

/** Starts a workflow once per name (see startNamedExecution); a function without its ARN is misconfigured. */
export async function startWorkflow(workflow: keyof typeof workflowArns, name: string, input: unknown): Promise<'started' | 'exists'> {
  const { name: variable, arn } = workflowArns[workflow]();
  if (!arn) throw new ConfigurationError(`${variable} is not set.`);
  return startNamedExecution(arn, name, input);
}
