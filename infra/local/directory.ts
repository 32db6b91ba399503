import { parseArgs } from 'node:util';
import { awsTarget, findLocalDynamoEndpoint, httpHrPut, type ImportTarget, importDirectory, localDirectoryStore, localTarget } from '#local/directory-import';

/**
 * `npm run directory -- import people.csv departments.csv roles.csv [--dry-run] [--force]
 *   [--target local|aws] [--stack <name>] [--port 3000]`: loads the directory from HR's and DTI's
 * CSV exports (README, "Directory import"). Locally it reads the running `npm start`'s table and
 * puts the events on its HR bus (POST /dev/hr/events); with `--target aws` it reads the deployed
 * stack's table and puts them on its HR bus, with the caller's AWS credentials.
 */
const usage = [
  'Usage: npm run directory -- import <people.csv> <departments.csv> <roles.csv> [--dry-run] [--force]',
  '         [--target local] [--port 3000] [--data .local] [--dynamo-endpoint http://127.0.0.1:<port>] [--table social-media-governance]',
  '         [--target aws --stack <name> [--region us-west-2] [--source cabq.hr]]',
].join('\n');

let parsed: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      target: { type: 'string', default: 'local' },
      stack: { type: 'string' },
      region: { type: 'string' },
      source: { type: 'string' },
      port: { type: 'string', default: '3000' },
      data: { type: 'string', default: '.local' },
      'dynamo-endpoint': { type: 'string' },
      table: { type: 'string', default: 'social-media-governance' },
    },
  });
}
try {
  parsed = parseOptions();
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const [command, people, departments, roles, ...extra] = positionals;
if (command !== 'import' || !people || !departments || !roles || extra.length || !['local', 'aws'].includes(values.target ?? '')) {
  console.error(usage);
  process.exit(2);
}
if (values.target === 'aws' && !values.stack) {
  console.error(`--target aws needs --stack <the deployed stack's name>.\n${usage}`);
  process.exit(2);
}

async function target(): Promise<ImportTarget> {
  if (values.target === 'aws') return awsTarget({ stackName: values.stack ?? '', region: values.region, source: values.source });
  const port = Number(values.port);
  const endpoint = values['dynamo-endpoint'] ?? findLocalDynamoEndpoint(values.data ?? '.local');
  if (!endpoint) {
    throw new Error(
      `Could not find the DynamoDB Local of a running \`npm start\` (data in ${values.data}). Start it with \`npm start\` first, or pass --dynamo-endpoint http://127.0.0.1:<its port>.`,
    );
  }
  return localTarget({
    directory: localDirectoryStore(endpoint, values.table ?? 'social-media-governance'),
    put: httpHrPut(port),
    source: values.source ?? 'cabq.hr',
    description: `the local stack on port ${port}`,
  });
}

try {
  const report = await importDirectory({ files: { people, departments, roles }, dryRun: values['dry-run'], force: values.force, target: await target() });
  process.exit(report.exitCode);
} catch (error) {
  const e = error as Error;
  console.error(
    e.name === 'TypeError' && /fetch failed/.test(e.message)
      ? `Could not reach the local stack on port ${values.port}. Start it with \`npm start\` first.`
      : `The import could not run: ${e.message}`,
  );
  process.exit(1);
}
