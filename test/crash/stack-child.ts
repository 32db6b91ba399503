import { parseArgs } from 'node:util';
import { startLocalStack } from '../../infra/local/stack.ts';

/**
 * The local stack as `npm start` runs it, as a child the crash tier can SIGKILL with its whole
 * process group (DynamoDB Local's java included). The mailbox (SES emulator) runs in the test
 * process instead, as SES runs outside any Lambda: it outlives the kill, so duplicates are seen.
 */
const { values } = parseArgs({ options: { data: { type: 'string' }, ses: { type: 'string' }, port: { type: 'string' }, wait: { type: 'string' } } });

const stack = await startLocalStack({
  dataDir: values.data,
  sesEndpoint: values.ses,
  ports: { http: Number(values.port) },
  decisionWaitSeconds: Number(values.wait ?? 3600),
  logLevel: 'ERROR',
});
process.stdout.write(
  `READY ${JSON.stringify({ baseUrl: stack.baseUrl, dynamoEndpoint: stack.dynamoEndpoint, tableName: stack.tableName, reconciled: stack.reconciled, resumed: stack.resumed.length })}\n`,
);
process.on('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
