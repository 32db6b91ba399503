import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { governanceStackFromContext } from './governance-stack.ts';
import { ControlTowerGuardValidator } from './guard.ts';

/**
 * CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this file with tsx).
 * Settings come from context (cdk.json, or `-c dtiEmail=... -c publicBaseUrl=...`).
 * Policy-validation plugins, and any unacknowledged finding fails synthesis: cdk-nag 3, and the
 * AWS Control Tower proactive controls through cfn-guard (guard.ts: CfnGuardValidator with its
 * bundled rules, honouring the per-resource acknowledgements the stack writes with acknowledgeGuardFindings).
 */
const app = new App();
governanceStackFromContext(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new ControlTowerGuardValidator({ controlTowerRulesEnabled: true }));
