import { ConfigurationError } from '#core/errors';
import { type StateMachineKey, stateMachineArnEnv } from '#catalogue-types';
import { ExecutionAlreadyExists, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { tracer } from '#adapters/tracer';

/** Step Functions in AWS (traced); the local runtime's endpoint locally (AWS_ENDPOINT_URL_SFN). */
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

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

/**
 * Starts a workflow once per name (see startNamedExecution), through the ARN its starter's
 * environment holds (the catalogue's STATE_MACHINE_ARN_<KEY>, set only for the state machines the
 * function may start); a function without it is misconfigured.
 */
export async function startWorkflow(workflow: StateMachineKey, name: string, input: unknown): Promise<'started' | 'exists'> {
  const variable = stateMachineArnEnv(workflow);
  const arn = process.env[variable];
  if (!arn) throw new ConfigurationError(`${variable} is not set.`);
  return startNamedExecution(arn, name, input);
}
