import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '#local/stack';

/**
 * `npm start`: the whole product on one machine, no AWS account. Data is kept in .local/ (git-
 * ignored), so stopping and starting again keeps every request and every emailed link working.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    'mail-port': { type: 'string', default: '8005' },
    'wait-seconds': { type: 'string' },
    data: { type: 'string', default: '.local' },
  },
});

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`The local stack runs on Node 24 (the Lambda runtime); this is ${process.versions.node}. Run it with \`npm start\` after \`npm ci\`.`);
  process.exit(1);
}

const waitSeconds = values['wait-seconds'] ? Number(values['wait-seconds']) : undefined;
if (waitSeconds !== undefined && !(Number.isInteger(waitSeconds) && waitSeconds >= 1 && waitSeconds <= 24 * 24 * 3600)) {
  console.error('--wait-seconds takes a whole number of seconds from 1 to 2073600 (24 days).');
  process.exit(1);
}

try {
  const stack = await startLocalStack({
    dataDir: resolve(values.data ?? '.local'),
    ports: { http: Number(values.port), ses: Number(values['mail-port']) },
    decisionWaitSeconds: waitSeconds,
    logLevel: 'WARN',
    demoAccounts: true,
  });
  console.log(`
  Social media governance — local stack is up (no AWS account needed)

    Sign in and ask      ${stack.baseUrl}/dev/sign-in      (development sign-in, local only)
    New account form     ${stack.baseUrl}/requests/new
    Registry             ${stack.baseUrl}/accounts
    Mailbox (SES)        ${stack.mailboxUrl}/               (every email the workflows send)
    Skip a wait          curl -X POST ${stack.baseUrl}/dev/clock/advance   (reminders, escalation, expiry now; ?days=N moves the calendar)
    HR event             npm run hr -- separated E102${values.port === '3000' ? '' : ` --port ${values.port}`}       (offboarding; --date YYYY-MM-DD for a future one)
    Offboardings         ${stack.baseUrl}/offboardings      (DTI, Communications)
    Annual review        npm run review -- start${values.port === '3000' ? '' : ` --port ${values.port}`}        (now; or move the clock past Feb 1: ?days=N)
    Reviews, platforms   ${stack.baseUrl}/reviews  ${stack.baseUrl}/platforms   (DTI)

  Data: ${resolve(values.data ?? '.local')} ${stack.seeded ? '(demo directory seeded)' : '(kept from last time)'}${stack.resumed.length ? `\n  Resumed ${stack.resumed.length} unfinished execution(s) from before the restart.` : ''}${stack.reconciled.started ? `\n  Started ${stack.reconciled.started} stored request(s) whose workflow had not started before the last stop.` : ''}
  Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`Could not start the local stack: ${(error as Error).message}`);
  process.exit(1);
}
