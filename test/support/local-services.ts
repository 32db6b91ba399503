import type { TestProject } from 'vitest/node';
import { type RunningDynamo, startDynamo } from '../../infra/local/services.ts';

/**
 * One DynamoDB Local (in memory) for the whole run; each test file makes its own tables in it
 * (a unique table name), so files stay independent and the ~3 s start-up is paid once.
 */
let dynamo: RunningDynamo | undefined;

export async function setup(project: TestProject) {
  dynamo = await startDynamo();
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown() {
  await dynamo?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
