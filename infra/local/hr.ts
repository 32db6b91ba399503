import { parseArgs } from 'node:util';
import { hrDetailTypes } from '#offboarding/hr-events';

/**
 * `npm run hr -- separated <employeeId> [--date YYYY-MM-DD]` and
 * `npm run hr -- updated <employeeId> [--name …] [--email …] [--department …] [--title …] [--supervisor …]`:
 * what the City's HR system does in AWS (an event on the HR bus), against the running local stack.
 * The event goes through the same rule and consumer as in AWS (POST /dev/hr/events).
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    date: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    department: { type: 'string' },
    title: { type: 'string' },
    supervisor: { type: 'string' },
    source: { type: 'string', default: 'cabq.hr' },
    port: { type: 'string', default: '3000' },
  },
});

const [kind, employeeId] = positionals;
const usage =
  'Usage: npm run hr -- separated <employeeId> [--date YYYY-MM-DD]\n       npm run hr -- updated <employeeId> [--name …] [--email …] [--department …] [--title …] [--supervisor …]';
if ((kind !== 'separated' && kind !== 'updated') || !employeeId) {
  console.error(usage);
  process.exit(2);
}

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date());
const detail =
  kind === 'separated'
    ? { employeeId, separationDate: values.date ?? today }
    : Object.fromEntries(
        Object.entries({
          employeeId,
          name: values.name,
          email: values.email,
          departmentCode: values.department,
          title: values.title,
          supervisorId: values.supervisor,
        }).filter(([, v]) => v !== undefined),
      );
const entry = { source: values.source, 'detail-type': kind === 'separated' ? hrDetailTypes.separated : hrDetailTypes.updated, detail };

let res: Response;
try {
  res = await fetch(`http://127.0.0.1:${values.port}/dev/hr/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(entry),
  });
} catch {
  console.error(`Could not reach the local stack on port ${values.port}. Start it with \`npm start\` first.`);
  process.exit(1);
}
const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; record?: string };
if (!res.ok) {
  // Refused by the rule or the consumer (malformed, or an employee the directory does not know): nothing was started.
  console.error(`Refused: ${body.message ?? JSON.stringify(body)}${body.error ? ` (${body.error}, HTTP ${res.status})` : ` (HTTP ${res.status})`}`);
  process.exit(1);
}
console.log(`Put "${entry['detail-type']}" for ${employeeId}.${body.record ? ` Offboarding record: http://127.0.0.1:${values.port}${body.record}` : ''}`);
