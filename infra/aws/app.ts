import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { governanceStackFromContext } from './governance-stack.ts';

/**
 * CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this file with tsx).
 * Settings come from context (cdk.json, or `-c dtiEmail=... -c publicBaseUrl=...`).
 * cdk-nag 3 runs as policy-validation plugins: any unacknowledged finding fails synthesis.
 */
const app = new App();
governanceStackFromContext(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
