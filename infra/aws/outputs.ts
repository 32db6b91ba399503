import { CfnOutput, type CfnOutputProps, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A stack output declared by the construct it belongs to, but at stack scope: an output's name is
 * the deployment's interface (the runbook and scripts read `ApiUrl`, `DkimRecord1`, ...), so it stays
 * the name given here wherever the construct sits in the tree, instead of gaining a path and a hash.
 */
export function stackOutput(scope: IConstruct, name: string, props: CfnOutputProps): CfnOutput {
  return new CfnOutput(Stack.of(scope), name, props);
}
